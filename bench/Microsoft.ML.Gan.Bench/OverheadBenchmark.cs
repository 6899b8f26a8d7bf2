using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core.Native;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>overhead</c>: wall time of <c>Fit</c> (estimator, data in an <see cref="IDataView"/>) against
/// <see cref="BareCycleGan"/> for the same steps on the same images, run alternately (A B A B …) so that a change in
/// the machine's load hits both.
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

        // One short run of each first: JIT, libtorch's first-call set-up and page faults stay out of the rounds.
        FitOnce(imagesA, imagesB, config, perEpoch, perEpoch);
        BareOnce(imagesA, imagesB, config, perEpoch);

        var fit = new List<double>();
        var bare = new List<double>();
        var fitCpu = new List<double>();
        var bareCpu = new List<double>();
        CpuMs.Clear();
        for (int round = 0; round < rounds; round++)
        {
            // Alternate which goes first, so neither always runs on a machine the other has just warmed.
            if (round % 2 == 0)
            {
                fit.Add(FitOnce(imagesA, imagesB, config, perEpoch, steps));
                fitCpu.Add(CpuMs[^1]);
                bare.Add(BareOnce(imagesA, imagesB, config, steps));
                bareCpu.Add(CpuMs[^1]);
            }
            else
            {
                bare.Add(BareOnce(imagesA, imagesB, config, steps));
                bareCpu.Add(CpuMs[^1]);
                fit.Add(FitOnce(imagesA, imagesB, config, perEpoch, steps));
                fitCpu.Add(CpuMs[^1]);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            // Both runs dispose what they made. The count still grows by the parameters the two runs made (120 at 32×32
            // with 2 blocks): TorchSharp counts a module's parameter twice when it is made (the tensor, then the Parameter
            // that takes over its handle) and once when it is disposed. Growth beyond that would be a leak.
            Console.WriteLine(FormattableString.Invariant($"round {round + 1}: Fit {fit[^1] / 1000:F2} s, bare {bare[^1] / 1000:F2} s, ratio {fit[^1] / bare[^1]:F3}; CPU Fit {fitCpu[^1] / 1000:F2} s, bare {bareCpu[^1] / 1000:F2} s, ratio {fitCpu[^1] / bareCpu[^1]:F3}; live tensors {TorchTensors.Live}, load {MachineInfo.LoadAverage()}"));
        }
        var fitS = Summary.Of(fit.Select(ms => ms / steps));
        var bareS = Summary.Of(bare.Select(ms => ms / steps));
        var ratios = Summary.Of(fit.Zip(bare, (f, b) => f / b));
        double ratio = fitS.Median / bareS.Median;
        var fitCpuS = Summary.Of(fitCpu.Select(ms => ms / steps));
        var bareCpuS = Summary.Of(bareCpu.Select(ms => ms / steps));
        double cpuRatio = fitCpuS.Median / bareCpuS.Median;
        Console.WriteLine($"Fit ms/step: {fitS}");
        Console.WriteLine($"bare ms/step: {bareS}");
        Console.WriteLine($"Fit CPU ms/step: {fitCpuS}");
        Console.WriteLine($"bare CPU ms/step: {bareCpuS}");
        Console.WriteLine(FormattableString.Invariant($"wall: ratio of medians {ratio:F3}, per-round ratios {ratios}; CPU: ratio of medians {cpuRatio:F3}, per-round ratios {Summary.Of(fitCpu.Zip(bareCpu, (f, b) => f / b))}; load {MachineInfo.LoadAverage()}"));
        if (output is not null)
            ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), machine, config, images, steps, rounds, fitMsPerStep = fitS, bareMsPerStep = bareS, ratioOfMedians = ratio, roundRatios = ratios, fitCpuMsPerStep = fitCpuS, bareCpuMsPerStep = bareCpuS, cpuRatioOfMedians = cpuRatio, fitMs = fit, bareMs = bare, fitCpuMs = fitCpu, bareCpuMs = bareCpu, loadAfter = MachineInfo.LoadAverage() });
        return 0;
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

    private static readonly List<double> CpuMs = new();

    /// <summary>
    /// Wall milliseconds; the process's CPU milliseconds go to <see cref="CpuMs"/>. With one libtorch thread the CPU
    /// time is the work done, which a loaded machine (other processes) stretches far less than the wall time.
    /// </summary>
    private static double Measure(Action run)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        run();
        double wall = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        CpuMs.Add((process.TotalProcessorTime - cpu).TotalMilliseconds);
        return wall;
    }
}
