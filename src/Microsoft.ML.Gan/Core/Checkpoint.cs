using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// A training checkpoint: named tensors (weights, optimiser moments, pools, RNG states) and named scalars
/// (counters, rates), in one file with a magic header, the model kind, a configuration fingerprint and an end marker,
/// so a truncated or foreign file is refused with a clear error. Written to a temporary file and renamed over the
/// old one, so a crash during the write leaves the previous checkpoint intact.
/// </summary>
internal sealed class Checkpoint
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("MLGANCKP");
    private const int FormatVersion = 1;
    private const long EndMarker = 0x4B43_444E_454E_4147; // "GANENDCK"

    public Checkpoint(string kind, string fingerprint) => (Kind, Fingerprint) = (kind, fingerprint);

    public string Kind { get; }
    public string Fingerprint { get; }
    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, double> Scalars { get; } = new(StringComparer.Ordinal);

    /// <summary>The standard file name inside a checkpoint folder.</summary>
    public const string FileName = "checkpoint.mlgan";

    public long GetLong(string name) => (long)GetScalar(name);

    public double GetScalar(string name) =>
        Scalars.TryGetValue(name, out var v) ? v : throw new InvalidDataException($"The checkpoint has no value '{name}'.");

    public Tensor GetTensor(string name) =>
        Tensors.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"The checkpoint has no tensor '{name}'.");

    /// <summary>Copies the checkpoint's tensors into <paramref name="module"/>'s parameters and buffers (prefix "name.").</summary>
    public void LoadModule(string prefix, nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (name, target) in module.state_dict())
        {
            var source = GetTensor($"{prefix}.{name}");
            if (!source.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"Checkpoint tensor '{prefix}.{name}' has shape [{string.Join(",", source.shape)}]; the model expects [{string.Join(",", target.shape)}].");
            target.copy_(source);
        }
    }

    public void AddModule(string prefix, nn.Module module)
    {
        foreach (var (name, t) in module.state_dict()) Tensors[$"{prefix}.{name}"] = t;
    }

    /// <summary>
    /// Stores a list of numeric records (e.g. evaluations made during training): the count as "names" and record i as
    /// the tensor "name.i" (the layout NetGAN's checkpoints have always had).
    /// </summary>
    public void AddRecords(string prefix, IReadOnlyList<double[]> records)
    {
        Scalars[$"{prefix}s"] = records.Count;
        for (int i = 0; i < records.Count; i++) Tensors[$"{prefix}.{i}"] = tensor(records[i]);
    }

    /// <summary>The records stored by <see cref="AddRecords"/>.</summary>
    public IEnumerable<double[]> GetRecords(string prefix)
    {
        for (int i = 0; i < GetLong($"{prefix}s"); i++) yield return GetTensor($"{prefix}.{i}").data<double>().ToArray();
    }

    /// <summary>Stores an optimiser's moments, step count and learning rate under "name.".</summary>
    public void AddOptimizer(string prefix, GanAdam optimizer)
    {
        foreach (var (key, t) in optimizer.StateTensors()) Tensors[$"{prefix}.{key}"] = t;
        Scalars[$"{prefix}.step"] = optimizer.StepCount;
        Scalars[$"{prefix}.lr"] = optimizer.LearningRate;
    }

    public void LoadOptimizer(string prefix, GanAdam optimizer)
    {
        using var _ = no_grad();
        foreach (var (key, t) in optimizer.StateTensors()) t.copy_(GetTensor($"{prefix}.{key}"));
        optimizer.RestoreCounters(GetLong($"{prefix}.step"), GetScalar($"{prefix}.lr"));
    }

    /// <summary>Stores the state of a <see cref="GanRandom"/> (its four words, as int64).</summary>
    public void AddRandom(string name, GanRandom random) =>
        Tensors[name] = tensor(random.GetState().Select(u => unchecked((long)u)).ToArray());

    /// <summary>Stores the seed a model drew its data order and augmentation from, which a resumed run must share.</summary>
    public void AddDataSeed(long dataSeed) => Scalars["data_seed"] = dataSeed;

    /// <summary>Throws, naming both seeds, when the checkpoint was made with another data seed than <paramref name="dataSeed"/>.</summary>
    public void CheckDataSeed(long dataSeed)
    {
        if (GetLong("data_seed") is var stored && stored != dataSeed)
            throw new InvalidDataException(
                $"It was made with another MLContext seed (its data seed {stored}; this run's {dataSeed}): resume with the same seed.");
    }

    public void LoadRandom(string name, GanRandom random) =>
        random.SetState(GetTensor(name).data<long>().ToArray().Select(l => unchecked((ulong)l)).ToArray());

    public void Save(string path) => AtomicFile.Write(path, temp =>
    {
        using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(Kind);
        w.Write(Fingerprint);
        w.Write(Scalars.Count);
        foreach (var (name, value) in Scalars) { w.Write(name); w.Write(value); }
        w.Write(Tensors.Count);
        foreach (var (name, tensor) in Tensors) WriteTensor(w, name, tensor);
        w.Write(EndMarker);
        w.Flush();
        stream.Flush(flushToDisk: true); // on disk before the rename makes it the checkpoint
    });

    private static void WriteTensor(BinaryWriter w, string name, Tensor tensor)
    {
        using var scope = NewDisposeScope(); // detach, cpu and contiguous may each make a tensor
        var cpu = tensor.detach().cpu().contiguous();
        w.Write(name);
        w.Write((int)cpu.dtype);
        w.Write(cpu.shape.Length);
        foreach (var d in cpu.shape) w.Write(d);
        var bytes = cpu.bytes;
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    /// <summary>Reads a checkpoint, checking that it is one of ours, of <paramref name="expectedKind"/>, and complete.</summary>
    public static Checkpoint Load(string path, string expectedKind)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint file '{path}' does not exist.", path);
        try
        {
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            var magic = r.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException($"'{path}' is not a Microsoft.ML.Gan checkpoint (expected the header 'MLGANCKP').");
            int version = r.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"Checkpoint '{path}' has format version {version}; this library reads version {FormatVersion}.");
            string kind = r.ReadString();
            if (kind != expectedKind)
                throw new InvalidDataException($"Checkpoint '{path}' holds a {kind} model; a {expectedKind} checkpoint was expected.");
            var checkpoint = new Checkpoint(kind, r.ReadString());
            try
            {
                int scalars = r.ReadInt32();
                for (int i = 0; i < scalars; i++) checkpoint.Scalars[r.ReadString()] = r.ReadDouble();
                int tensors = r.ReadInt32();
                for (int i = 0; i < tensors; i++)
                {
                    var (name, tensor) = ReadTensor(r);
                    checkpoint.Tensors[name] = tensor;
                }
                if (r.ReadInt64() != EndMarker)
                    throw new InvalidDataException($"Checkpoint '{path}' is damaged: its end marker is missing.");
                return checkpoint;
            }
            catch
            {
                checkpoint.DisposeTensors();
                throw;
            }
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is truncated ({new FileInfo(path).Length} bytes): it ends before its end marker.");
        }
    }

    /// <summary>Frees the tensors a <see cref="Load"/> read (not those a model lent to <see cref="AddModule"/> and the like).</summary>
    public void DisposeTensors()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }

    private static (string, Tensor) ReadTensor(BinaryReader r)
    {
        string name = r.ReadString();
        var dtype = (ScalarType)r.ReadInt32();
        int rank = r.ReadInt32();
        if (rank < 0 || rank > 16) throw new InvalidDataException($"Tensor '{name}' claims rank {rank}.");
        var shape = new long[rank];
        for (int d = 0; d < rank; d++) shape[d] = r.ReadInt64();
        int length = r.ReadInt32();
        var bytes = r.ReadBytes(length);
        if (bytes.Length != length) throw new EndOfStreamException();
        var tensor = empty(shape, dtype).DetachFromDisposeScope();
        if (tensor.bytes.Length != length)
        {
            tensor.Dispose();
            throw new InvalidDataException($"Tensor '{name}' has {length} bytes for shape [{string.Join(",", shape)}] of {dtype}.");
        }
        tensor.bytes = bytes;
        return (name, tensor);
    }
}
