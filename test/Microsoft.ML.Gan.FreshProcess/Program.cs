// Uses Microsoft.ML.Gan in a process of its own, through the public API only, and prints what it saw as one JSON line.
// The tests run it as a child process (test/Microsoft.ML.Gan.Tests/FreshProcessTests.cs).
//
// Usage: Microsoft.ML.Gan.FreshProcess malloc-after-fit
//   Fits a tiny NetGAN on the CPU, then allocates one block of BlockBytes with malloc, frees it, and prints
//   {"BlockBytes":…,"MappedBytes":…,"ReturnedBytes":…}: how much more memory glibc had mmapped while the block was held
//   (about BlockBytes when it mapped the block rather than take it from the heap), and how much of the heap it gave
//   back to the system when the block was freed. Linux with glibc 2.33 or later (mallinfo2).
// Exit codes: 0 done, 1 bad usage, 3 not on glibc.

using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Gan;
using Microsoft.ML.Gan.NetGan;

if (args is not ["malloc-after-fit"])
{
    Console.Error.WriteLine("usage: Microsoft.ML.Gan.FreshProcess malloc-after-fit");
    return 1;
}

var mlContext = new MLContext(seed: 1);
var options = new NetGanEstimator.Options
{
    BatchSize = 16, GeneratorHiddenSize = 8, DiscriminatorHiddenSize = 8, EmbeddingSize = 8, LatentSize = 4, WalkLength = 6,
    MaxIterations = 2, EvaluateEvery = 2, EvaluationWalks = 500, ScoringWalks = 500,
};
using (mlContext.Transforms.Gan().NetGan(options).Fit(mlContext.Data.LoadFromEnumerable(Graph.RingWithChords()))) { }

const int blockBytes = 24 << 20; // below glibc's largest mmap threshold (32 MiB), far above its default (128 KiB)
MallInfo before, held, after;
try { before = MallInfo.Read(); }
catch (EntryPointNotFoundException) { Console.Error.WriteLine("mallinfo2 not found: not glibc 2.33 or later"); return 3; }
nint block = Marshal.AllocHGlobal(blockBytes); // malloc on Unix
held = MallInfo.Read();
Marshal.FreeHGlobal(block);
after = MallInfo.Read();
Console.WriteLine(JsonSerializer.Serialize(new
{
    BlockBytes = blockBytes,
    MappedBytes = (long)held.MappedBytes - (long)before.MappedBytes,
    ReturnedBytes = (long)held.HeapBytes - (long)after.HeapBytes,
}));
return 0;

/// <summary>The two figures of glibc's <c>struct mallinfo2</c> read here (all ten fields are size_t).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MallInfo
{
    /// <summary>arena: bytes the heaps hold from the system (all arenas).</summary>
    public nuint HeapBytes;
    private nuint _ordblks, _smblks, _hblks;
    /// <summary>hblkhd: bytes in blocks mmapped one by one.</summary>
    public nuint MappedBytes;
    private nuint _usmblks, _fsmblks, _uordblks, _fordblks, _keepcost;

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static extern MallInfo MallInfo2();

    public static MallInfo Read() => MallInfo2();
}

internal sealed class Edge
{
    public int Source { get; set; }
    public int Target { get; set; }
}

internal static class Graph
{
    /// <summary>A ring of 24 nodes with chords to the fifth neighbour: 48 edges, enough for NetGAN's splits.</summary>
    public static IEnumerable<Edge> RingWithChords() =>
        Enumerable.Range(0, 24).SelectMany(i => new[] { new Edge { Source = i, Target = (i + 1) % 24 }, new Edge { Source = i, Target = (i + 5) % 24 } });
}
