using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.CycleGan;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>step</c>: time of one CycleGAN training step (G update + D update, with the crop/flip augmentation and history
/// pool) on the CPU or with <c>--gpu true</c> on CUDA device 0, measured on the library's own <see cref="CycleGanModel"/> the way its training loop drives it.
/// </summary>
internal static class StepBenchmark
{
    public static int Run(CommandOptions o)
    {
        int[] sizes = o.Ints("sizes", 64, 128);
        int blocks = o.Int("blocks", 6), ngf = o.Int("ngf", 64), ndf = o.Int("ndf", 64), batch = o.Int("batch", 1);
        int warmup = o.Int("warmup", 3), reps = o.Int("reps", 10);
        bool oneDnn = o.Flag("onednn");
        var device = GpuOptions.Device(o);
        string? output = o.OptionalString("out");
        o.RejectUnknown();

        var machine = MachineInfo.Now();
        Console.WriteLine($"step on {device}: oneDNN {(oneDnn ? "on" : "off (as Fit sets it)")}, cuDNN autotuning {(GpuOptions.CuDnnBenchmark ? "on" : "off")}, flat Adam {GpuOptions.FlatAdamSetting}, CUDA graphs {(GpuOptions.CudaGraphs is { } graphs ? (graphs ? "on" : "off") : "the library's default: on a GPU")}; {machine}");
        Console.WriteLine("| size | blocks | ngf/ndf | batch | ms/step median | IQR | min–max | steps/s | peak RSS MiB | load after |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        var results = new List<object>();
        foreach (int size in sizes)
        {
            var config = new NetworkConfig(size, blocks, ngf, ndf, batch, Pool: 50);
            bool peakReset = ProcessMemory.ResetPeak();
            var ms = TimeSteps(config, warmup, reps, oneDnn, device);
            var s = Summary.Of(ms);
            double peak = ProcessMemory.PeakResidentMiB;
            string load = MachineInfo.LoadAverage();
            Console.WriteLine(FormattableString.Invariant(
                $"| {size}×{size} | {blocks} | {ngf}/{ndf} | {batch} | {s.Median:F0} | {s.P25:F0}–{s.P75:F0} | {s.Min:F0}–{s.Max:F0} | {1000 / s.Median:F2} | {peak:F0}{(peakReset ? "" : " (process)")} | {load} |"));
            results.Add(new { config, device = device.ToString(), cudnnBenchmark = GpuOptions.CuDnnBenchmark, flatAdam = GpuOptions.FlatAdam, oneDnn, warmup, msPerStep = s, stepsPerSecond = 1000 / s.Median, peakRssMiB = peak, peakIsPerConfig = peakReset, loadAfter = load, samplesMs = ms });
        }
        if (output is not null) ResultFile.WriteJson(output, new { command = "step", machine, results });
        return 0;
    }

    /// <summary>Milliseconds of each of <paramref name="reps"/> steps after <paramref name="warmup"/> untimed ones.</summary>
    /// <param name="inspect">Sees the model before it is disposed (e.g. to count its parameters).</param>
    /// <param name="readEvery">Losses are read after every this many steps only (<see cref="Timing.StepsReadEvery"/>).</param>
    public static List<double> TimeSteps(NetworkConfig config, int warmup, int reps, bool oneDnn, torch.Device device, Action<CycleGanModel>? inspect = null,
        int readEvery = 1)
    {
        // Fit never uses oneDNN on the CPU (GanEnvironment.UseCpu explains why); the step is timed
        // outside Fit, so --onednn chooses it explicitly.
        LibTorchContext.OneDnnEnabled = oneDnn;
        int images = Math.Max(4, config.Batch * 4);
        using var a = ImageTensors.ToTensor(SyntheticImages.Generate(images, config.Size, seed: 1), config.Size, config.Size);
        using var b = ImageTensors.ToTensor(SyntheticImages.Generate(images, config.Size, seed: 2), config.Size, config.Size);
        var options = config.ToOptions();
        options.Epochs = 1_000_000;
        options.DecayEpochs = 0;
        options.FlatAdam = GpuOptions.FlatAdam;
        options.CudaGraphs = GpuOptions.CudaGraphs;
        options.MixedPrecision = GpuOptions.MixedPrecision;
        options.NonBlockingCopies = GpuOptions.NonBlockingCopies;
        options.LoadSize = (int)Math.Round(config.Size * 286.0 / 256.0);
        var model = new CycleGanModel(options, a, b, device, seed: 1);
        try
        {
            var random = new GanRandom(2);
            long step = 0;
            void Step(bool read)
            {
                if (step % model.StepsPerEpoch == 0) model.BeginEpoch((int)(step / model.StepsPerEpoch) + 1);
                using var scope = torch.NewDisposeScope();
                // The training loop reads the losses (NaN check, progress) every LossReadInterval steps; so does this.
                var losses = model.TrainStep(random);
                if (read) foreach (var (_, value) in losses) value.item<float>();
                step++;
            }
            var ms = Timing.StepsReadEvery(Step, warmup, reps, readEvery);
            inspect?.Invoke(model);
            return ms;
        }
        finally
        {
            model.Dispose();
            model.GeneratorA.Dispose();
            model.GeneratorB.Dispose();
        }
    }
}
