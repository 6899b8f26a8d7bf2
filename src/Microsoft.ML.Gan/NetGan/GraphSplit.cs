using Microsoft.ML.Gan.Core;

namespace Microsoft.ML.Gan;

/// <summary>
/// NetGAN's link-prediction split of a graph: a training graph, and held-out validation and test edges each with as
/// many node pairs that are not edges.
/// </summary>
/// <remarks>
/// <para>This follows <c>train_val_test_split_adjacency(A, p_val, p_test, seed, undirected=True, connected=True)</c> of
/// the official NetGAN code, the call its demo makes:</para>
/// <list type="number">
/// <item>A spanning tree of the graph is held in the training graph, so the training graph stays connected and every
/// node keeps at least one edge (a random walk can start anywhere). The official code takes scipy's minimum spanning
/// tree of the unit-weight graph, an arbitrary but fixed tree; here it is Kruskal's algorithm over the edges in a
/// seeded random order, a random spanning tree, which does not favour the edges of low-numbered nodes.</item>
/// <item>The training graph gets <c>⌊E · (1 − p_val − p_test)⌋</c> edges: the tree plus edges drawn uniformly from
/// the rest. The others are held out; the first <c>⌊held · p_val / (p_val + p_test)⌋</c> of them (in random order)
/// validate, the rest test.</item>
/// <item>As many non-edges (pairs of distinct nodes not joined in the full graph) are drawn uniformly and split the
/// same way. Unlike the official code, which can draw a pair twice (its own assertion then fails), pairs are drawn
/// without repetition.</item>
/// </list>
/// <para>Cora-ML (7,981 edges) gives 6,783 training edges, 798 validation and 400 test edges, as the official code does.</para>
/// <para>A disconnected graph is split too (the official code refuses it): a spanning forest is held instead of a
/// tree, so the training graph has the same components as the full graph, and every node with an edge keeps one.</para>
/// <para>All pairs are reported once, as <c>(Source, Target)</c> with <c>Source &lt; Target</c>.</para>
/// </remarks>
public sealed class GraphSplit
{
    private GraphSplit(Graph train, (int, int)[] validationEdges, (int, int)[] validationNonEdges,
        (int, int)[] testEdges, (int, int)[] testNonEdges)
    {
        Train = train;
        ValidationEdges = validationEdges;
        ValidationNonEdges = validationNonEdges;
        TestEdges = testEdges;
        TestNonEdges = testNonEdges;
    }

    /// <summary>The training graph: the same nodes, the edges not held out.</summary>
    public Graph Train { get; }

    /// <summary>Held-out edges for validation (early stopping on link prediction).</summary>
    public IReadOnlyList<(int Source, int Target)> ValidationEdges { get; }

    /// <summary>Pairs that are not edges of the full graph, as many as <see cref="ValidationEdges"/>.</summary>
    public IReadOnlyList<(int Source, int Target)> ValidationNonEdges { get; }

    /// <summary>Held-out edges for the final link-prediction score.</summary>
    public IReadOnlyList<(int Source, int Target)> TestEdges { get; }

    /// <summary>Pairs that are not edges of the full graph, as many as <see cref="TestEdges"/>, disjoint from <see cref="ValidationNonEdges"/>.</summary>
    public IReadOnlyList<(int Source, int Target)> TestNonEdges { get; }

    /// <summary>Splits a graph's edges into training, validation and test edges, and draws as many non-edges.</summary>
    /// <param name="graph">The full graph.</param>
    /// <param name="validationFraction">The share of edges held out for validation; the paper's 0.10.</param>
    /// <param name="testFraction">The share of edges held out for testing; the paper's 0.05.</param>
    /// <param name="seed">The seed; the same graph, fractions and seed give the same split.</param>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is negative, or both are zero, or they leave no training edges.</exception>
    /// <exception cref="ArgumentException">
    /// The training share is too small to hold a spanning tree, or the graph has too few non-edges to match the
    /// held-out edges.
    /// </exception>
    /// <example>
    /// <code>
    /// var graph = GraphFiles.ReadEdgeList("examples/data/cora_ml/cora_ml_lcc.edges").Graph;
    /// var split = GraphSplit.Create(graph, validationFraction: 0.10, testFraction: 0.05, seed: 0);
    /// Console.WriteLine($"{split.Train.EdgeCount} train, {split.ValidationEdges.Count} validation, {split.TestEdges.Count} test");
    /// </code>
    /// </example>
    public static GraphSplit Create(Graph graph, double validationFraction = 0.10, double testFraction = 0.05, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!(validationFraction >= 0) || !(testFraction >= 0) || !(validationFraction + testFraction > 0)
            || !(validationFraction + testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), (validationFraction, testFraction),
                "The validation and test fractions must be 0 or more, not both 0, and add up to less than 1.");

        var random = new GanRandom(seed);
        var edges = graph.Edges();
        int edgeCount = edges.Length;
        // The official code's arithmetic, so the sizes match it on the paper's graph.
        int trainCount = (int)(edgeCount * (1 - validationFraction - testFraction));

        // Kruskal over a random edge order: the tree edges are those that join two components so far.
        var order = random.Permutation(edgeCount);
        var parent = Enumerable.Range(0, graph.NodeCount).ToArray();
        var inTree = new bool[edgeCount];
        int treeSize = 0;
        foreach (int e in order)
        {
            int a = Find(parent, edges[e].Source), b = Find(parent, edges[e].Target);
            if (a == b) continue;
            parent[a] = b;
            inTree[e] = true;
            treeSize++;
        }
        if (treeSize > trainCount)
            throw new ArgumentException(
                $"The training share keeps {trainCount} of {edgeCount} edges, fewer than the {treeSize} a spanning tree " +
                $"needs; hold out at most {(double)(edgeCount - treeSize) / edgeCount:P1} of the edges.", nameof(graph));

        // The edges outside the tree, in a fresh random order: the first ones train, the rest are held out.
        var rest = new List<int>(edgeCount - treeSize);
        for (int e = 0; e < edgeCount; e++) if (!inTree[e]) rest.Add(e);
        var restOrder = random.Permutation(rest.Count);
        int sampledTrain = trainCount - treeSize;
        var trainEdges = new List<(int, int)>(trainCount);
        var heldOut = new List<(int, int)>(edgeCount - trainCount);
        for (int k = 0; k < restOrder.Length; k++)
            (k < sampledTrain ? trainEdges : heldOut).Add(edges[rest[restOrder[k]]]);
        for (int e = 0; e < edgeCount; e++) if (inTree[e]) trainEdges.Add(edges[e]);

        var nonEdges = SampleNonEdges(graph, heldOut.Count, random);

        double validationShare = validationFraction / (validationFraction + testFraction);
        int validationOnes = (int)(heldOut.Count * validationShare);
        int validationZeros = (int)(nonEdges.Length * validationShare);
        var train = Graph.FromUniquePairs(graph.NodeCount, trainEdges);
        return new GraphSplit(train,
            heldOut.Take(validationOnes).ToArray(), nonEdges[..validationZeros],
            heldOut.Skip(validationOnes).ToArray(), nonEdges[validationZeros..]);
    }

    private static int Find(int[] parent, int x)
    {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    }

    /// <summary>Uniform pairs of distinct nodes that are not edges of <paramref name="graph"/>, without repetition.</summary>
    private static (int, int)[] SampleNonEdges(Graph graph, int count, GanRandom random)
    {
        long n = graph.NodeCount;
        long available = n * (n - 1) / 2 - graph.EdgeCount;
        if (count > available)
            throw new ArgumentException(
                $"The graph has {available} node pairs that are not edges, fewer than the {count} held-out edges to match.",
                nameof(graph));
        // Rejection sampling is quick for the sparse graphs NetGAN is for; it would only crawl for a graph that is
        // nearly complete and that needs nearly all of its non-edges.
        var seen = new HashSet<long>();
        var pairs = new (int, int)[count];
        int k = 0;
        while (k < count)
        {
            int i = random.Next(graph.NodeCount), j = random.Next(graph.NodeCount);
            if (i == j || graph.HasEdge(i, j)) continue;
            if (i > j) (i, j) = (j, i);
            // i · n + j, not i and j in a long's two halves, which .NET hashes to i XOR j, so that keys hash apart.
            if (!seen.Add((long)i * graph.NodeCount + j)) continue;
            pairs[k++] = (i, j);
        }
        return pairs;
    }
}
