using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.NetGan;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>steps</c>: the training step of each GAN, on the library's own models driven as their training loops drive
/// them (every loss read each step), at the papers' configurations (<c>--config paper</c>) or at small ones a 2-core
/// CPU times in a minute (<c>--config small</c>). Per case: median and spread of <c>--reps</c> steps after
/// <c>--warmup</c> untimed ones, the process's peak RSS (reset per case) and, on CUDA, the device memory in use
/// (<see cref="GpuMemory"/>). bench/pytorch has the same steps in PyTorch for the C# / PyTorch ratio.
/// <c>--read-every N</c> is the lever <see cref="GanTrainerOptions.LossReadInterval"/>: the CycleGAN, NetGAN and WaveGAN
/// losses are read (a host–device synchronisation) after every N-th step only, and one timed sample is N steps divided by N.
/// </summary>
/// <remarks>
/// What one step is, per GAN:
/// <list type="bullet">
/// <item>CycleGAN: G update then D update with augmentation and the history pool (<see cref="StepBenchmark"/>).</item>
/// <item>SeqGAN: its adversarial phase split in two parts, timed separately: the generator step (sample a batch,
/// rewards from the rollouts, policy-gradient update) and one discriminator batch. The model is built with no
/// pretraining and a round of one discriminator epoch over one batch of real sequences (random tokens: the step's
/// cost does not depend on them), so every third step is a generator step; the discriminator step that samples the
/// round's negatives is left out, as the paper's rounds sample them once for 3 × 312 batches.</item>
/// <item>NetGAN: one generator update and three critic updates (WGAN-GP) on random walks of the graph.</item>
/// <item>WaveGAN: five critic updates (WGAN-GP) and one generator update on random clips.</item>
/// </list>
/// </remarks>
internal static class StepsBenchmark
{
    private static readonly string[] AllGans = { "cyclegan", "seqgan", "netgan", "wavegan" };

    private sealed record Part(string Name, List<double> Ms);

    private sealed record Case(string Gan, string Shape, long GeneratorParameters, long DiscriminatorParameters, IReadOnlyList<Part> Parts);

    public static int Run(CommandOptions o)
    {
        string config = o.String("config", "small");
        if (config is not ("small" or "paper")) throw new ArgumentException($"--config is 'small' or 'paper'; found '{config}'.");
        bool paper = config == "paper";
        var gans = o.String("gans", string.Join(',', AllGans)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var unknown = gans.Except(AllGans).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"--gans takes {string.Join(", ", AllGans)}; found {string.Join(", ", unknown)}.");
        int warmup = o.Int("warmup", 3), reps = o.Int("reps", 10), readEvery = o.Int("read-every", 1);
        if (readEvery < 1) throw new ArgumentException($"--read-every is {readEvery}; expected 1 or more.");
        string edges = o.String("edges", "examples/data/cora_ml/cora_ml_lcc.edges");
        // WaveGAN at another size than the configuration's (small: d = 8, batch 8; paper: d = 64, batch 64).
        int? waveGanModelSize = o.OptionalInt("wavegan-model-size"), waveGanBatch = o.OptionalInt("wavegan-batch");
        string? output = o.OptionalString("out");
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        if (paper && gans.Contains("netgan") && !File.Exists(edges))
            throw new ArgumentException($"--edges: NetGAN's paper configuration trains on Cora-ML; '{edges}' does not exist.");

        var machine = MachineInfo.Now();
        Console.WriteLine($"steps --config {config} on {device}: cuDNN autotuning {(GpuOptions.CuDnnBenchmark ? "on" : "off")}, TF32 matmul {(GpuOptions.Tf32 ? "on" : "off")}, flat Adam {GpuOptions.FlatAdamSetting}, forward passes in {(GpuOptions.MixedPrecision ? "bfloat16 (autocast; WaveGAN, CycleGAN)" : "float32")}, WaveGAN critic's convolutions {GpuOptions.ConvolutionForm}, WaveGAN generator's {(GpuOptions.GeneratorMatrixProducts ? "as matrix products" : "direct")}, host-to-GPU copies {(GpuOptions.NonBlockingCopies ? "non-blocking (CycleGAN, WaveGAN)" : "blocking")}, losses read every {readEvery} step(s), glibc malloc {(GlibcMalloc.KeepFreedMemory() ? "keeps freed memory" : "default")}, oneDNN on the CPU {(Core.GanEnvironment.OneDnnForCpuTraining ? "on (--onednn true)" : "off")}, NetGAN critic in {(GpuOptions.CriticInOnePass is { } onePass ? (onePass ? "one pass" : "three passes") : "one pass on a GPU, three on the CPU")}, CUDA graphs {(GpuOptions.CudaGraphs is { } graphs ? (graphs ? "on (NetGAN, CycleGAN, SeqGAN's D and MLE updates)" : "off") : "the library's default: on a GPU for NetGAN, CycleGAN, SeqGAN's D and MLE updates")}, NetGAN critic's walks drawn {(GpuOptions.CriticWalkDraw is { } draw ? $"by {draw}" : "by the inverse distribution on the CPU, Gumbel-max on a GPU")}, {warmup} warm-up + {reps} timed steps; {machine}");
        Console.WriteLine("| GAN | configuration | part | G / D parameters | ms median | IQR | min–max | peak RSS MiB | GPU MiB in use | load after |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        var results = new List<object>();
        foreach (var gan in gans)
        {
            bool peakReset = ProcessMemory.ResetPeak();
            var c = gan switch
            {
                "cyclegan" => CycleGan(paper, warmup, reps, readEvery, device),
                "seqgan" => SeqGan(paper, warmup, reps, device),
                "netgan" => NetGan(paper, edges, warmup, reps, readEvery, device),
                _ => WaveGan(paper, waveGanModelSize, waveGanBatch, warmup, reps, readEvery, device),
            };
            foreach (var one in c)
            {
                double peak = ProcessMemory.PeakResidentMiB;
                double? gpu = GpuMemory.UsedMiB(device);
                string load = MachineInfo.LoadAverage();
                foreach (var part in one.Parts)
                {
                    var s = Summary.Of(part.Ms);
                    Console.WriteLine(FormattableString.Invariant(
                        $"| {one.Gan} | {one.Shape} | {part.Name} | {one.GeneratorParameters:N0} / {one.DiscriminatorParameters:N0} | {s.Median:F1} | {s.P25:F1}–{s.P75:F1} | {s.Min:F1}–{s.Max:F1} | {peak:F0}{(peakReset ? "" : " (process)")} | {(gpu is { } g ? g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) : "–")} | {load} |"));
                    results.Add(new
                    {
                        gan = one.Gan, configuration = one.Shape, part = part.Name, generatorParameters = one.GeneratorParameters,
                        discriminatorParameters = one.DiscriminatorParameters, msPerStep = s, samplesMs = part.Ms,
                        peakRssMiB = peak, peakIsPerGan = peakReset, gpuMiBInUse = gpu, loadAfter = load,
                    });
                }
                // A GAN with two configurations (CycleGAN's paper sizes) shares one reset: the second row's peak covers both.
            }
        }
        if (output is not null)
        {
            ResultFile.WriteJson(output, new
            {
                command = ResultFile.CommandLine(), config, device = device.ToString(), cudnnBenchmark = GpuOptions.CuDnnBenchmark,
                flatAdam = GpuOptions.FlatAdam, tf32 = GpuOptions.Tf32, mixedPrecision = GpuOptions.MixedPrecision, cudaGraphs = GpuOptions.CudaGraphs,
                nonBlockingCopies = GpuOptions.NonBlockingCopies, readEvery, warmup, reps, machine, results,
            });
        }
        return 0;
    }

    private static long Count(params torch.nn.Module[] modules) => modules.Sum(m => m.parameters().Sum(p => p.numel()));

    /// <summary>Times <paramref name="step"/>, each call in its own dispose scope (<see cref="Timing.StepsReadEvery"/>).</summary>
    private static List<double> Time(Func<IReadOnlyList<(string Name, torch.Tensor Value)>> step, int warmup, int reps, int readEvery) =>
        Timing.StepsReadEvery(read =>
        {
            using var scope = torch.NewDisposeScope();
            var losses = step();
            if (read) Read(losses);
        }, warmup, reps, readEvery);

    /// <summary>Reads every loss as the training loop does (NaN check, progress); on a GPU this waits for the step.</summary>
    private static void Read(IReadOnlyList<(string Name, torch.Tensor Value)> losses)
    {
        foreach (var (_, value) in losses) value.item<float>();
    }

    private static IEnumerable<Case> CycleGan(bool paper, int warmup, int reps, int readEvery, torch.Device device)
    {
        // The paper's 256×256 networks have 9 residual blocks, the 128×128 ones 6 (Zhu et al., appendix 7.2).
        var configs = paper
            ? new[] { new NetworkConfig(256, 9, 64, 64, 1, 50), new NetworkConfig(128, 6, 64, 64, 1, 50) }
            : new[] { new NetworkConfig(32, 2, 16, 16, 1, 50) };
        foreach (var config in configs)
        {
            long g = 0, d = 0;
            var ms = StepBenchmark.TimeSteps(config, warmup, reps, oneDnn: false, device,
                model => (g, d) = (Count(model.GeneratorA, model.GeneratorB), Count(model.DiscriminatorA, model.DiscriminatorB)), readEvery);
            yield return new Case("CycleGAN", config.ToString(), g, d, new[] { new Part("G + D step", ms) });
        }
    }

    private static IEnumerable<Case> SeqGan(bool paper, int warmup, int reps, torch.Device device)
    {
        var settings = new SeqGanSettings
        {
            VocabularySize = paper ? 5000 : 500,
            SequenceLength = 20,
            BatchSize = paper ? 64 : 32,
            RolloutCount = paper ? 16 : 4,
            PretrainEpochs = 0,
            DiscriminatorPretrainRounds = 0,
            AdversarialRounds = 1_000_000,
            AdversarialDiscriminatorRounds = 1,
            DiscriminatorEpochsPerRound = 1,
            FlatAdam = GpuOptions.FlatAdam,
            CudaGraphs = GpuOptions.CudaGraphs,
        };
        using var draws = new torch.Generator(3);
        using var real = torch.randint(settings.VocabularySize, new long[] { settings.BatchSize, settings.SequenceLength }, generator: draws, dtype: torch.int64);
        var model = new SeqGanModel(settings, real, evaluate: null, device, seed: 1);
        try
        {
            var random = new GanRandom(2);
            var generatorMs = new List<double>();
            var discriminatorMs = new List<double>();
            for (int round = 0; round < warmup + reps; round++)
            {
                // A round: the generator step, the discriminator step that samples the round's negatives, one more.
                double g = Timing.Milliseconds(() => Step(model, random, "G_adv"));
                Step(model, random, "D");
                double d = Timing.Milliseconds(() => Step(model, random, "D"));
                if (round < warmup) continue;
                generatorMs.Add(g);
                discriminatorMs.Add(d);
            }
            string shape = $"vocabulary {settings.VocabularySize}, length {settings.SequenceLength}, batch {settings.BatchSize}, {settings.RolloutCount} rollouts";
            yield return new Case("SeqGAN", shape, Count(model.Generator), Count(model.Discriminator), new[]
            {
                new Part($"G adversarial step ({settings.RolloutCount} rollouts)", generatorMs),
                new Part("D step", discriminatorMs),
            });
        }
        finally
        {
            model.Dispose();
            model.Generator.Dispose();
            model.Discriminator.Dispose();
        }
    }

    private static void Step(SeqGanModel model, GanRandom random, string expected)
    {
        using var scope = torch.NewDisposeScope();
        var losses = model.TrainStep(random);
        // The round's layout is the model's; a change there must not silently time the wrong step.
        if (losses[0].Name != expected) throw new InvalidOperationException($"Expected a {expected} step, got {losses[0].Name}.");
        Read(losses);
    }

    private static IEnumerable<Case> NetGan(bool paper, string edges, int warmup, int reps, int readEvery, torch.Device device)
    {
        var graph = paper ? GraphFiles.ReadEdgeList(edges).Graph : NetGanScaleBenchmark.SyntheticGraph(500, seed: 500);
        var settings = new NetGanSettings
        {
            BatchSize = paper ? 128 : 32, FlatAdam = GpuOptions.FlatAdam, CriticInOnePass = GpuOptions.CriticInOnePass, CudaGraphs = GpuOptions.CudaGraphs,
            CriticWalkDraw = GpuOptions.CriticWalkDraw,
        };
        var walker = new RandomWalker(graph, settings.WalkLength, settings.BatchSize);
        var model = new NetGanModel(settings, graph.NodeCount,
            NetGanModel.RealWalksFrom(walker),
            (_, _) => null, _ => false, device, seed: 1);
        try
        {
            var random = new GanRandom(2);
            var ms = Time(() => model.TrainStep(random), warmup, reps, readEvery);
            string shape = paper ? $"Cora-ML ({graph.NodeCount} nodes), batch {settings.BatchSize}" : $"synthetic {graph.NodeCount} nodes, batch {settings.BatchSize}";
            yield return new Case("NetGAN", shape, Count(model.Generator), Count(model.Discriminator),
                new[] { new Part($"1 G + {settings.DiscriminatorSteps} D steps", ms) });
        }
        finally
        {
            model.Dispose();
            model.Generator.Dispose();
        }
    }

    private static IEnumerable<Case> WaveGan(bool paper, int? modelSize, int? batch, int warmup, int reps, int readEvery, torch.Device device)
    {
        var settings = new WaveGanSettings { BatchSize = batch ?? (paper ? 64 : 8), ModelSize = modelSize ?? (paper ? 64 : 8), FlatAdam = GpuOptions.FlatAdam, MixedPrecision = GpuOptions.MixedPrecision,
            NonBlockingCopies = GpuOptions.NonBlockingCopies, ConvolutionForm = GpuOptions.ConvolutionForm,
            GeneratorMatrixProducts = GpuOptions.GeneratorMatrixProducts };
        using var draws = new torch.Generator(3);
        // One step's worth of random clips: the step's cost does not depend on the audio.
        using var clips = torch.rand(new long[] { settings.BatchSize * settings.DiscriminatorUpdates, 1, settings.SliceLength }, generator: draws) * 2 - 1;
        var model = new WaveGanModel(settings, clips, device, seed: 1);
        try
        {
            model.BeginEpoch(1);
            var random = new GanRandom(2);
            var ms = Time(() => model.TrainStep(random), warmup, reps, readEvery);
            string shape = $"{settings.SliceLength} samples, d = {settings.ModelSize}, batch {settings.BatchSize}";
            yield return new Case("WaveGAN", shape, Count(model.Generator), Count(model.Discriminator),
                new[] { new Part($"{settings.DiscriminatorUpdates} D + 1 G steps", ms) });
        }
        finally
        {
            model.Dispose();
            model.Generator.Dispose();
            model.Discriminator.Dispose();
        }
    }
}
