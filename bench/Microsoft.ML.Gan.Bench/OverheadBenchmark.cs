using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.NetGan;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>overhead</c>: wall time of <c>Fit</c> (estimator, data in an <see cref="IDataView"/>) against
/// <see cref="BareCycleGan"/> for the same steps on the same images, run alternately (A B A B …) so that a change in
/// the machine's load hits both. <c>--gan wavegan</c>: WaveGAN's <c>Fit</c> against the library's own WaveGAN model
/// driven by a plain loop (build it, then train step after step, reading the losses after each as Fit does), which
/// is what Fit adds around the model: reading the data view, progress, divergence checks, the no-GC guard.
/// <c>--gan seqgan</c>: the same for SeqGAN's whole schedule (<see cref="RunSeqGan"/>); <c>--gan netgan</c> for NetGAN on
/// Cora-ML (<see cref="RunNetGan"/>).
/// </summary>
internal static class OverheadBenchmark
{
    private sealed class Row
    {
        public float[] Image { get; set; } = Array.Empty<float>();
        public bool IsB { get; set; }
    }

    public static int Run(CommandOptions o)
    {
        switch (o.String("gan", "cyclegan"))
        {
            case "wavegan": return RunWaveGan(o);
            case "seqgan": return RunSeqGan(o);
            case "netgan": return RunNetGan(o);
            case "cyclegan": break;
            case var other: throw new ArgumentException($"--gan takes cyclegan, wavegan, seqgan or netgan; found '{other}'.");
        }
        var config = NetworkConfig.Read(o, size: 64, blocks: 6, ngf: 64, ndf: 64);
        int images = o.Int("images", 10), steps = o.Int("steps", 20), rounds = o.Int("rounds", 5);
        string? output = o.OptionalString("out");
        o.RejectUnknown();
        int perEpoch = (images + config.Batch - 1) / config.Batch;
        if (steps % perEpoch != 0)
            throw new ArgumentException($"--steps {steps} must be a multiple of the {perEpoch} steps of an epoch (--images / --batch), since Fit runs whole epochs.");

        var imagesA = SyntheticImages.Generate(images, config.Size, seed: 1);
        var imagesB = SyntheticImages.Generate(images, config.Size, seed: 2);
        var machine = MachineInfo.Now();
        Console.WriteLine($"overhead: {config}, {images} images per domain, {steps} steps per run, {rounds} rounds; {machine}");

        return Rounds(n => FitOnce(imagesA, imagesB, config, perEpoch, n), n => BareOnce(imagesA, imagesB, config, n), "bare", perEpoch,
            steps, rounds, output, machine, new { gan = "cyclegan", config, images });
    }

    /// <summary>Milliseconds of a whole <c>Fit</c>: reading the data view, building, training, making the transformer.</summary>
    private static double FitOnce(float[][] imagesA, float[][] imagesB, NetworkConfig config, int perEpoch, int steps)
    {
        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, imagesA[0].Length);
        var rows = imagesA.Select(x => new Row { Image = x, IsB = false }).Concat(imagesB.Select(x => new Row { Image = x, IsB = true }));
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var options = config.ToOptions();
        options.InputColumnName = nameof(Row.Image);
        options.DomainColumnName = nameof(Row.IsB);
        // All epochs at the constant rate but the last (the schedule's last epoch always runs at rate 0): same work either way.
        options.Epochs = steps / perEpoch;
        options.DecayEpochs = 0;
        GC.Collect();
        return Measure(() => ml.Transforms.Gan().CycleGan(options).Fit(data).Dispose());
    }

    private static double BareOnce(float[][] imagesA, float[][] imagesB, NetworkConfig config, int steps)
    {
        // As Fit does on the CPU (LibTorchContext says why); a bare loop on this libtorch needs it too.
        LibTorchContext.OneDnnEnabled = false;
        GC.Collect();
        return Measure(() => BareCycleGan.Train(imagesA, imagesB, config, steps, seed: 1));
    }

    private static int RunWaveGan(CommandOptions o)
    {
        const int length = 16384;
        int clips = o.Int("clips", 40), modelSize = o.Int("model-size", 4), batch = o.Int("batch", 4);
        int steps = o.Int("steps", 10), rounds = o.Int("rounds", 5);
        string? output = o.OptionalString("out");
        o.RejectUnknown();
        var options = new WaveGanEstimator.Options { ModelSize = modelSize, BatchSize = batch };
        int perEpoch = clips / (batch * options.DiscriminatorUpdates);
        if (perEpoch == 0 || steps % perEpoch != 0)
            throw new ArgumentException($"--steps {steps} must be a multiple of the {perEpoch} steps of an epoch (--clips / (--batch × 5)), since Fit runs whole epochs.");
        var audio = SyntheticClips.Generate(clips, length);
        var machine = MachineInfo.Now();
        Console.WriteLine($"overhead --gan wavegan: {clips} clips, model size {modelSize}, batch {batch}, {steps} steps (5 critic + 1 generator updates each) per run, {rounds} rounds; {machine}");

        double Fit(int n)
        {
            var ml = new MLContext(seed: 1);
            var data = SyntheticClips.Load(ml, audio);
            var o = options.Clone();
            o.Epochs = n / perEpoch;
            GC.Collect();
            return Measure(() => ml.Transforms.Gan().WaveGan(o).Fit(data).Dispose());
        }
        double Loop(int n)
        {
            var device = GanEnvironment.UseCpu();
            GC.Collect();
            return Measure(() =>
            {
                using var tensor = torch.tensor(audio.SelectMany(clip => clip).ToArray(), new long[] { clips, 1, length });
                var settings = options.ToSettings(device) with { Epochs = n / perEpoch };
                using var model = new WaveGanModel(settings, tensor, device, seed: 1);
                var draws = new GanRandom(2);
                for (int step = 0; step < n; step++)
                {
                    if (step % model.StepsPerEpoch == 0) model.BeginEpoch(step / (int)model.StepsPerEpoch + 1);
                    using var scope = torch.NewDisposeScope();
                    foreach (var (_, loss) in model.TrainStep(draws)) loss.item<float>();
                }
                model.Generator.Dispose();
                model.Discriminator.Dispose();
            });
        }
        return Rounds(Fit, Loop, "loop", perEpoch, steps, rounds, output, machine, new { gan = "wavegan", clips, modelSize, batch });
    }

    /// <summary>
    /// SeqGAN: its whole schedule (MLE epochs, discriminator rounds, adversarial rounds) through Fit, against the same
    /// schedule of the library's model in a plain loop that starts from the same text rows (tokenised and encoded as Fit
    /// does, so that the difference is Fit's own machinery).
    /// </summary>
    private static int RunSeqGan(CommandOptions o)
    {
        int lines = o.Int("lines", 64), length = o.Int("length", 20), words = o.Int("words", 500), batch = o.Int("batch", 32);
        int rounds = o.Int("rounds", 5);
        // A diagnostic: the loop opens the no-GC scope around each step, as Fit's loop does (see NoGarbageCollection).
        bool loopGuard = o.Flag("loop-guard");
        string? output = o.OptionalString("out");
        var options = new SeqGanEstimator.Options
        {
            SequenceLength = length, BatchSize = batch, RolloutCount = 4, PretrainEpochs = o.Int("mle-epochs", 10),
            DiscriminatorPretrainRounds = o.Int("d-pretrain-rounds", 5), DiscriminatorEpochsPerRound = 1,
            AdversarialRounds = o.Int("adversarial-rounds", 10), AdversarialDiscriminatorRounds = 1,
            DiscriminatorFilters = new[] { (1, 16), (2, 16), (3, 16), (5, 16), (10, 16), (20, 16) },
        };
        o.RejectUnknown();
        var rows = SyntheticText.Lines(lines, length, words);
        var machine = MachineInfo.Now();
        int steps = 0;
        double Fit(int _)
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(rows);
            GC.Collect();
            return Measure(() => ml.Transforms.Gan().SeqGan(options).Fit(data).Dispose());
        }
        double Loop(int _)
        {
            var device = GanEnvironment.UseCpu();
            var data = new MLContext(seed: 1).Data.LoadFromEnumerable(rows);
            GC.Collect();
            return Measure(() =>
            {
                var (sequences, _, _) = TokenColumn.ReadAll(data, nameof(TextRow.Text), options.Tokenizer, CancellationToken.None);
                var (vocabulary, _, _) = Vocabulary.Build(sequences, options.MaxVocabularySize);
                using var real = vocabulary.EncodeAll(sequences, length);
                using var model = new SeqGanModel(options.ToSettings(vocabulary), real, null, device, seed: 1);
                var draws = new GanRandom(2);
                steps = (int)model.StepsPerEpoch;
                model.BeginEpoch(1);
                for (int step = 0; step < steps; step++)
                {
                    using var noCollection = loopGuard ? NoGarbageCollection.Begin() : default;
                    using var scope = torch.NewDisposeScope();
                    foreach (var (_, loss) in model.TrainStep(draws)) loss.item<float>();
                }
                model.Generator.Dispose();
                model.Discriminator.Dispose();
            });
        }
        Loop(0);
        Console.WriteLine($"overhead --gan seqgan: {lines} lines of {length} words from {words}, batch {batch}, {options.RolloutCount} rollouts, "
            + $"{options.PretrainEpochs} MLE epochs, {options.DiscriminatorPretrainRounds} D rounds, {options.AdversarialRounds} adversarial rounds: {steps} steps per run, {rounds} rounds; {machine}");
        return Rounds(Fit, Loop, "loop", 0, steps, rounds, output, machine,
            new { gan = "seqgan", lines, length, words, batch, options.RolloutCount, options.PretrainEpochs, options.DiscriminatorPretrainRounds, options.AdversarialRounds, loopGuard });
    }

    /// <summary>
    /// NetGAN on a graph file (Cora-ML by default) at the paper's settings: Fit against the library's model in a plain
    /// loop that does what Fit does with the same edges: build the graph, split it, train the iterations reading the
    /// losses after each, evaluate after the last one (Fit's schedule with EvaluateEvery = the iterations), and sample
    /// the walks behind the scores. Fewer evaluation and scoring walks than Fit's defaults by default, so that training
    /// weighs in the comparison; both sides sample the same number.
    /// </summary>
    private static int RunNetGan(CommandOptions o)
    {
        string edgesPath = o.String("edges", "examples/data/cora_ml/cora_ml_lcc.edges");
        int steps = o.Int("steps", 20), rounds = o.Int("rounds", 5);
        var options = new NetGanEstimator.Options { EvaluationWalks = o.Int("eval-walks", 10_000), ScoringWalks = o.Int("scoring-walks", 10_000) };
        string? output = o.OptionalString("out");
        o.RejectUnknown();
        var graph = GraphFiles.ReadEdgeList(edgesPath).Graph;
        var edges = graph.Edges().ToList();
        var machine = MachineInfo.Now();
        Console.WriteLine($"overhead --gan netgan: {Path.GetFileName(edgesPath)}, {graph.NodeCount} nodes, {edges.Count} edges, batch {options.BatchSize}, "
            + $"{steps} iterations (1 G + 3 D steps each) per run, an evaluation of {options.EvaluationWalks:N0} walks after the last, {options.ScoringWalks:N0} scoring walks, {rounds} rounds; {machine}");

        // n iterations, evaluated after the last.
        NetGanEstimator.Options OptionsFor(int n)
        {
            var run = options.Clone();
            (run.MaxIterations, run.EvaluateEvery) = (n, n);
            return run;
        }
        double Fit(int n)
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(EdgeRow.Of(edges));
            var fitOptions = OptionsFor(n);
            GC.Collect();
            return Measure(() => ml.Transforms.Gan().NetGan(fitOptions).Fit(data).Dispose());
        }
        double Loop(int n)
        {
            var device = GanEnvironment.UseCpu();
            GC.Collect();
            return Measure(() =>
            {
                var split = GraphSplit.Create(Graph.FromEdges(edges).Graph, options.ValidationFraction, options.TestFraction, seed: 1);
                var walker = new RandomWalker(split.Train, options.WalkLength, options.BatchSize);
                var model = new NetGanModel(OptionsFor(n).ToSettings(split.Train.Fingerprint()), graph.NodeCount,
                    NetGanModel.RealWalksFrom(walker),
                    (m, step) => NetGanEstimator.Evaluate(m, step, split, options.EvaluationWalks),
                    evaluations => evaluations[^1].EdgeOverlap >= options.EdgeOverlapTarget, device, seed: 1);
                try
                {
                    var draws = new GanRandom(2);
                    for (int step = 1; step <= n; step++)
                    {
                        using (var scope = torch.NewDisposeScope())
                            foreach (var (_, loss) in model.TrainStep(draws)) loss.item<float>();
                        if (model.ShouldStop(step)) break;
                    }
                    NetGanEstimator.SampleTransitions(model, options.ScoringWalks);
                }
                finally
                {
                    model.Dispose();
                    model.Generator.Dispose();
                }
            });
        }
        return Rounds(Fit, Loop, "loop", 1, steps, rounds, output, machine,
            new { gan = "netgan", edges = edgesPath, nodes = graph.NodeCount, edgeCount = edges.Count, options.BatchSize, options.EvaluationWalks, options.ScoringWalks });
    }

    /// <summary>
    /// One untimed run of each (JIT, libtorch's first-call set-up and page faults stay out of the rounds), then
    /// <paramref name="rounds"/> rounds of Fit and the comparison run (<paramref name="other"/>: "bare" or "loop"),
    /// alternating which goes first so that neither always runs on a machine the other has just warmed.
    /// </summary>
    private static int Rounds(Func<int, double> fitOnce, Func<int, double> otherOnce, string other, int warmSteps, int steps, int rounds,
        string? output, object machine, object config)
    {
        fitOnce(warmSteps);
        otherOnce(warmSteps);
        var fit = new List<double>();
        var bare = new List<double>();
        var fitCpu = new List<double>();
        var bareCpu = new List<double>();
        CpuMs.Clear();
        GcPauseMs.Clear();
        FullCollections.Clear();
        MinorFaults.Clear();
        for (int round = 0; round < rounds; round++)
        {
            foreach (bool fitNow in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
            {
                (fitNow ? fit : bare).Add((fitNow ? fitOnce : otherOnce)(steps));
                (fitNow ? fitCpu : bareCpu).Add(CpuMs[^1]);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            // Both runs dispose what they made. The count still grows by the parameters the two runs made (120 for
            // CycleGAN at 32×32 with 2 blocks): TorchSharp counts a module's parameter twice when it is made (the tensor,
            // then the Parameter that takes over its handle) and once when it is disposed. Growth beyond that would be a leak.
            // The last two runs' garbage collection, in the order they ran.
            var (pauses, collections, faults) = (GcPauseMs.TakeLast(2).ToArray(), FullCollections.TakeLast(2).ToArray(), MinorFaults.TakeLast(2).ToArray());
            Console.WriteLine(FormattableString.Invariant($"round {round + 1}: Fit {fit[^1] / 1000:F2} s, {other} {bare[^1] / 1000:F2} s, ratio {fit[^1] / bare[^1]:F3}; CPU Fit {fitCpu[^1] / 1000:F2} s, {other} {bareCpu[^1] / 1000:F2} s, ratio {fitCpu[^1] / bareCpu[^1]:F3}; GC pauses {(round % 2 == 0 ? "Fit, " + other : other + ", Fit")} {pauses[0]:F1} / {pauses[1]:F1} ms, generation-2 collections {collections[0]} / {collections[1]}, minor page faults {faults[0]} / {faults[1]}; live tensors {TorchTensors.Live}, load {MachineInfo.LoadAverage()}"));
        }
        var fitS = Summary.Of(fit.Select(ms => ms / steps));
        var bareS = Summary.Of(bare.Select(ms => ms / steps));
        var ratios = Summary.Of(fit.Zip(bare, (f, b) => f / b));
        double ratio = fitS.Median / bareS.Median;
        var fitCpuS = Summary.Of(fitCpu.Select(ms => ms / steps));
        var bareCpuS = Summary.Of(bareCpu.Select(ms => ms / steps));
        double cpuRatio = fitCpuS.Median / bareCpuS.Median;
        var cpuRatios = Summary.Of(fitCpu.Zip(bareCpu, (f, b) => f / b));
        Console.WriteLine($"Fit ms/step: {fitS}");
        Console.WriteLine($"{other} ms/step: {bareS}");
        Console.WriteLine($"Fit CPU ms/step: {fitCpuS}");
        Console.WriteLine($"{other} CPU ms/step: {bareCpuS}");
        Console.WriteLine(FormattableString.Invariant($"wall: ratio of medians {ratio:F3}, per-round ratios {ratios}; CPU: ratio of medians {cpuRatio:F3}, per-round ratios {cpuRatios}; load {MachineInfo.LoadAverage()}"));
        // The field names of the first (CycleGAN) results: "bare" is the comparison run whichever it is.
        if (output is not null)
            ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), machine, config, comparison = other, steps, rounds, fitMsPerStep = fitS, bareMsPerStep = bareS, ratioOfMedians = ratio, roundRatios = ratios, fitCpuMsPerStep = fitCpuS, bareCpuMsPerStep = bareCpuS, cpuRatioOfMedians = cpuRatio, cpuRoundRatios = cpuRatios, fitMs = fit, bareMs = bare, fitCpuMs = fitCpu, bareCpuMs = bareCpu, gcPauseMsInRunOrder = GcPauseMs, generation2CollectionsInRunOrder = FullCollections, minorPageFaultsInRunOrder = MinorFaults, loadAfter = MachineInfo.LoadAverage() });
        return 0;
    }

    private static readonly List<double> CpuMs = new();
    // Per run, as CpuMs: the garbage collector's pauses and its generation-2 collections (each no-GC scope the training
    // loop opens counts as one).
    private static readonly List<double> GcPauseMs = new();
    private static readonly List<int> FullCollections = new();
    // Per run: the process's minor page faults (first touches of memory the process had not used or had given back).
    private static readonly List<long> MinorFaults = new();

    /// <summary>
    /// Wall milliseconds; the process's CPU milliseconds go to <see cref="CpuMs"/>. With one libtorch thread the CPU
    /// time is the work done, which a loaded machine (other processes) stretches far less than the wall time.
    /// </summary>
    private static double Measure(Action run)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var pause = GC.GetTotalPauseDuration();
        int fullCollections = GC.CollectionCount(2);
        long faults = ProcessMemory.MinorPageFaults;
        var clock = Stopwatch.StartNew();
        run();
        double wall = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        CpuMs.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
        GcPauseMs.Add((GC.GetTotalPauseDuration() - pause).TotalMilliseconds);
        FullCollections.Add(GC.CollectionCount(2) - fullCollections);
        MinorFaults.Add(ProcessMemory.MinorPageFaults - faults);
        return wall;
    }
}
