using Microsoft.ML.Gan.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>scalar-race</c>: TorchSharp 0.107's Scalar race, and the library's guard against it (<see cref="NoGarbageCollection"/>).
/// The main thread adds a number to a tensor (<c>x + v</c>: TorchSharp makes a Scalar of v and hands libtorch its handle
/// without keeping the Scalar alive) and checks the result, in blocks of 1,000 calls; another thread allocates garbage,
/// so that collections start while the main thread is inside libtorch. Unguarded, then with each block inside a no-GC
/// scope, as the training loop runs each iteration. Counts the calls that threw and the results that were wrong.
/// <c>--rate MB/s</c> sets how fast the other thread allocates (64 KiB at a time, sleeping 1 ms while ahead of the
/// rate); 0 lets it allocate nonstop, faster than any region's room lasts.
/// </summary>
internal static class ScalarRaceBenchmark
{
    public static int Run(CommandOptions o)
    {
        double seconds = o.Double("seconds", 20);
        double rate = o.Double("rate", 64);
        torch.set_num_threads(1);
        var rows = new List<object>();
        string allocating = rate > 0 ? $"about {rate} MB/s" : "nonstop";
        Console.WriteLine($"scalar-race: x + v on the CPU (one libtorch thread), another thread allocating 64-byte arrays {allocating}, {seconds} s a mode; {MachineInfo.Now()}");
        Console.WriteLine("| mode | calls | collections (gen0) | calls that threw | wrong results | scopes whose region lapsed |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (bool guarded in new[] { false, true })
        {
            var r = Race(seconds, rate, guarded);
            Console.WriteLine(FormattableString.Invariant(
                $"| {(guarded ? "each block in a no-GC scope" : "unguarded")} | {r.Calls:N0} | {r.Collections:N0} | {r.Threw:N0} | {r.Wrong:N0} | {r.Lapsed:N0} of {r.Blocks:N0} |"));
            if (r.FirstError is not null) Console.WriteLine($"first error: {r.FirstError}");
            rows.Add(new { guarded, r.Calls, r.Collections, r.Threw, r.Wrong, r.Lapsed, r.Blocks, r.FirstError });
        }
        if (o.OptionalString("out") is { } output) ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), seconds, rateMBPerSecond = rate, machine = MachineInfo.Now(), rows });
        return 0;
    }

    private sealed record Result(long Calls, int Collections, long Threw, long Wrong, long Lapsed, long Blocks, string? FirstError);

    private static Result Race(double seconds, double rate, bool guarded)
    {
        using var x = zeros(4);
        bool stop = false;
        var allocator = new Thread(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long bytes = 0;
            while (!Volatile.Read(ref stop))
            {
                for (int i = 0; i < 1024; i++) GC.KeepAlive(new byte[64]);
                bytes += 64 * 1024;
                // Throttled: sleep while ahead of the rate.
                while (rate > 0 && bytes / 1e6 > rate * clock.Elapsed.TotalSeconds && !Volatile.Read(ref stop)) Thread.Sleep(1);
            }
        });
        int collectionsBefore = GC.CollectionCount(0);
        allocator.Start();
        long calls = 0, threw = 0, wrong = 0, lapsed = 0, blocks = 0;
        string? firstError = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            using var scope = guarded ? NoGarbageCollection.Begin() : default;
            blocks++;
            for (int k = 0; k < 1000; k++, calls++)
            {
                double v = calls % 7 + 1;
                try
                {
                    using var y = x + v;
                    if (y[0].item<float>() != (float)v) wrong++;
                }
                catch (Exception e)
                {
                    threw++;
                    firstError ??= e.Message.Split('\n')[0];
                }
            }
            if (guarded && !scope.IsGuarding) lapsed++;
        }
        Volatile.Write(ref stop, true);
        allocator.Join();
        return new Result(calls, GC.CollectionCount(0) - collectionsBefore, threw, wrong, lapsed, blocks, firstError);
    }
}
