using System.Diagnostics;
using Microsoft.ML.Gan.Core;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>nogc-cost</c>: what the library's guard (<see cref="NoGarbageCollection"/>, one scope per training iteration) costs,
/// and whether it frees dead large objects. Keeps <c>--live-mb</c> of small arrays alive, leaves <c>--dead-loh-mb</c> of
/// 1 MiB arrays dead, then times blocks of <c>--scopes</c> scopes, each allocating <c>--alloc-kb</c> of small arrays inside,
/// as an iteration's bookkeeping does. Reports time and GC pause per scope, the collections counted, and the managed heap
/// before the scopes, after them and after a full collection.
/// </summary>
internal static class NoGcCostBenchmark
{
    public static int Run(CommandOptions o)
    {
        int liveMb = o.Int("live-mb", 20), deadLohMb = o.Int("dead-loh-mb", 40), scopes = o.Int("scopes", 1000);
        int allocKb = o.Int("alloc-kb", 16), blocks = o.Int("blocks", 11);
        // --guard false: the same allocations without scopes, the baseline for the time per scope.
        bool guard = o.Bool("guard", true);
        string? output = o.OptionalString("out");
        o.RejectUnknown();

        var live = Enumerable.Range(0, liveMb * 100).Select(_ => new byte[10_000]).ToList();
        GC.Collect();
        var dead = Enumerable.Range(0, deadLohMb).Select(_ => new byte[1 << 20]).ToList();
        dead.Clear();
        double heapBefore = HeapMiB();

        var perScopeMicroseconds = new List<double>();
        var pausePerScopeMicroseconds = new List<double>();
        var counts = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        for (int b = 0; b < blocks; b++)
        {
            var pause = GC.GetTotalPauseDuration();
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < scopes; s++)
            {
                using var scope = guard ? NoGarbageCollection.Begin() : default;
                for (int k = 0; k < allocKb; k++) _last = new byte[1000]; // escapes, so the JIT cannot put it on the stack
            }
            perScopeMicroseconds.Add(clock.Elapsed.TotalMicroseconds / scopes);
            pausePerScopeMicroseconds.Add((GC.GetTotalPauseDuration() - pause).TotalMicroseconds / scopes);
        }
        var collections = new[] { GC.CollectionCount(0) - counts[0], GC.CollectionCount(1) - counts[1], GC.CollectionCount(2) - counts[2] };
        double heapAfter = HeapMiB();
        GC.Collect();
        double heapAfterFullCollection = HeapMiB();
        GC.KeepAlive(live);

        var time = Summary.Of(perScopeMicroseconds);
        var pauses = Summary.Of(pausePerScopeMicroseconds);
        Console.WriteLine($"nogc-cost{(guard ? "" : " (no scopes)")}: {blocks} blocks of {scopes} scopes, {allocKb} KB allocated in each, {liveMb} MB live, {deadLohMb} MiB of dead large objects; {MachineInfo.Now()}");
        Console.WriteLine($"time per scope, µs: {time}");
        Console.WriteLine($"GC pause per scope, µs: {pauses}");
        Console.WriteLine($"collections counted (gen 0 / 1 / 2): {collections[0]} / {collections[1]} / {collections[2]} for {blocks * scopes} scopes");
        Console.WriteLine($"managed heap, MiB: {heapBefore:F1} before the scopes, {heapAfter:F1} after them, {heapAfterFullCollection:F1} after a full collection");
        if (output is not null)
            ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), machine = MachineInfo.Now(), liveMb, deadLohMb, scopes, allocKb, blocks, guard,
                perScopeMicroseconds = time, pausePerScopeMicroseconds = pauses, collections, heapBefore, heapAfter, heapAfterFullCollection });
        return 0;
    }

    private static byte[]? _last;

    private static double HeapMiB() => GC.GetTotalMemory(false) / 1048576.0;
}
