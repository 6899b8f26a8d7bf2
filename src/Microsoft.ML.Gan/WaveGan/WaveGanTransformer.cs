using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Gan.WaveGan;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// A fitted WaveGAN. <see cref="Transform"/> adds the waveform generated from each row's latent vector (drawn per row
/// when the input has no latent column) and, when the input has the clip column, the critic's score of each clip.
/// <see cref="Generate(int)"/> makes new waveforms; <see cref="AudioFile.WriteWavs"/> writes them as WAV files.
/// A SpecGAN (<see cref="WaveGanArchitecture.SpecGan"/>) does the same: its generated spectrograms are inverted by
/// Griffin-Lim, and the critic scores a clip's normalised spectrogram.
/// </summary>
public sealed class WaveGanTransformer : ITransformer, IDisposable
{
    private readonly IHostEnvironment _env;
    private readonly WaveGanEstimator.Options _options;
    private readonly long _rowLatentSeed;
    private readonly GanRandom _random;
    private readonly Device _device;

    // spectrogram: SpecGAN's front end with the training moments, which the transformer then owns; null for WaveGAN.
    internal WaveGanTransformer(IHostEnvironment env, WaveGanEstimator.Options options, nn.Module<Tensor, Tensor> generator,
        nn.Module<Tensor, Tensor> discriminator, SpecGanTransform? spectrogram, int trainingClips, int skippedClips, long seed)
    {
        (_env, _options, Generator, Discriminator, Spectrogram) = (env, options, generator, discriminator, spectrogram);
        (TrainingClips, SkippedClips) = (trainingClips, skippedClips);
        _random = new GanRandom(seed);
        _rowLatentSeed = _random.NextSeed();
        Generator.eval();
        Discriminator.eval();
        _device = Generator.parameters().First().device;
        WaveformType = new VectorDataViewType(NumberDataViewType.Single, options.SliceLength);
        LatentType = new VectorDataViewType(NumberDataViewType.Single, options.LatentSize);
    }

    internal nn.Module<Tensor, Tensor> Generator { get; }
    internal nn.Module<Tensor, Tensor> Discriminator { get; }
    internal SpecGanTransform? Spectrogram { get; }
    internal VectorDataViewType WaveformType { get; }
    internal VectorDataViewType LatentType { get; }

    /// <summary>The column of generated waveforms.</summary>
    public string OutputColumnName => _options.OutputColumnName;
    /// <summary>The clip column the critic scores, when the input has it.</summary>
    public string InputColumnName => _options.InputColumnName;
    /// <summary>The latent column read, when the input has it.</summary>
    public string LatentColumnName => _options.LatentColumnName;
    /// <summary>The column of critic scores.</summary>
    public string ScoreColumnName => _options.ScoreColumnName;
    /// <summary>Size of a latent vector.</summary>
    public int LatentSize => _options.LatentSize;
    /// <summary>Samples per waveform.</summary>
    public int SliceLength => _options.SliceLength;
    /// <summary>Samples per second of the waveforms (the training audio's rate).</summary>
    public int SampleRate => _options.SampleRate;
    /// <summary>WaveGAN or SpecGAN.</summary>
    public WaveGanArchitecture Architecture => _options.Architecture;
    /// <summary>Clips trained on.</summary>
    public int TrainingClips { get; }
    /// <summary>Silent or empty clips of the training data that were skipped.</summary>
    public int SkippedClips { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => false;

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("WaveGanTransformer maps whole data views; call Transform.");

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        FindLatent(inputSchema);
        var schema = MappedDataView.WithColumn(inputSchema, OutputColumnName, WaveformType);
        return FindClipsOrNull(inputSchema) is null ? schema : MappedDataView.WithColumn(schema, ScoreColumnName, NumberDataViewType.Single);
    }

    /// <summary>The clip column, checked: a vector of <paramref name="length"/> Single values.</summary>
    internal static DataViewSchema.Column FindClips(DataViewSchema schema, string name, int length) =>
        CheckClips(ImageColumn.Find(schema, name, "Input"), length);

    private static DataViewSchema.Column CheckClips(DataViewSchema.Column column, int length)
    {
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(column),
                $"Input column '{column.Name}' has type {column.Type}; expected a vector of {length} Single values (LoadAudio makes one from file paths).");
        if (size != length)
            throw new ArgumentOutOfRangeException(nameof(column),
                $"Input column '{column.Name}' holds {(size == 0 ? "vectors of varying length" : $"{size} samples per row")}; WaveGAN's SliceLength is {length} (LoadAudio with sliceLength: {length} pads or cuts clips to it).");
        return column;
    }

    private DataViewSchema.Column? FindClipsOrNull(DataViewSchema schema) =>
        schema.GetColumnOrNull(InputColumnName) is { } column ? CheckClips(column, SliceLength) : null;

    private DataViewSchema.Column? FindLatent(DataViewSchema schema)
    {
        if (schema.GetColumnOrNull(LatentColumnName) is not { } column) return null;
        if (!column.Type.Equals(LatentType))
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Latent column '{LatentColumnName}' has type {column.Type}; expected a vector of {LatentSize} Single values (U(−1, 1) in training).");
        return column;
    }

    /// <summary>
    /// Adds the waveform column (and the score column when the input has clips), computed lazily row by row. A row
    /// without a latent column gets z ~ U(−1, 1) drawn from the context's seed and the row's position, so re-reading
    /// a row gives the same waveform.
    /// </summary>
    public IDataView Transform(IDataView input)
    {
        var latent = FindLatent(input.Schema);
        var clips = FindClipsOrNull(input.Schema);
        var needs = latent is null ? Array.Empty<string>() : new[] { LatentColumnName };
        IDataView output = new MappedDataView(input, OutputColumnName, WaveformType, row =>
        {
            Func<float[]> readLatent = latent is null ? () => RowLatent(row.Position) : VectorReader(row, row.Schema[latent.Value.Index]);
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => value = new VBuffer<float>(SliceLength, Generate(readLatent())));
        }, needs);
        if (clips is null) return output;
        return new MappedDataView(output, ScoreColumnName, NumberDataViewType.Single, row =>
        {
            var readClip = VectorReader(row, row.Schema[clips.Value.Index]);
            return (ValueGetter<float>)((ref float value) => value = Score(readClip()));
        }, InputColumnName);
    }

    private static Func<float[]> VectorReader(DataViewRow row, DataViewSchema.Column column)
    {
        var get = row.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        return () =>
        {
            get(ref buffer);
            return buffer.DenseValues().ToArray();
        };
    }

    private float[] RowLatent(long position) => UniformLatent(new GanRandom(_rowLatentSeed + position));

    /// <summary>z ~ U(−1, 1), as the official code draws it.</summary>
    private float[] UniformLatent(GanRandom random) =>
        Enumerable.Range(0, LatentSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    /// <summary>
    /// The waveform (<see cref="SliceLength"/> samples) the generator makes from <paramref name="latent"/>: in [−1, 1]
    /// for WaveGAN (its last layer is a tanh); SpecGAN's Griffin-Lim output is not bounded.
    /// </summary>
    public float[] Generate(float[] latent)
    {
        ArgumentNullException.ThrowIfNull(latent);
        if (latent.Length != LatentSize)
            throw new ArgumentException($"A latent vector has {LatentSize} values; got {latent.Length}.", nameof(latent));
        using var scope = NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        using var _ = no_grad();
        var output = Generator.forward(tensor(latent, new long[] { 1, LatentSize }).to(_device));
        if (Spectrogram is not null) output = Spectrogram.ToWaveform(output, _options.GriffinLimIterations);
        return output.cpu().data<float>().ToArray();
    }

    /// <summary>The critic's score of a clip of <see cref="SliceLength"/> samples (no phase shuffle: that is for training).</summary>
    public float Score(float[] clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (clip.Length != SliceLength)
            throw new ArgumentException($"A clip has {SliceLength} samples; got {clip.Length}.", nameof(clip));
        using var scope = NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        using var _ = no_grad();
        var input = tensor(clip, new long[] { 1, 1, SliceLength }).to(_device);
        if (Spectrogram is not null) input = Spectrogram.ToSpectrogram(input);
        return Discriminator.forward(input).item<float>();
    }

    /// <summary>
    /// <paramref name="count"/> new waveforms: a view with the latent column (z ~ U(−1, 1), drawn from the context's
    /// seed; each call draws new ones) and the waveform column, generated as the rows are read.
    /// </summary>
    /// <example>
    /// <code>
    /// var waves = model.Generate(16);
    /// AudioFile.WriteWavs(waves, model.OutputColumnName, "generated", model.SampleRate);
    /// </code>
    /// </example>
    public IDataView Generate(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one waveform.");
        var rows = Enumerable.Range(0, count)
            .Select(_ => new LatentRow { Latent = UniformLatent(_random) })
            .ToList();
        var definition = SchemaDefinition.Create(typeof(LatentRow));
        definition[0].ColumnName = LatentColumnName;
        definition[0].ColumnType = LatentType;
        return Transform(new MLContext().Data.LoadFromEnumerable(rows, definition));
    }

    private sealed class LatentRow
    {
        public float[] Latent { get; set; } = Array.Empty<float>();
    }

    /// <summary>
    /// Writes the generator as an ONNX model (opset 17): input <see cref="LatentColumnName"/> [batch, LatentSize],
    /// output <see cref="OutputColumnName"/> [batch, SliceLength] (in [−1, 1] for WaveGAN; a SpecGAN's model includes
    /// the spectrogram's denormalisation and the Griffin-Lim iterations, unrolled as convolutions, and is not bounded).
    /// </summary>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        BuildOnnx(OutputColumnName).Save(path);
    }

    private OnnxGraphBuilder BuildOnnx(string outputName) => Spectrogram is null
        ? WaveGanOnnx.Build((WaveGanGenerator)Generator, LatentColumnName, outputName)
        : SpecGanOnnx.Build((SpecGanGenerator)Generator, Spectrogram, _options.GriffinLimIterations, LatentColumnName, outputName);

    // Inside the saved ML.NET chain the ONNX output gets its own name, then is copied to the waveform column.
    private string OnnxOutputName => OutputColumnName + ".onnx";

    /// <summary>
    /// Saves an equivalent chain of ML.NET's own transformers (ML.NET gives third parties no way to store their own
    /// weights in a model zip): ApplyOnnxModel over the generator, the output renamed to the waveform column. The zip
    /// loads without Microsoft.ML.Gan and generates the same waveforms from the latent column, which its input must
    /// have; per-row latent draws and the critic's score need this library.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)OnnxEquivalent()).Save(ctx);

    internal ITransformer OnnxEquivalent()
    {
        var ml = new MLContext();
        var bytes = BuildOnnx(OnnxOutputName).ToBytes();
        return ml.Transforms.ApplyOnnxModel(OnnxOutputName, LatentColumnName, new MemoryStream(bytes))
            .Append(ml.Transforms.CopyColumns(OutputColumnName, OnnxOutputName))
            .Append(ml.Transforms.DropColumns(OnnxOutputName))
            .Fit(SchemaOnlyData.Create(LatentColumnName, LatentType));
    }

    /// <summary>Frees the networks' native memory (and SpecGAN's spectrogram front end).</summary>
    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
        Spectrogram?.Dispose();
    }
}
