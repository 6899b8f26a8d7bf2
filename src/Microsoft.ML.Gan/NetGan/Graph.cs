namespace Microsoft.ML.Gan;

/// <summary>
/// An undirected simple graph (no self loops, no parallel edges) on the nodes <c>0 … NodeCount − 1</c>, stored in
/// compressed sparse row (CSR) form: each edge appears in the neighbour lists of both its ends.
/// </summary>
/// <remarks>
/// <para>This is the form NetGAN works on: the random walker reads neighbour lists, the metrics read degrees and
/// neighbour lists, the split and the graph assembly produce new graphs. Neighbour lists are sorted, so
/// <see cref="HasEdge"/> is a binary search.</para>
/// <para>Build one with <see cref="FromEdges(IEnumerable{ValueTuple{int, int}}, int?)"/>, which reports what it had to
/// drop, or read one with <see cref="GraphFiles.ReadEdgeList"/>. Instances are immutable.</para>
/// </remarks>
public sealed class Graph
{
    /// <summary>The fewest nodes a graph may have: NetGAN's walks, splits and statistics are meaningless below it.</summary>
    public const int MinimumNodeCount = 3;

    // Row r's neighbours are _neighbors[_offsets[r] .. _offsets[r + 1]), ascending.
    private readonly int[] _offsets;
    private readonly int[] _neighbors;

    private Graph(int[] offsets, int[] neighbors)
    {
        _offsets = offsets;
        _neighbors = neighbors;
    }

    /// <summary>The number of nodes, isolated ones included.</summary>
    public int NodeCount => _offsets.Length - 1;

    /// <summary>The number of undirected edges (each counted once).</summary>
    public int EdgeCount => _neighbors.Length / 2;

    /// <summary>The CSR row offsets (length <see cref="NodeCount"/> + 1), for code that walks the arrays directly.</summary>
    internal ReadOnlySpan<int> RowOffsets => _offsets;

    /// <summary>The CSR column indices (length 2 · <see cref="EdgeCount"/>), each row ascending.</summary>
    internal ReadOnlySpan<int> ColumnIndices => _neighbors;

    /// <summary>The neighbours of a node, ascending.</summary>
    /// <param name="node">A node id in <c>0 … NodeCount − 1</c>.</param>
    public ReadOnlySpan<int> Neighbors(int node)
    {
        CheckNode(node, nameof(node));
        return _neighbors.AsSpan(_offsets[node], _offsets[node + 1] - _offsets[node]);
    }

    /// <summary>The number of edges at a node.</summary>
    /// <param name="node">A node id in <c>0 … NodeCount − 1</c>.</param>
    public int Degree(int node)
    {
        CheckNode(node, nameof(node));
        return _offsets[node + 1] - _offsets[node];
    }

    /// <summary>The degree of every node, indexed by node id.</summary>
    public int[] Degrees()
    {
        var d = new int[NodeCount];
        for (int i = 0; i < d.Length; i++) d[i] = _offsets[i + 1] - _offsets[i];
        return d;
    }

    /// <summary>Whether the undirected edge {u, v} is in the graph; false for any node id out of range.</summary>
    /// <param name="u">One end.</param>
    /// <param name="v">The other end.</param>
    public bool HasEdge(int u, int v)
    {
        if ((uint)u >= (uint)NodeCount || (uint)v >= (uint)NodeCount) return false;
        // Search the shorter list: hubs of degree in the hundreds are common in citation graphs.
        if (_offsets[u + 1] - _offsets[u] > _offsets[v + 1] - _offsets[v]) (u, v) = (v, u);
        return _neighbors.AsSpan(_offsets[u], _offsets[u + 1] - _offsets[u]).BinarySearch(v) >= 0;
    }

    /// <summary>A short hash of the nodes and edges, for checkpoints: a checkpoint of another graph must not resume.</summary>
    internal string Fingerprint()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_offsets.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_neighbors.AsSpan()));
        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }

    /// <summary>Every edge once, as <c>(Source, Target)</c> with <c>Source &lt; Target</c>, ordered by source then target.</summary>
    public (int Source, int Target)[] Edges()
    {
        var edges = new (int, int)[EdgeCount];
        int k = 0;
        for (int u = 0; u < NodeCount; u++)
            for (int p = _offsets[u]; p < _offsets[u + 1]; p++)
                if (_neighbors[p] > u) edges[k++] = (u, _neighbors[p]);
        return edges;
    }

    /// <summary>
    /// The connected component of every node: <c>component[i]</c> is a number in <c>0 … count − 1</c>, numbered in
    /// order of each component's smallest node.
    /// </summary>
    /// <param name="count">The number of connected components (an isolated node is a component of its own).</param>
    public int[] ConnectedComponents(out int count)
    {
        var component = new int[NodeCount];
        Array.Fill(component, -1);
        var stack = new Stack<int>();
        count = 0;
        for (int start = 0; start < NodeCount; start++)
        {
            if (component[start] >= 0) continue;
            component[start] = count;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int u = stack.Pop();
                for (int p = _offsets[u]; p < _offsets[u + 1]; p++)
                {
                    int v = _neighbors[p];
                    if (component[v] >= 0) continue;
                    component[v] = count;
                    stack.Push(v);
                }
            }
            count++;
        }
        return component;
    }

    /// <summary>Whether every node can reach every other (a graph with isolated nodes is not connected).</summary>
    public bool IsConnected()
    {
        ConnectedComponents(out int count);
        return count == 1;
    }

    /// <summary>
    /// Builds a graph from an undirected edge list, dropping what a simple graph cannot hold and counting it.
    /// </summary>
    /// <param name="edges">Pairs of node ids. <c>(u, v)</c> and <c>(v, u)</c> are the same edge.</param>
    /// <param name="nodeCount">
    /// The number of nodes, so that nodes without edges can exist; by default the largest id in
    /// <paramref name="edges"/> plus one.
    /// </param>
    /// <returns>The graph and the number of self loops and duplicate edges dropped.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A node id is negative or not below <paramref name="nodeCount"/>.</exception>
    /// <exception cref="ArgumentException">The graph would have fewer than <see cref="MinimumNodeCount"/> nodes.</exception>
    /// <example>
    /// <code>
    /// var result = Graph.FromEdges(new[] { (0, 1), (1, 2), (2, 0), (2, 2) });
    /// Console.WriteLine(result);          // 4 edges read: 3 kept, 1 self loop dropped, 0 duplicates dropped
    /// Graph triangle = result.Graph;
    /// </code>
    /// </example>
    public static GraphBuildResult FromEdges(IEnumerable<(int Source, int Target)> edges, int? nodeCount = null)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (nodeCount is < 0)
            throw new ArgumentOutOfRangeException(nameof(nodeCount), nodeCount, "The node count cannot be negative.");

        var pairs = new List<long>();
        int read = 0, selfLoops = 0, maxId = -1;
        foreach (var (s, t) in edges)
        {
            if (s < 0 || t < 0)
                throw new ArgumentOutOfRangeException(nameof(edges), (s, t),
                    $"Edge {read} ({s}, {t}) has a negative node id; node ids must be 0 or more.");
            if (nodeCount is int n && (s >= n || t >= n))
                throw new ArgumentOutOfRangeException(nameof(edges), (s, t),
                    $"Edge {read} ({s}, {t}) names a node outside 0 … {n - 1} ({n} nodes were declared).");
            read++;
            maxId = Math.Max(maxId, Math.Max(s, t));
            if (s == t) { selfLoops++; continue; }
            // One 64-bit key per undirected edge, smaller end first, so sorting groups duplicates in either direction.
            pairs.Add(((long)Math.Min(s, t) << 32) | (uint)Math.Max(s, t));
        }

        int nodes = nodeCount ?? maxId + 1;
        if (nodes < MinimumNodeCount)
            throw new ArgumentException(
                $"A graph needs at least {MinimumNodeCount} nodes; this edge list gives {nodes} " +
                $"(node ids up to {maxId}{(nodeCount is null ? "" : $", {nodeCount} declared")}).", nameof(edges));

        pairs.Sort();
        int unique = 0;
        for (int i = 0; i < pairs.Count; i++)
            if (i == 0 || pairs[i] != pairs[i - 1]) pairs[unique++] = pairs[i];
        int duplicates = pairs.Count - unique;
        pairs.RemoveRange(unique, duplicates);

        var graph = FromUniquePairs(nodes, pairs.Select(k => ((int)(k >> 32), (int)(k & 0xFFFFFFFF))).ToList());
        return new GraphBuildResult(graph, read, selfLoops, duplicates);
    }

    /// <summary>
    /// Builds a graph from edges already known to be valid: ids in range, no self loops, each undirected edge once.
    /// No checks beyond debug assertions; for the library's own derived graphs (splits, assembled graphs).
    /// </summary>
    internal static Graph FromUniquePairs(int nodeCount, IEnumerable<(int U, int V)> edges)
    {
        var list = edges as IReadOnlyCollection<(int, int)> ?? edges.ToList();
        var degree = new int[nodeCount + 1];
        foreach (var (u, v) in list) { degree[u]++; degree[v]++; }
        var offsets = new int[nodeCount + 1];
        for (int i = 0; i < nodeCount; i++) offsets[i + 1] = offsets[i] + degree[i];
        var fill = offsets[..nodeCount];
        var neighbors = new int[offsets[nodeCount]];
        foreach (var (u, v) in list)
        {
            System.Diagnostics.Debug.Assert(u != v && u >= 0 && v >= 0 && u < nodeCount && v < nodeCount);
            neighbors[fill[u]++] = v;
            neighbors[fill[v]++] = u;
        }
        for (int i = 0; i < nodeCount; i++) Array.Sort(neighbors, offsets[i], offsets[i + 1] - offsets[i]);
        return new Graph(offsets, neighbors);
    }

    private void CheckNode(int node, string name)
    {
        if ((uint)node >= (uint)NodeCount)
            throw new ArgumentOutOfRangeException(name, node, $"Node ids run from 0 to {NodeCount - 1}.");
    }
}

/// <summary>What <see cref="Graph.FromEdges"/> built and what it dropped on the way.</summary>
/// <param name="Graph">The simple graph.</param>
/// <param name="EdgesRead">The number of edge rows given.</param>
/// <param name="SelfLoopsDropped">Rows with both ends the same node.</param>
/// <param name="DuplicateEdgesDropped">
/// Rows that repeat an undirected edge already given, in either direction: a list that names every edge as both
/// <c>(u, v)</c> and <c>(v, u)</c> reports half its rows here.
/// </param>
public sealed record GraphBuildResult(Graph Graph, int EdgesRead, int SelfLoopsDropped, int DuplicateEdgesDropped)
{
    /// <summary>Whether anything was dropped.</summary>
    public bool HasDroppedEdges => SelfLoopsDropped > 0 || DuplicateEdgesDropped > 0;

    /// <summary>A one-line report, e.g. "7990 edges read: 7981 kept, 1 self loop dropped, 8 duplicates dropped".</summary>
    public override string ToString() =>
        $"{EdgesRead} edges read: {Graph.EdgeCount} kept, {SelfLoopsDropped} self loop{(SelfLoopsDropped == 1 ? "" : "s")} dropped, " +
        $"{DuplicateEdgesDropped} duplicate{(DuplicateEdgesDropped == 1 ? "" : "s")} dropped";
}
