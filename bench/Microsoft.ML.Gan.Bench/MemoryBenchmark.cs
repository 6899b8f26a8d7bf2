using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>memory</c>: resident memory, managed heap and live TorchSharp tensors sampled through <c>Fit</c>'s progress
/// reports over a long run of one GAN at a small size (<c>--gan</c>: cyclegan, seqgan, netgan or wavegan). A leak of
/// one tensor per step shows as a slope.
/// </summary>
/// <remarks>
/// What a step is follows each GAN's training loop: CycleGAN a G and a D update; SeqGAN an MLE batch, a
/// discriminator batch or an adversarial generator step (rollouts included), the last two alternating 1 : 4 here so
/// that both are well represented; NetGAN one iteration (a G update and three critic updates), with an evaluation
/// (graph assembly from walks) every 500; WaveGAN five critic updates and one G update.
/// </remarks>
internal static class MemoryBenchmark
{
    private static readonly string[] Gans = { "cyclegan", "seqgan", "netgan", "wavegan" };

    private sealed class ImageRow
    {
        public float[] Image { get; set; } = Array.Empty<float>();
        public bool IsB { get; set; }
    }

    /// <summary>
    /// One sample. The generation sizes (MiB; 0, 1, 2, large-object heap) are those after the last collection, which the
    /// library's no-GC guard makes at least every <see cref="Core.NoGarbageCollection.CollectEvery"/> of allocations (16 MiB); the counts are collections of each generation so far.
    /// </summary>
    private sealed record Sample(long Step, double RssMiB, double ManagedMiB, long LiveTensors, double[] GenerationMiB, int[] Collections)
    {
        public static Sample Take(long step)
        {
            var info = GC.GetGCMemoryInfo().GenerationInfo;
            var sizes = new double[4];
            for (int g = 0; g < sizes.Length; g++) sizes[g] = Math.Round(info[g].SizeAfterBytes / 1048576.0, 2);
            return new Sample(step, ProcessMemory.ResidentMiB, GC.GetTotalMemory(false) / 1048576.0, TorchTensors.Live,
                sizes, Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray());
        }
    }

    /// <summary>One GAN's run: what it trains, its options (progress and checkpoints still to set) and its Fit.</summary>
    private sealed record Training(string Description, object Config, GanTrainerOptions Options, Func<MLContext, IDisposable> Fit);

    public static int Run(CommandOptions o)
    {
        string gan = o.String("gan", "cyclegan");
        int steps = o.Int("steps", 1000), every = o.Int("every", 10);
        double maxMinutes = o.Double("max-minutes", 0);
        string? checkpoints = o.OptionalString("checkpoints");
        string? output = o.OptionalString("out");
        var training = gan switch
        {
            "cyclegan" => CycleGan(o, steps),
            "seqgan" => SeqGan(o, steps),
            "netgan" => NetGan(o, steps),
            "wavegan" => WaveGan(o, steps),
            _ => throw new ArgumentException($"--gan takes {string.Join(", ", Gans)}; found '{gan}'."),
        };
        o.RejectUnknown();

        var ml = new MLContext(seed: 1);
        var options = training.Options;
        options.CheckpointDirectory = checkpoints;
        options.ProgressInterval = TimeSpan.Zero;
        if (maxMinutes > 0) options.MaxTrainingTime = TimeSpan.FromMinutes(maxMinutes);
        var samples = new List<Sample>();
        long totalSteps = 0;
        options.Progress = new SyncProgress(p =>
        {
            // NetGAN's scoring reports after its last step count walks sampled, not steps.
            if (p.Stage != GanStage.Training) return;
            totalSteps = p.TotalSteps;
            if (p.Step % every == 0 || p.Step == 1)
                samples.Add(Sample.Take(p.Step));
        });

        var machine = MachineInfo.Now();
        Console.WriteLine($"memory: {training.Description}, checkpoints {(checkpoints ?? "off")}{(maxMinutes > 0 ? $", at most {maxMinutes} min" : "")}; {machine}");
        long liveBefore = TorchTensors.Live;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (training.Fit(ml)) { }
        double seconds = clock.Elapsed.TotalSeconds;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveAfter = TorchTensors.Live;

        // The allocator settles, and CycleGAN's pools fill, early on; the slope is taken after the first 10 %.
        long trained = samples[^1].Step;
        var steady = samples.Where(s => s.Step >= trained / 10).ToList();
        var report = new
        {
            command = ResultFile.CommandLine(),
            machine,
            gan,
            config = training.Config,
            steps = trained,
            scheduledSteps = totalSteps,
            maxMinutes,
            seconds,
            rss = Describe(samples, steady, s => s.RssMiB),
            managed = Describe(samples, steady, s => s.ManagedMiB),
            liveTensors = Describe(samples, steady, s => s.LiveTensors),
            liveTensorsBeforeFit = liveBefore,
            liveTensorsAfterDisposal = liveAfter,
            samples,
        };
        Console.WriteLine("| quantity | first (step 1) | at 10 % | last | max | slope after 10 % per 1,000 steps |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, d) in new[] { ("RSS MiB", report.rss), ("managed heap MiB", report.managed), ("live tensors", report.liveTensors) })
            Console.WriteLine(FormattableString.Invariant($"| {name} | {d.First:F1} | {d.AtSteadyStart:F1} | {d.Last:F1} | {d.Max:F1} | {d.SlopePer1000Steps:+0.00;-0.00;0.00} |"));
        Console.WriteLine($"{trained} steps; live tensors before Fit {liveBefore}, after disposing the model {liveAfter}; {seconds:F0} s; load {MachineInfo.LoadAverage()}");
        if (output is not null) ResultFile.WriteJson(output, report);
        return 0;
    }

    /// <summary>32×32, 2 blocks, ngf and ndf 16, 50 synthetic images per domain (<c>--images</c>).</summary>
    private static Training CycleGan(CommandOptions o, int steps)
    {
        var config = NetworkConfig.Read(o, size: 32, blocks: 2, ngf: 16, ndf: 16);
        int images = o.Int("images", 50);
        int perEpoch = (images + config.Batch - 1) / config.Batch;
        if (steps % perEpoch != 0) throw new ArgumentException($"--steps {steps} must be a multiple of the {perEpoch} steps of an epoch.");
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[nameof(ImageRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3 * config.Size * config.Size);
        var rows = SyntheticImages.Generate(images, config.Size, 1).Select(x => new ImageRow { Image = x })
            .Concat(SyntheticImages.Generate(images, config.Size, 2).Select(x => new ImageRow { Image = x, IsB = true })).ToList();
        var options = config.ToOptions();
        options.InputColumnName = nameof(ImageRow.Image);
        options.DomainColumnName = nameof(ImageRow.IsB);
        int epochs = steps / perEpoch;
        (options.Epochs, options.DecayEpochs) = ((epochs + 1) / 2, epochs / 2);
        return new Training($"CycleGAN {config}, {images} images per domain, {steps} steps", new { config, images }, options,
            ml => ml.Transforms.Gan().CycleGan(options).Fit(ml.Data.LoadFromEnumerable(rows, schema)));
    }

    /// <summary>
    /// 64 lines of 20 words drawn from 500, the paper's generator sizes, batch 32, 4 rollouts, a discriminator of six
    /// window sizes with 16 filters each; 50 MLE epochs, 10 discriminator rounds, then adversarial rounds of one
    /// generator step and one discriminator epoch (4 batches) up to <c>--steps</c>.
    /// </summary>
    private static Training SeqGan(CommandOptions o, int steps)
    {
        const int lines = 64, length = 20, words = 500, batch = 32;
        var rows = SyntheticText.Lines(lines, length, words);
        var options = new SeqGanEstimator.Options
        {
            SequenceLength = length, BatchSize = batch, RolloutCount = 4, PretrainEpochs = 50,
            DiscriminatorPretrainRounds = 10, DiscriminatorEpochsPerRound = 1, AdversarialDiscriminatorRounds = 1,
            DiscriminatorFilters = new[] { (1, 16), (2, 16), (3, 16), (5, 16), (10, 16), (20, 16) },
        };
        int batches = lines / batch, discriminatorBatches = 2 * lines / batch;
        int before = options.PretrainEpochs * batches + options.DiscriminatorPretrainRounds * discriminatorBatches;
        options.AdversarialRounds = Math.Max(1, (steps - before + discriminatorBatches) / (1 + discriminatorBatches));
        return new Training($"SeqGAN {lines} lines of {length} words from {words}, batch {batch}, {options.RolloutCount} rollouts, " +
            $"{options.PretrainEpochs} MLE epochs, {options.DiscriminatorPretrainRounds} D rounds, {options.AdversarialRounds} adversarial rounds",
            new { lines, length, words, batch, options.RolloutCount, options.PretrainEpochs, options.DiscriminatorPretrainRounds, options.AdversarialRounds },
            options, ml => ml.Transforms.Gan().SeqGan(options).Fit(ml.Data.LoadFromEnumerable(rows)));
    }

    /// <summary>
    /// A synthetic connected graph of 500 nodes at Cora-ML's density, the paper's network sizes, batch 32, an
    /// evaluation with 10,000 walks every 500 iterations; the run stops only at <c>--steps</c> (or at an edge overlap of 1).
    /// </summary>
    private static Training NetGan(CommandOptions o, int steps)
    {
        int nodes = o.Int("nodes", 500);
        var edges = EdgeRow.Of(NetGanScaleBenchmark.SyntheticGraph(nodes, seed: 500).Edges()).ToList();
        var options = new NetGanEstimator.Options
        {
            BatchSize = 32, MaxIterations = steps, EvaluateEvery = 500, EvaluationWalks = 10_000, ScoringWalks = 10_000,
            StoppingCriterion = NetGanStoppingCriterion.EdgeOverlap, EdgeOverlapTarget = 1,
        };
        return new Training($"NetGAN synthetic graph of {nodes} nodes, {edges.Count} edges, batch {options.BatchSize}, {steps} iterations, evaluation every {options.EvaluateEvery}",
            new { nodes, edges = edges.Count, options.BatchSize, options.EvaluateEvery, options.EvaluationWalks }, options,
            ml => ml.Transforms.Gan().NetGan(options).Fit(ml.Data.LoadFromEnumerable(edges)));
    }

    /// <summary>80 one-second clips (noisy sines), model size 4 (<c>--model-size</c>), batch 4 (<c>--batch</c>): four steps an epoch.</summary>
    private static Training WaveGan(CommandOptions o, int steps)
    {
        const int clips = 80, length = 16384;
        int modelSize = o.Int("model-size", 4), batch = o.Int("batch", 4);
        var audio = SyntheticClips.Generate(clips, length);
        var options = new WaveGanEstimator.Options { ModelSize = modelSize, BatchSize = batch };
        int perEpoch = clips / (batch * options.DiscriminatorUpdates);
        if (steps % perEpoch != 0) throw new ArgumentException($"--steps {steps} must be a multiple of the {perEpoch} steps of an epoch.");
        options.Epochs = steps / perEpoch;
        return new Training($"WaveGAN {clips} clips, model size {modelSize}, batch {batch}, {steps} steps", new { clips, modelSize, batch }, options,
            ml => ml.Transforms.Gan().WaveGan(options).Fit(SyntheticClips.Load(ml, audio)));
    }

    private sealed record Trend(double First, double AtSteadyStart, double Last, double Max, double SlopePer1000Steps);

    private static Trend Describe(List<Sample> all, List<Sample> steady, Func<Sample, double> value)
    {
        // Least-squares slope of value against step.
        double mx = steady.Average(s => (double)s.Step), my = steady.Average(value);
        double sxy = steady.Sum(s => (s.Step - mx) * (value(s) - my)), sxx = steady.Sum(s => (s.Step - mx) * (s.Step - mx));
        return new Trend(value(all[0]), value(steady[0]), value(all[^1]), all.Max(value), sxx == 0 ? 0 : sxy / sxx * 1000);
    }
}
