using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.NetGan;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Gan.WaveGan;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>inference</c>: each GAN's generator at inference, through three paths on the same inputs: (a) the library's
/// TorchSharp modules in eval mode under no_grad (what the transformers call), (b) ONNX Runtime's
/// <see cref="InferenceSession"/> on the file the transformer's <c>ExportOnnx</c> writes, (c) where cheap, the model
/// zip <c>mlContext.Model.Save</c> writes, loaded by a fresh MLContext, Transform and a cursor, in passes over rows
/// (ML.NET feeds ORT one row per call), reported per row.
/// </summary>
/// <remarks>
/// <para>The networks are untrained (each GAN's own initialisation): time per call does not depend on the weights'
/// values. The transformers are built around them with their internal constructors, so no training step runs
/// (NetGAN's, which needs a score matrix from generated walks, comes from a one-iteration Fit).</para>
/// <para>Heavy cases (CycleGAN at 256×256 and every batch above 1) run <c>--heavy-warmup</c> / <c>--heavy-reps</c>
/// calls (1 / 3) and ML.NET passes of <c>--heavy-mlnet-rows</c> (2), so the command takes minutes on 2 cores.</para>
/// <para>TorchSharp and ONNX Runtime are timed in turn (A B A B …) on the same input, so both see the same load; each
/// path's peak RSS is over its own warm-up calls (reset before them, so the process's earlier peaks are left out).</para>
/// <para>Threads: libtorch's intra-op threads and ORT's IntraOpNumThreads are both <c>--threads</c> (default: all
/// logical cores); ORT runs one inter-op thread and does not spin (<c>session.intra_op.allow_spinning</c> 0), to match
/// libtorch under OMP_WAIT_POLICY=PASSIVE. The ML.NET path uses ML.NET's own ORT session (its default threads).</para>
/// <para>oneDNN: the library turns libtorch's oneDNN convolutions off on the CPU unless libtorch runs one thread
/// (<see cref="GanEnvironment.UseCpu"/>: its backward races), and a process that has trained a GAN infers that way.
/// The TorchSharp path here does the same unless <c>--onednn true|false</c> says otherwise; the setting is printed.</para>
/// <para><c>--gpu true</c> moves CycleGAN's, WaveGAN's and SpecGAN's TorchSharp path to CUDA device 0 and asks ONNX Runtime
/// for its CUDA provider (falling back to the CPU one, with the reason printed); SeqGAN and NetGAN stay on the CPU, where
/// their transformers sample with seeded CPU generators.</para>
/// </remarks>
internal static class InferenceBenchmark
{
    private static readonly string[] AllGans = { "cyclegan", "wavegan", "specgan", "seqgan", "netgan" };
    private const string TorchPath = "TorchSharp";
    private const string MlNetPath = "ML.NET zip (Load, Transform, cursor), per row";
    private static readonly RunOptions Unconfigured = new();

    private sealed record Row(string Gan, string Configuration, int Batch, string Path, Summary Ms, double SamplesPerSecond,
        double RssBeforeMiB, double PeakRssMiB, string Agreement, string Load, IReadOnlyList<double> SamplesMs);

    /// <summary>What every case shares: repetitions, threads, device, ONNX Runtime's session options, a scratch folder.</summary>
    private sealed class Context
    {
        public required int Warmup, Reps, HeavyWarmup, HeavyReps, Threads, PassRows, HeavyPassRows;
        public required Device Device;
        public required string OrtProvider;
        public required Func<SessionOptions> OrtOptions;
        public required string Scratch;
        public List<Row> Rows { get; } = new();

        public (int Warmup, int Reps) For(bool heavy) => heavy ? (HeavyWarmup, HeavyReps) : (Warmup, Reps);

        public void Add(Row row)
        {
            Rows.Add(row);
            var s = row.Ms;
            Console.WriteLine(FormattableString.Invariant(
                $"| {row.Gan} | {row.Configuration} | {row.Batch} | {row.Path} | {s.Median:F2} | {s.P25:F2}–{s.P75:F2} | {s.Count} | {row.SamplesPerSecond:G4} | {row.PeakRssMiB:F0} ({row.PeakRssMiB - row.RssBeforeMiB:+0;-0;+0}) | {row.Agreement} | {row.Load} |"));
        }
    }

    public static int Run(CommandOptions o)
    {
        var gans = o.String("gans", string.Join(',', AllGans)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var unknown = gans.Except(AllGans).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"--gans takes {string.Join(", ", AllGans)}; found {string.Join(", ", unknown)}.");
        int warmup = o.Int("warmup", 2), reps = o.Int("reps", 10);
        int heavyWarmup = o.Int("heavy-warmup", Math.Min(warmup, 1)), heavyReps = o.Int("heavy-reps", Math.Min(reps, 3));
        int threads = o.Int("threads", Environment.ProcessorCount);
        int passRows = o.Int("mlnet-rows", 16), heavyPassRows = o.Int("heavy-mlnet-rows", 2);
        string? oneDnn = o.OptionalString("onednn");
        string? output = o.OptionalString("out");
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        if (warmup < 0 || reps < 1 || heavyWarmup < 0 || heavyReps < 1 || threads < 1 || passRows < 1 || heavyPassRows < 1)
            throw new ArgumentException("--warmup and --heavy-warmup are 0 or more; --reps, --heavy-reps, --threads, --mlnet-rows and --heavy-mlnet-rows 1 or more.");

        torch.set_num_threads(threads);
        if (device.type == DeviceType.CPU) GanEnvironment.UseCpu();
        if (oneDnn is not null) LibTorchContext.OneDnnEnabled = bool.Parse(oneDnn);
        bool? oneDnnState = LibTorchContext.OneDnnEnabled;
        var (provider, ortOptions, ortNote) = OrtSessionOptions(device, threads);
        string scratch = Path.Combine(Path.GetTempPath(), $"gan-inference-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        var run = new Context
        {
            Warmup = warmup, Reps = reps, HeavyWarmup = heavyWarmup, HeavyReps = heavyReps, Threads = threads, PassRows = passRows, HeavyPassRows = heavyPassRows,
            Device = device, OrtProvider = provider, OrtOptions = ortOptions, Scratch = scratch,
        };

        var machine = MachineInfo.Now();
        Console.WriteLine($"inference: TorchSharp on {device} (oneDNN {(oneDnnState is { } on ? on ? "on" : "off" : "unknown")}), ONNX Runtime {provider}; " +
            $"{threads} intra-op threads each; {warmup} warm-up + {reps} timed calls ({heavyWarmup} + {heavyReps} for the cases marked heavy); {machine}");
        if (ortNote is not null) Console.WriteLine(ortNote);
        Console.WriteLine("Untrained (randomly initialised) networks: time per call does not depend on the weights.");
        Console.WriteLine("| GAN | configuration | batch | path | ms per call (ML.NET: per row) median | IQR | n | samples/s | peak RSS MiB (+ over start) | agreement with TorchSharp | load after |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        try
        {
            foreach (var gan in gans)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                switch (gan)
                {
                    case "cyclegan":
                        CycleGan(run, 256, 9);
                        CycleGan(run, 128, 6);
                        break;
                    case "wavegan": WaveGan(run, WaveGanArchitecture.WaveGan); break;
                    case "specgan": WaveGan(run, WaveGanArchitecture.SpecGan); break;
                    case "seqgan": SeqGan(run, oneDnnState); break;
                    default: NetGan(run, oneDnnState); break;
                }
                Console.WriteLine(FormattableString.Invariant($"({gan}: {clock.Elapsed.TotalSeconds:F0} s in all, set-up and agreement checks included)"));
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
        if (output is not null)
        {
            ResultFile.WriteJson(output, new
            {
                command = ResultFile.CommandLine(), device = device.ToString(), ortProvider = provider, ortNote, threads,
                oneDnn = oneDnnState, warmup, reps, heavyWarmup, heavyReps, mlnetRows = passRows, heavyMlnetRows = heavyPassRows, machine,
                rows = run.Rows.Select(r => new
                {
                    gan = r.Gan, configuration = r.Configuration, batch = r.Batch, path = r.Path, msPerCall = r.Ms,
                    samplesPerSecond = r.SamplesPerSecond, rssBeforeMiB = r.RssBeforeMiB, peakRssMiB = r.PeakRssMiB,
                    agreement = r.Agreement, loadAfter = r.Load, samplesMs = r.SamplesMs,
                }),
            });
        }
        return 0;
    }

    /// <summary>
    /// CPU: ORT's CPU execution provider with the given threads. <c>--gpu true</c>: the CUDA provider if it can be
    /// created; if not, the CPU one, with the reason (this bench references the CPU package, Microsoft.ML.OnnxRuntime,
    /// whose build has no CUDA provider; GetAvailableProviders is no test, only creating the session options tells).
    /// </summary>
    private static (string Provider, Func<SessionOptions> Options, string? Note) OrtSessionOptions(Device device, int threads)
    {
        SessionOptions Cpu()
        {
            var options = new SessionOptions
            {
                IntraOpNumThreads = threads, InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            return options;
        }
        if (device.type != DeviceType.CUDA) return ("CPU EP", Cpu, null);
        try
        {
            SessionOptions.MakeSessionOptionWithCudaProvider(device.index).Dispose();
            return ("CUDA EP", () => SessionOptions.MakeSessionOptionWithCudaProvider(device.index), null);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            return ("CPU EP (CUDA EP unavailable)", Cpu, $"ONNX Runtime's CUDA execution provider could not be created ({e.GetType().Name}: {e.Message.Split('\n')[0]}); ORT rows use the CPU provider.");
        }
    }

    /// <summary>Times <paramref name="call"/> alone: peak RSS reset before the warm-up, so the peak covers the path's own working memory.</summary>
    private static (List<double> Ms, double RssBefore, double Peak) Time(Action call, int warmup, int reps)
    {
        GC.Collect();
        ProcessMemory.ResetPeak();
        double before = ProcessMemory.ResidentMiB;
        for (int i = 0; i < warmup; i++) call();
        var ms = Enumerable.Range(0, reps).Select(_ => Timing.Milliseconds(call)).ToList();
        return (ms, before, ProcessMemory.PeakResidentMiB);
    }

    /// <summary>
    /// Times two paths A B A B …, so that both see the same load on a shared machine. The peak RSS of each path is
    /// over its own warm-up calls (at least one), each after a reset.
    /// </summary>
    private static ((List<double> Ms, double RssBefore, double Peak) A, (List<double> Ms, double RssBefore, double Peak) B) Interleaved(
        Action a, Action b, int warmup, int reps)
    {
        (double Before, double Peak) WarmUp(Action call)
        {
            GC.Collect();
            ProcessMemory.ResetPeak();
            double before = ProcessMemory.ResidentMiB;
            for (int i = 0; i < Math.Max(warmup, 1); i++) call();
            return (before, ProcessMemory.PeakResidentMiB);
        }
        var memoryA = WarmUp(a);
        var memoryB = WarmUp(b);
        var msA = new List<double>(reps);
        var msB = new List<double>(reps);
        for (int i = 0; i < reps; i++)
        {
            msA.Add(Timing.Milliseconds(a));
            msB.Add(Timing.Milliseconds(b));
        }
        return ((msA, memoryA.Before, memoryA.Peak), (msB, memoryB.Before, memoryB.Peak));
    }

    private static Row Timed(string gan, string configuration, int batch, string path, (List<double> Ms, double RssBefore, double Peak) t, string agreement)
    {
        var s = Summary.Of(t.Ms);
        return new Row(gan, configuration, batch, path, s, batch / (s.Median / 1000), t.RssBefore, t.Peak, agreement, MachineInfo.LoadAverage(), t.Ms);
    }

    private static string MaxAbs(float[] reference, float[] other)
    {
        if (reference.Length != other.Length) return $"shape differs: {other.Length} values, expected {reference.Length}";
        float worst = 0, scale = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(reference[i] - other[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }
        // The output's own size alongside: an untrained generator's outputs can be far below 1.
        return FormattableString.Invariant($"max |Δ| {worst:E1} (max |y| {scale:E1})");
    }

    /// <summary>U(−1, 1) values, the latent distribution WaveGAN trains with; also used as CycleGAN's [−1, 1] pixels.</summary>
    private static float[] Uniform(long count, ulong seed)
    {
        using var draws = new torch.Generator(seed);
        using var values = rand(new[] { count }, generator: draws) * 2 - 1;
        return values.data<float>().ToArray();
    }

    /// <summary>The same forward as the transformers' (tensor in, module, back to a managed array).</summary>
    private static float[] TorchForward(nn.Module<Tensor, Tensor> module, float[] input, long[] shape, Device device, Func<Tensor, Tensor>? after = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var y = module.forward(tensor(input, shape).to(device));
        if (after is not null) y = after(y);
        return y.cpu().data<float>().ToArray();
    }

    private static float[] OrtForward(InferenceSession session, string inputName, float[] input, long[] shape, string outputName)
    {
        using var x = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var outputs = session.Run(Unconfigured, new[] { inputName }, new[] { x }, new[] { outputName });
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>One tensor-in, tensor-out case: paths (a) and (b) on the same input, and their largest difference.</summary>
    private static float[] TensorCase(Context run, string gan, string configuration, int batch, bool heavy, long[] shape,
        Func<float[], float[]> torchForward, InferenceSession session, string inputName, string outputName, ulong seed)
    {
        var input = Uniform(shape.Aggregate(1L, (a, b) => a * b), seed);
        var (warmup, reps) = run.For(heavy);
        string label = heavy ? configuration + " (heavy)" : configuration;
        var ours = torchForward(input);
        var theirs = OrtForward(session, inputName, input, shape, outputName);
        var (torchTimes, ortTimes) = Interleaved(() => torchForward(input), () => OrtForward(session, inputName, input, shape, outputName), warmup, reps);
        run.Add(Timed(gan, label, batch, TorchPath, torchTimes, "reference"));
        run.Add(Timed(gan, label, batch, $"ONNX Runtime {run.OrtProvider}", ortTimes, MaxAbs(ours, theirs)));
        return ours;
    }

    private sealed class VectorRow
    {
        public float[] Values { get; set; } = Array.Empty<float>();
    }

    /// <summary>
    /// Path (c): the saved zip, loaded by a fresh MLContext, over <paramref name="rows"/> rows that all hold
    /// <paramref name="input"/>. ML.NET's cursor over a row mapper computes rows on worker threads ahead of the reader
    /// (its parallel cursors), so the time to read one row is not that row's cost: a call is a whole pass with a fresh
    /// cursor, and the time is reported per row.
    /// </summary>
    private static void MlNetCase(Context run, string gan, string configuration, bool heavy, ITransformer model, string inputColumn,
        float[] input, string outputColumn, float[] reference)
    {
        var (warmup, reps) = run.For(heavy);
        int rowsPerPass = heavy ? run.HeavyPassRows : run.PassRows;
        var definition = SchemaDefinition.Create(typeof(VectorRow));
        definition[0].ColumnName = inputColumn;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, input.Length);
        var ml = new MLContext(1);
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, rowsPerPass).Select(_ => new VectorRow { Values = input }).ToList(), definition);
        string zip = Path.Combine(run.Scratch, $"{gan}.zip");
        ml.Model.Save(model, rows.Schema, zip);
        var view = new MLContext().Model.Load(zip, out _).Transform(rows);
        float[][] last = Array.Empty<float[]>();
        var timed = Time(() => last = view.GetColumn<float[]>(outputColumn).ToArray(), warmup, reps);
        string agreement = last.Length == rowsPerPass ? MaxAbs(reference, last[0]) : $"{last.Length} rows, expected {rowsPerPass}";
        run.Add(PerRow(gan, (heavy ? configuration + " (heavy)" : configuration) + $", passes of {rowsPerPass} rows", timed, rowsPerPass, agreement));
        File.Delete(zip);
    }

    /// <summary>A row of path (c): pass times divided by the rows of a pass.</summary>
    private static Row PerRow(string gan, string configuration, (List<double> Ms, double RssBefore, double Peak) pass, int rowsPerPass, string agreement) =>
        Timed(gan, configuration, 1, MlNetPath, (pass.Ms.Select(ms => ms / rowsPerPass).ToList(), pass.RssBefore, pass.Peak), agreement);

    private static void CycleGan(Context run, int size, int blocks)
    {
        var options = new CycleGanEstimator.Options { InputColumnName = "Pixels", OutputColumnName = "Translated", ResidualBlocks = blocks, ImageHeight = size, ImageWidth = size };
        var generator = new ResnetGenerator(blocks, 3, options.GeneratorFilters);
        // The transformer holds both directions; B→A is never used here, so it is the smallest generator there is.
        var unused = new ResnetGenerator(1, 3, 4);
        using (var init = new torch.Generator(1)) Layers.InitNormal(generator, init);
        generator.to(run.Device);
        var ml = new MLContext(1);
        var schema = SchemaOnlyData.Create(options.InputColumnName, new VectorDataViewType(NumberDataViewType.Single, 3 * size * size)).Schema;
        using var transformer = new CycleGanTransformer(ml, schema, options, new ImageColumnShape(ImageColumnKind.Vector, size, size), generator, unused);
        string onnx = Path.Combine(run.Scratch, "cyclegan.onnx");
        transformer.ExportOnnx(onnx);
        using var session = new InferenceSession(onnx, run.OrtOptions());
        string configuration = $"{size}×{size}, {blocks} blocks, ngf {options.GeneratorFilters}";
        // The larger batch is 2 at 256×256: libtorch's convolutions without oneDNN unfold the input (im2col), which at
        // batch 4 took 3 GiB more than batch 1 here.
        foreach (int batch in new[] { 1, size >= 256 ? 2 : 4 })
        {
            var shape = new long[] { batch, 3, size, size };
            bool heavy = size >= 256 || batch > 1;
            var reference = TensorCase(run, "CycleGAN", configuration, batch, heavy, shape,
                x => TorchForward(transformer.GeneratorA, x, shape, run.Device), session, options.InputColumnName, options.OutputColumnName, (ulong)size);
            if (batch == 1)
                MlNetCase(run, "CycleGAN", configuration, heavy, transformer, options.InputColumnName, Uniform(3L * size * size, (ulong)size), options.OutputColumnName, reference);
        }
        File.Delete(onnx);
    }

    private static void WaveGan(Context run, WaveGanArchitecture architecture)
    {
        bool spec = architecture == WaveGanArchitecture.SpecGan;
        var options = new WaveGanEstimator.Options { Architecture = architecture };
        // SpecGAN's moments come from clips; eight random ones give plausible per-bin scales (the cost does not depend on them).
        using var clips = rand(new long[] { 8, 1, options.SliceLength }, generator: new torch.Generator(2)) * 2 - 1;
        var model = new WaveGanModel(options.ToSettings(run.Device) with { BatchSize = 8 }, clips, run.Device, seed: 1);
        using var transformer = new WaveGanTransformer(new MLContext(1), options, model.Generator, model.Discriminator, model.Spectrogram, 8, 0, seed: 1);
        model.Dispose();
        string gan = spec ? "SpecGAN" : "WaveGAN";
        string onnx = Path.Combine(run.Scratch, $"{gan}.onnx");
        transformer.ExportOnnx(onnx);
        using var session = new InferenceSession(onnx, run.OrtOptions());
        string output = options.OutputColumnName;
        string configuration = FormattableString.Invariant($"d = {options.ModelSize}, z {options.LatentSize} → {options.SliceLength} samples") +
            (spec ? $", G + {options.GriffinLimIterations} Griffin-Lim iterations" : "");
        Func<Tensor, Tensor>? toWaveform = spec ? y => transformer.Spectrogram!.ToWaveform(y, options.GriffinLimIterations) : null;
        foreach (int batch in new[] { 1, 64 })
        {
            var shape = new long[] { batch, options.LatentSize };
            var reference = TensorCase(run, gan, configuration, batch, batch > 1, shape,
                z => TorchForward(transformer.Generator, z, shape, run.Device, toWaveform), session, options.LatentColumnName, output, 3);
            if (batch == 1)
                MlNetCase(run, gan, configuration, false, transformer, options.LatentColumnName, Uniform(options.LatentSize, 3), options.OutputColumnName, reference);
        }
        if (spec) SpecGanParts(run, transformer, options);
        File.Delete(onnx);
    }

    /// <summary>SpecGAN's TorchSharp path at batch 1 split in its two parts: where its time goes.</summary>
    private static void SpecGanParts(Context run, WaveGanTransformer transformer, WaveGanEstimator.Options options)
    {
        var (warmup, reps) = run.For(false);
        var shape = new long[] { 1, options.LatentSize };
        var latent = Uniform(options.LatentSize, 3);
        run.Add(Timed("SpecGAN", "generator alone", 1, TorchPath, Time(() => TorchForward(transformer.Generator, latent, shape, run.Device), warmup, reps), "part of the above"));
        Tensor image;
        using (NewDisposeScope())
        using (no_grad())
            image = transformer.Generator.forward(tensor(latent, shape).to(run.Device)).MoveToOuterDisposeScope();
        using var spectrogram = image;
        void Invert()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            transformer.Spectrogram!.ToWaveform(spectrogram, options.GriffinLimIterations).cpu().data<float>().ToArray();
        }
        run.Add(Timed("SpecGAN", $"{options.GriffinLimIterations} Griffin-Lim iterations alone", 1, TorchPath, Time(Invert, warmup, reps), "part of the above"));
    }

    /// <summary>
    /// SeqGAN at the oracle's size. One call samples <c>batch</c> sequences and scores <c>batch</c> rows with D, because
    /// the saved graph takes one row input for both and computes D's score with the samples. The text output is not
    /// fetched, but ORT by default runs every node whether a fetched output needs it or not (OrtRunOptions'
    /// only_execute_path_to_fetches is off), so its 20 string look-ups are in ORT's time. Sampling draws differ (libtorch's multinomial against the graph's
    /// RandomUniformLike), so the samples are compared by their distribution: mean −log G(x) per token of 1,024 samples
    /// from each, under the TorchSharp generator.
    /// </summary>
    private static void SeqGan(Context run, bool? oneDnn)
    {
        var settings = new SeqGanSettings { VocabularySize = 5000, SequenceLength = 20, BatchSize = 64 };
        using var real = randint(settings.VocabularySize, new long[] { settings.BatchSize, settings.SequenceLength }, generator: new torch.Generator(3), dtype: int64);
        // Sampling and scoring run on the CPU, as the transformer does.
        var model = new SeqGanModel(settings, real, evaluate: null, CPU, seed: 1);
        LibTorchContext.OneDnnEnabled = oneDnn; // the model turns oneDNN off for its training; restore this run's setting
        var tokens = new[] { Vocabulary.PaddingToken, Vocabulary.UnknownToken }.Concat(Enumerable.Range(2, settings.VocabularySize - 2).Select(i => $"w{i}")).ToList();
        var options = new SeqGanEstimator.Options { SequenceLength = settings.SequenceLength, MaxVocabularySize = settings.VocabularySize };
        using var transformer = new SeqGanTransformer(new MLContext(1), options, TextDataViewType.Instance, new Vocabulary(tokens), model.Generator, model.Discriminator, seed: 1);
        model.Dispose();
        string onnx = Path.Combine(run.Scratch, "seqgan.onnx");
        transformer.ExportOnnx(onnx);
        using var session = new InferenceSession(onnx, run.OrtOptions());
        var g = transformer.Generator;
        var d = transformer.Discriminator;
        string configuration = $"vocabulary {settings.VocabularySize}, length {settings.SequenceLength}, sample + D score";
        using var draws = new torch.Generator(4);

        long[] TorchSample(int batch, Tensor rowIds)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var ids = g.Sample(batch, settings.SequenceLength, draws, options.Temperature).data<long>().ToArray();
            d.ProbabilityReal(rowIds).data<float>().ToArray();
            return ids;
        }
        long[] OrtSample(int batch, uint[] keys)
        {
            using var x = OrtValue.CreateTensorValueFromMemory(keys, new long[] { batch, settings.SequenceLength });
            using var outputs = session.Run(Unconfigured, new[] { "keys" }, new[] { x }, new[] { SeqGanOnnx.IdsOutput, options.ScoreColumnName });
            outputs[1].GetTensorDataAsSpan<float>().ToArray();
            return outputs[0].GetTensorDataAsSpan<long>().ToArray();
        }
        double NegativeLogLikelihood(long[] ids)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return -g.TokenLogProbabilities(tensor(ids, new long[] { ids.Length / settings.SequenceLength, settings.SequenceLength })).mean().item<float>();
        }

        foreach (int batch in new[] { 1, 64 })
        {
            // The row input: random token keys (id − 1), the same for both paths.
            var keys = Enumerable.Range(0, batch * settings.SequenceLength).Select(i => (uint)(1 + (i * 7919) % (settings.VocabularySize - 2))).ToArray();
            using var rowIds = tensor(keys.Select(k => (long)k + 1).ToArray(), new long[] { batch, settings.SequenceLength });
            var (warmup, reps) = run.For(false);
            var oursIds = Enumerable.Range(0, 1024 / batch).SelectMany(_ => TorchSample(batch, rowIds)).ToArray();
            var theirIds = Enumerable.Range(0, 1024 / batch).SelectMany(_ => OrtSample(batch, keys)).ToArray();
            string agreement = theirIds.Length == oursIds.Length
                ? FormattableString.Invariant($"random; NLL/token {NegativeLogLikelihood(oursIds):F3} vs {NegativeLogLikelihood(theirIds):F3}")
                : $"shape differs: {theirIds.Length} ids, expected {oursIds.Length}";
            var (torchTimes, ortTimes) = Interleaved(() => TorchSample(batch, rowIds), () => OrtSample(batch, keys), warmup, reps);
            run.Add(Timed("SeqGAN", configuration, batch, TorchPath, torchTimes, "reference (random)"));
            run.Add(Timed("SeqGAN", configuration, batch, $"ONNX Runtime {run.OrtProvider}", ortTimes, agreement));
        }
        SeqGanMlNet(run, transformer, options, configuration);
        File.Delete(onnx);
    }

    /// <summary>Path (c) for SeqGAN: text rows in, generated text and score out (tokenizer, key map and ONNX per row), in passes as <see cref="MlNetCase"/>.</summary>
    private static void SeqGanMlNet(Context run, SeqGanTransformer transformer, SeqGanEstimator.Options options, string configuration)
    {
        var (warmup, reps) = run.For(false);
        var ml = new MLContext(1);
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, run.PassRows)
            .Select(r => new TextRow { Text = string.Join(' ', Enumerable.Range(0, options.SequenceLength).Select(i => $"w{2 + (r * 31 + i * 7919) % 4998}")) }).ToList());
        var ours = transformer.Transform(rows).GetColumn<float>(options.ScoreColumnName).ToArray();
        string zip = Path.Combine(run.Scratch, "seqgan.zip");
        ml.Model.Save(transformer, rows.Schema, zip);
        var view = new MLContext().Model.Load(zip, out _).Transform(rows);
        var text = view.Schema[options.OutputColumnName];
        var score = view.Schema[options.ScoreColumnName];
        var theirs = new List<float>();
        void Pass()
        {
            theirs.Clear();
            using var cursor = view.GetRowCursor(new[] { text, score });
            var getText = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(text);
            var getScore = cursor.GetGetter<VBuffer<float>>(score);
            VBuffer<ReadOnlyMemory<char>> t = default;
            VBuffer<float> s = default;
            while (cursor.MoveNext())
            {
                getText(ref t);
                getScore(ref s);
                theirs.Add(s.GetItemOrDefault(0));
            }
        }
        var timed = Time(Pass, warmup, reps);
        string agreement = theirs.Count == ours.Length
            ? FormattableString.Invariant($"score max |Δ| {ours.Zip(theirs).Max(p => Math.Abs(p.First - p.Second)):E1}; text random")
            : $"{theirs.Count} rows, expected {ours.Length}";
        run.Add(PerRow("SeqGAN", configuration + $" + text, passes of {run.PassRows} rows", timed, run.PassRows, agreement));
        File.Delete(zip);
    }

    private sealed class PairRow
    {
        public int Source { get; set; }
        public int Target { get; set; }
    }

    /// <summary>
    /// NetGAN has no ONNX graph: its saved model holds the score matrix (a value map over node pairs), not the generator.
    /// So two things are timed: TorchSharp's walk generation (the generator, which nothing else runs), and pair scoring
    /// through the transformer's own Transform against the loaded zip's, 10,000 pairs per call.
    /// </summary>
    private static void NetGan(Context run, bool? oneDnn)
    {
        // Cora-ML's size and density (2,810 nodes), synthetic: Cora-ML is fetched, not shipped.
        var graph = NetGanScaleBenchmark.SyntheticGraph(2810, seed: 2810);
        var ml = new MLContext(1);
        var edges = ml.Data.LoadFromEnumerable(graph.Edges().Select(e => new PairRow { Source = e.Source, Target = e.Target }).ToList());
        // One training iteration: enough for a fitted transformer with its score matrix from 5,000 generated walks.
        using var transformer = ml.Transforms.Gan().NetGan(new NetGanEstimator.Options
        {
            MaxIterations = 1, EvaluateEvery = 1000, EvaluationWalks = 500, ScoringWalks = 5_000,
        }).Fit(edges);
        LibTorchContext.OneDnnEnabled = oneDnn; // Fit chose the training setting; restore this run's
        var generator = transformer.Generator;
        string configuration = $"{graph.NodeCount} nodes, walk length 16, paper generator";
        foreach (int batch in new[] { 1, 1000 })
        {
            var (warmup, reps) = run.For(false);
            using var draws = new torch.Generator(5);
            void Walks()
            {
                using var scope = NewDisposeScope();
                var z = randn(new long[] { batch, generator.NoiseSize }, generator: draws);
                generator.Sample(z, 16).to(int64).data<long>().ToArray();
            }
            run.Add(Timed("NetGAN", configuration + ", walks", batch, TorchPath, Time(Walks, warmup, reps), "no ONNX graph for walks"));
        }

        var random = new Random(6);
        var pairs = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10_000).Select(_ => new PairRow { Source = random.Next(graph.NodeCount), Target = random.Next(graph.NodeCount) }).ToList());
        string zip = Path.Combine(run.Scratch, "netgan.zip");
        ml.Model.Save(transformer, pairs.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        float[] Scores(IDataView view) => view.GetColumn<float>("Score").ToArray();
        var ours = Scores(transformer.Transform(pairs));
        var theirs = Scores(loaded.Transform(pairs));
        float worst = ours.Zip(theirs).Max(p => Math.Abs(p.First - p.Second));
        var (w, r) = run.For(false);
        string scoring = $"{graph.NodeCount} nodes, score 10,000 pairs per call";
        var (ourTimes, zipTimes) = Interleaved(() => Scores(transformer.Transform(pairs)), () => Scores(loaded.Transform(pairs)), w, r);
        run.Add(Timed("NetGAN", scoring, 10_000, "NetGanTransformer.Transform", ourTimes, "reference"));
        run.Add(Timed("NetGAN", scoring, 10_000, "ML.NET zip (value map, no ORT)", zipTimes, FormattableString.Invariant($"max |Δ| {worst:E1}")));
        File.Delete(zip);
    }
}
