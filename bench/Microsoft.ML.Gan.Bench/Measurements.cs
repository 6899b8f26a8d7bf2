using System.Diagnostics;
using System.Globalization;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>Median and spread of repeated measurements.</summary>
internal sealed record Summary(int Count, double Median, double Min, double Max, double P25, double P75)
{
    public static Summary Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("No measurements.", nameof(values));
        return new Summary(sorted.Length, Quantile(sorted, 0.5), sorted[0], sorted[^1], Quantile(sorted, 0.25), Quantile(sorted, 0.75));
    }

    /// <summary>Linear interpolation between order statistics (numpy's default).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    public override string ToString() => FormattableString.Invariant(
        $"median {Median:F2} (min {Min:F2}, IQR {P25:F2}–{P75:F2}, max {Max:F2}, n = {Count})");
}

/// <summary>This process's memory as Linux reports it, in MiB, and its minor page faults.</summary>
internal static class ProcessMemory
{
    public static double ResidentMiB => ReadStatus("VmRSS");

    /// <summary>Peak resident set since the start or the last <see cref="ResetPeak"/>.</summary>
    public static double PeakResidentMiB => ReadStatus("VmHWM");

    /// <summary>Restarts <see cref="PeakResidentMiB"/> (Linux 4.0+: writing 5 to clear_refs), so one process can measure several configurations.</summary>
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>The process's minor page faults so far (field 10 of /proc/self/stat); 0 where there is no /proc.</summary>
    public static long MinorPageFaults
    {
        get
        {
            if (!File.Exists("/proc/self/stat")) return 0;
            var stat = File.ReadAllText("/proc/self/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count the fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7], CultureInfo.InvariantCulture);
        }
    }

    private static double ReadStatus(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return double.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}

/// <summary>Tensors that TorchSharp holds native handles for: a leak shows here before it shows in RSS.</summary>
internal static class TorchTensors
{
    public static long Live => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
}

/// <summary>What a result needs to be read later: the machine, its load, the date.</summary>
internal sealed record MachineInfo(string Cpu, int LogicalCores, int TorchThreads, string Load, string DateUtc)
{
    public static MachineInfo Now()
    {
        string cpu = "unknown";
        try
        {
            // A VM may name every host's CPU alike ("AMD EPYC"); family and model tell the generations apart
            // (family 25 is AMD's Zen 3 and 4, 26 Zen 5), and oneDNN's kernel choices depend on them.
            var lines = File.ReadAllLines("/proc/cpuinfo");
            string? Field(string name) => lines.FirstOrDefault(l => l.Split(':')[0].Trim() == name) is { } line
                ? line[(line.IndexOf(':') + 1)..].Trim() : null;
            if (Field("model name") is { } model) cpu = model;
            if (Field("cpu family") is { } family && Field("model") is { } number) cpu += $" (family {family}, model {number})";
        }
        catch (IOException) { }
        return new MachineInfo(cpu, Environment.ProcessorCount, torch.get_num_threads(), LoadAverage(), DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
    }

    /// <summary>The 1-, 5- and 15-minute load averages; on a shared machine they say how much the timings can be trusted.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    public override string ToString() => $"{Cpu}, {LogicalCores} logical cores, torch threads {TorchThreads}, load {Load}, {DateUtc} UTC";
}

internal static class Timing
{
    public static double Milliseconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// Milliseconds per training step, as a loop that reads its losses every <paramref name="readEvery"/> steps
    /// (GanTrainerOptions.LossReadInterval) runs it: <paramref name="step"/> is told whether to read, which only the
    /// last step of each block does, so that read waits for the whole block. One sample is a block's time divided by
    /// <paramref name="readEvery"/>; <paramref name="warmup"/> untimed blocks come first.
    /// </summary>
    public static List<double> StepsReadEvery(Action<bool> step, int warmup, int reps, int readEvery)
    {
        void Block()
        {
            for (int i = 1; i <= readEvery; i++) step(i == readEvery);
        }
        for (int i = 0; i < warmup; i++) Block();
        return Enumerable.Range(0, reps).Select(_ => Milliseconds(Block) / readEvery).ToList();
    }
}
