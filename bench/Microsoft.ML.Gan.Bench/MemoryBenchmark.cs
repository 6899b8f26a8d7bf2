using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>memory</c>: resident memory, managed heap and live TorchSharp tensors sampled through <c>Fit</c>'s progress
/// reports over a long run of a small CycleGAN. A leak of one tensor per step shows as a slope.
/// </summary>
internal static class MemoryBenchmark
{
    private sealed class Row
    {
        public float[] Image { get; set; } = Array.Empty<float>();
        public bool IsB { get; set; }
    }

    private sealed class SyncProgress(Action<GanProgress> report) : IProgress<GanProgress>
    {
        public void Report(GanProgress value) => report(value);
    }

    private sealed record Sample(long Step, double RssMiB, double ManagedMiB, long LiveTensors);

    public static int Run(CommandOptions o)
    {
        var config = NetworkConfig.Read(o, size: 32, blocks: 2, ngf: 16, ndf: 16);
        int images = o.Int("images", 50), steps = o.Int("steps", 1000), every = o.Int("every", 10);
        string? checkpoints = o.OptionalString("checkpoints");
        string? output = o.OptionalString("out");
        o.RejectUnknown();
        int perEpoch = (images + config.Batch - 1) / config.Batch;
        if (steps % perEpoch != 0) throw new ArgumentException($"--steps {steps} must be a multiple of the {perEpoch} steps of an epoch.");

        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3 * config.Size * config.Size);
        var rows = SyntheticImages.Generate(images, config.Size, 1).Select(x => new Row { Image = x })
            .Concat(SyntheticImages.Generate(images, config.Size, 2).Select(x => new Row { Image = x, IsB = true }));
        var options = config.ToOptions();
        options.InputColumnName = nameof(Row.Image);
        options.DomainColumnName = nameof(Row.IsB);
        int epochs = steps / perEpoch;
        (options.Epochs, options.DecayEpochs) = ((epochs + 1) / 2, epochs / 2);
        options.CheckpointDirectory = checkpoints;
        options.ProgressInterval = TimeSpan.Zero;
        var samples = new List<Sample>();
        options.Progress = new SyncProgress(p =>
        {
            if (p.Step % every == 0 || p.Step == 1)
                samples.Add(new Sample(p.Step, ProcessMemory.ResidentMiB, GC.GetTotalMemory(false) / 1048576.0, TorchTensors.Live));
        });

        var machine = MachineInfo.Now();
        Console.WriteLine($"memory: {config}, {images} images per domain, {steps} steps, checkpoints {(checkpoints ?? "off")}; {machine}");
        long liveBefore = TorchTensors.Live;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var model = ml.Transforms.Gan().CycleGan(options).Fit(ml.Data.LoadFromEnumerable(rows, schema))) { }
        double seconds = clock.Elapsed.TotalSeconds;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveAfter = TorchTensors.Live;

        // The pool fills during the first 50 steps and the allocator settles; the slope is taken after the first 10 %.
        var steady = samples.Where(s => s.Step >= steps / 10).ToList();
        var report = new
        {
            command = ResultFile.CommandLine(),
            machine,
            config,
            steps,
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
        Console.WriteLine($"live tensors before Fit {liveBefore}, after disposing the model {liveAfter}; {seconds:F0} s; load {MachineInfo.LoadAverage()}");
        if (output is not null) ResultFile.WriteJson(output, report);
        return 0;
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
