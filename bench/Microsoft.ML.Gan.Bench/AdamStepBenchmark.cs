using System.Diagnostics;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.CycleGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>adam-step</c>: the optimiser step alone, over CycleGAN's two generators (the largest optimiser of the four GANs,
/// 22.8 million parameters at 9 blocks), in each mode: per-tensor or flat, host numbers or capturable. Gradients are
/// random and set once; each timed step is one <see cref="GanAdam.Step"/>. Reports the step's time and the memory it
/// adds: on the CPU the peak resident set over the step above the resident set before it (reset per step); on a GPU
/// the device memory in use before the first step and after the last (libtorch's caching allocator keeps what the
/// steps allocated).
/// </summary>
internal static class AdamStepBenchmark
{
    // On a GPU the memory in use after one mode includes what the caching allocator kept from the modes before it in the
    // same process: measure one mode per process there (--modes).
    private static readonly Dictionary<string, (bool Flat, bool Capturable)> Modes = new()
    {
        ["per-tensor"] = (false, false),
        ["per-tensor-capturable"] = (false, true),
        ["flat"] = (true, false),
        ["flat-capturable"] = (true, true),
    };

    public static int Run(CommandOptions o)
    {
        int blocks = o.Int("blocks", 9), warmup = o.Int("warmup", 2), reps = o.Int("reps", 10);
        var modes = o.String("modes", string.Join(',', Modes.Keys)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var unknown = modes.Except(Modes.Keys).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"--modes takes {string.Join(", ", Modes.Keys)}; found {string.Join(", ", unknown)}.");
        string? output = o.OptionalString("out");
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        if (GpuOptions.FlatAdam is not null) throw new ArgumentException("adam-step takes the Adam's mode from --modes, not --flat-adam.");

        // glibc's malloc as training sets it on the CPU (blocks up to 32 MiB from the heap, freed memory kept), so that
        // the step's temporaries cost what they cost in Fit.
        bool keepFreed = GlibcMalloc.KeepFreedMemory();
        Console.WriteLine($"adam-step: CycleGAN's two generators ({blocks} blocks, ngf 64) on {device}, "
            + $"glibc malloc {(keepFreed ? "keeps freed memory" : "default")}, {warmup} warm-up + {reps} timed steps; {MachineInfo.Now()}");
        Console.WriteLine("| mode | parameters | ms median | IQR | step's peak RSS over its start, MiB (median, max) "
            + "| GPU MiB in use before → after the steps | load after |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var results = new List<object>();
        foreach (var mode in modes)
        {
            var (flat, capturable) = Modes[mode];
            var m = Measure(blocks, flat, capturable, warmup, reps, device);
            var time = Summary.Of(m.Ms);
            var memory = Summary.Of(m.AddedMiB);
            string gpu = m.GpuBeforeMiB is { } before && m.GpuAfterMiB is { } after
                ? FormattableString.Invariant($"{before:F0} → {after:F0}") : "–";
            string load = MachineInfo.LoadAverage();
            Console.WriteLine(FormattableString.Invariant(
                $"| {mode} | {m.Parameters:N0} | {time.Median:F2} | {time.P25:F2}–{time.P75:F2} | {memory.Median:F0}, {memory.Max:F0} | {gpu} | {load} |"));
            results.Add(new { mode, flat, capturable, parameters = m.Parameters, msPerStep = time, stepPeakRssOverStartMiB = memory,
                gpuMiBInUseBefore = m.GpuBeforeMiB, gpuMiBInUseAfter = m.GpuAfterMiB, loadAfter = load, samplesMs = m.Ms });
        }
        if (output is not null)
            ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), machine = MachineInfo.Now(), device = device.ToString(),
                glibcMallocKeepsFreedMemory = keepFreed, blocks, warmup, reps, results });
        return 0;
    }

    private sealed record Measurement(long Parameters, List<double> Ms, List<double> AddedMiB, double? GpuBeforeMiB, double? GpuAfterMiB);

    private static Measurement Measure(int blocks, bool flat, bool capturable, int warmup, int reps, Device device)
    {
        random.manual_seed(1);
        using var generatorA = new ResnetGenerator(blocks);
        using var generatorB = new ResnetGenerator(blocks);
        generatorA.to(device);
        generatorB.to(device);
        var parameters = generatorA.parameters().Concat(generatorB.parameters()).ToArray();
        using var adam = new GanAdam(parameters, 2e-4, 0.5, 0.999, flat: flat, capturable: capturable);
        using (NewDisposeScope())
        using (no_grad())
            foreach (var p in parameters)
            {
                // Flat: every gradient is already a view of the optimiser's buffer, to be filled in place.
                if (p.grad is { } g) g.copy_(randn_like(p));
                else p.grad = randn_like(p);
            }
        // What the set-up left for the finalizer goes first, so that the GPU reading before the steps is theirs alone.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        double? gpuBefore = GpuMemory.UsedMiB(device);
        var ms = new List<double>();
        var added = new List<double>();
        for (int i = 0; i < warmup + reps; i++)
        {
            bool peakReset = ProcessMemory.ResetPeak();
            double before = ProcessMemory.ResidentMiB;
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            var clock = Stopwatch.StartNew();
            adam.Step();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            if (i < warmup) continue;
            ms.Add(clock.Elapsed.TotalMilliseconds);
            added.Add(peakReset ? ProcessMemory.PeakResidentMiB - before : double.NaN);
        }
        return new(parameters.Sum(p => p.numel()), ms, added, gpuBefore, GpuMemory.UsedMiB(device));
    }
}
