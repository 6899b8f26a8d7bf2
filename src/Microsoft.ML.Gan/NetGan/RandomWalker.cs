using Microsoft.ML.Gan.Core;

namespace Microsoft.ML.Gan.NetGan;

/// <summary>
/// NetGAN's source of real data: uniform random walks over the training graph (the official <c>RandomWalker</c>
/// with p = q = 1, i.e. first-order walks, which is what the paper trains on).
/// </summary>
/// <remarks>
/// <para>A walk starts at a node drawn uniformly and moves to a uniformly drawn neighbour at every step, so it
/// never leaves the start node's connected component: on a disconnected graph each component is sampled in
/// proportion to its number of nodes, and no walk ever joins two components. Nodes without edges cannot start a
/// walk (the official code would fail on them), so starts are drawn uniformly among the nodes with at least one edge.</para>
/// <para>The random source is passed to each call rather than owned, so the training loop's checkpointed
/// <see cref="GanRandom"/> drives the walks and a resumed run draws the walks an uninterrupted one would.</para>
/// </remarks>
internal sealed class RandomWalker
{
    private readonly Graph _graph;
    private readonly int[] _starts;

    /// <param name="graph">The graph to walk on; it needs at least one edge.</param>
    /// <param name="walkLength">Nodes per walk (the paper's T = 16), at least 2.</param>
    /// <param name="batchSize">Walks per batch (the paper's 128).</param>
    public RandomWalker(Graph graph, int walkLength = 16, int batchSize = 128)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(walkLength, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _starts = Enumerable.Range(0, graph.NodeCount).Where(n => graph.Degree(n) > 0).ToArray();
        if (_starts.Length == 0) throw new ArgumentException("The graph has no edges to walk on.", nameof(graph));
        _graph = graph;
        WalkLength = walkLength;
        BatchSize = batchSize;
    }

    /// <summary>Nodes per walk.</summary>
    public int WalkLength { get; }

    /// <summary>Walks per batch.</summary>
    public int BatchSize { get; }

    /// <summary>A batch of walks, row-major: walk <c>b</c> is <c>[b · WalkLength, (b + 1) · WalkLength)</c>.</summary>
    public int[] NextBatch(GanRandom random)
    {
        var batch = new int[BatchSize * WalkLength];
        NextBatch(batch, random);
        return batch;
    }

    /// <summary>Fills <paramref name="destination"/> (a whole number of walks) with walks from uniform starts.</summary>
    public void NextBatch(Span<int> destination, GanRandom random)
    {
        if (destination.Length % WalkLength != 0)
            throw new ArgumentException($"{destination.Length} nodes are not a whole number of {WalkLength}-node walks.", nameof(destination));
        for (int offset = 0; offset < destination.Length; offset += WalkLength)
            Walk(_starts[random.Next(_starts.Length)], destination.Slice(offset, WalkLength), random);
    }

    /// <summary>Fills <paramref name="walk"/> with a walk from <paramref name="start"/>.</summary>
    public void Walk(int start, Span<int> walk, GanRandom random)
    {
        var offsets = _graph.RowOffsets;
        var columns = _graph.ColumnIndices;
        int node = start;
        if (_graph.Degree(node) == 0) throw new ArgumentException($"Node {start} has no edges to walk along.", nameof(start));
        for (int t = 0; ; t++)
        {
            walk[t] = node;
            if (t == walk.Length - 1) break;
            int first = offsets[node];
            node = columns[first + random.Next(offsets[node + 1] - first)];
        }
    }
}
