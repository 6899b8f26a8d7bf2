using Microsoft.ML.Gan.Core;

namespace Microsoft.ML.Gan.NetGan;

/// <summary>
/// NetGAN's graph assembly (the official <c>graph_from_scores</c>): turns a score matrix, such as the transition
/// counts of the generated walks, into a simple graph with a requested number of edges.
/// </summary>
/// <remarks>
/// <para>The steps, as in the paper (section 3.3) and its code:</para>
/// <list type="number">
/// <item>Symmetrise: pair {i, j} weighs <c>S[i, j] + S[j, i]</c>; the diagonal is ignored, so no self loops.</item>
/// <item>Visit the nodes in random order; each one whose row has a positive weight gets one edge to a neighbour
/// drawn in proportion to its row. This is what keeps nodes from being left without edges, which sampling by
/// score alone would do to rarely visited nodes.</item>
/// <item>Draw the remaining edges without replacement, in proportion to the pair weights, among the pairs not yet
/// joined, until the graph has the requested number of edges.</item>
/// </list>
/// <para>Two cases give a different count, as in the official code: step 2 alone can give more edges than
/// requested (up to one per node), and they are all kept; and when fewer pairs have a positive weight than
/// requested, every one of them is an edge.</para>
/// <para>The official code draws step 3 with <c>numpy.random.choice(replace=False, p=…)</c>, successive draws each in
/// proportion to the weights left. The same distribution comes from Efraimidis and Spirakis's keys (each pair
/// keeps the largest <c>ln(u) / w</c>): one pass, no renormalising, and only the pairs with a positive weight.</para>
/// <para>Counts are undirected edges; the official code passes twice that (its matrices count both directions).</para>
/// </remarks>
internal static class GraphAssembly
{
    /// <summary>Assembles a graph from a dense score matrix.</summary>
    /// <param name="scores">The <c>nodeCount × nodeCount</c> scores, row-major, finite and not negative.</param>
    /// <param name="nodeCount">The number of nodes.</param>
    /// <param name="edgeCount">The number of undirected edges wanted.</param>
    /// <param name="random">The random source.</param>
    public static Graph FromScores(ReadOnlySpan<float> scores, int nodeCount, int edgeCount, GanRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, Graph.MinimumNodeCount);
        if (scores.Length != (long)nodeCount * nodeCount)
            throw new ArgumentException(
                $"A score matrix for {nodeCount} nodes has {(long)nodeCount * nodeCount} entries; found {scores.Length}.", nameof(scores));
        for (int k = 0; k < scores.Length; k++)
            if (!(scores[k] >= 0) || float.IsPositiveInfinity(scores[k]))
                throw new ArgumentException(
                    $"Scores must be finite and not negative; S[{k / nodeCount}, {k % nodeCount}] = {scores[k]}.", nameof(scores));

        var offsets = new int[nodeCount + 1];
        for (int i = 0; i < nodeCount; i++)
        {
            int count = 0;
            for (int j = 0; j < nodeCount; j++)
                if (j != i && scores[i * nodeCount + j] + scores[j * nodeCount + i] > 0) count++;
            offsets[i + 1] = offsets[i] + count;
        }
        var columns = new int[offsets[nodeCount]];
        var weights = new float[offsets[nodeCount]];
        for (int i = 0, p = 0; i < nodeCount; i++)
        {
            for (int j = 0; j < nodeCount; j++)
            {
                float w = j == i ? 0 : scores[i * nodeCount + j] + scores[j * nodeCount + i];
                if (w > 0) { columns[p] = j; weights[p] = w; p++; }
            }
        }
        return Assemble(offsets, columns, weights, edgeCount, random);
    }

    /// <summary>
    /// Assembles a graph from a sparse score matrix, for graphs too large for a dense <c>N × N</c> one.
    /// </summary>
    /// <param name="scores">Entries <c>(Row, Column, Score)</c>; repeated entries add up, absent ones are 0.</param>
    /// <param name="nodeCount">The number of nodes.</param>
    /// <param name="edgeCount">The number of undirected edges wanted.</param>
    /// <param name="random">The random source.</param>
    /// <remarks>The same matrix and random state give the same graph as the dense overload.</remarks>
    public static Graph FromScores(IEnumerable<(int Row, int Column, float Score)> scores, int nodeCount, int edgeCount, GanRandom random)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, Graph.MinimumNodeCount);
        var pairs = new Dictionary<long, float>();
        foreach (var (i, j, s) in scores)
        {
            if ((uint)i >= (uint)nodeCount || (uint)j >= (uint)nodeCount)
                throw new ArgumentOutOfRangeException(nameof(scores), (i, j), $"Score entries must index nodes 0 … {nodeCount - 1}.");
            if (!(s >= 0) || float.IsPositiveInfinity(s))
                throw new ArgumentException($"Scores must be finite and not negative; S[{i}, {j}] = {s}.", nameof(scores));
            if (i == j) continue;
            long key = Key(i, j, nodeCount);
            pairs[key] = pairs.GetValueOrDefault(key) + s;
        }

        var positive = pairs.Where(kv => kv.Value > 0).ToArray();
        return FromPairWeights(positive.Select(kv => kv.Key).ToArray(), positive.Select(kv => kv.Value).ToArray(), nodeCount, edgeCount, random);
    }

    /// <summary>
    /// Assembles a graph from the weights of distinct unordered pairs, each given once: <paramref name="keys"/>[k] is
    /// pair {u, v}'s key u · n + v with u &lt; v, in any order, and <paramref name="weights"/>[k] its weight
    /// S[u, v] + S[v, u], positive. The same graph as <see cref="FromScores(ReadOnlySpan{float}, int, int, GanRandom)"/>
    /// on that matrix, without building it or summing its entries. Sorts both arrays in place.
    /// </summary>
    internal static Graph FromPairWeights(long[] keys, float[] weights, int nodeCount, int edgeCount, GanRandom random)
    {
        // Ascending (u, v) keys fill every row in ascending column order, the order the dense overload uses.
        Array.Sort(keys, weights);
        var offsets = new int[nodeCount + 1];
        foreach (long key in keys) { offsets[(int)(key / nodeCount) + 1]++; offsets[(int)(key % nodeCount) + 1]++; }
        for (int i = 0; i < nodeCount; i++) offsets[i + 1] += offsets[i];
        var fill = offsets[..nodeCount];
        var columns = new int[offsets[nodeCount]];
        var rowWeights = new float[offsets[nodeCount]];
        for (int k = 0; k < keys.Length; k++)
        {
            int u = (int)(keys[k] / nodeCount), v = (int)(keys[k] % nodeCount);
            columns[fill[u]] = v; rowWeights[fill[u]++] = weights[k];
            columns[fill[v]] = u; rowWeights[fill[v]++] = weights[k];
        }
        return Assemble(offsets, columns, rowWeights, edgeCount, random);
    }

    /// <summary>Steps 2 and 3 on a symmetric weight matrix in CSR form with no diagonal and only positive weights.</summary>
    private static Graph Assemble(int[] offsets, int[] columns, float[] weights, int edgeCount, GanRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(edgeCount, 1);
        int nodeCount = offsets.Length - 1;
        var chosen = new HashSet<long>();

        foreach (int node in random.Permutation(nodeCount))
        {
            int first = offsets[node], end = offsets[node + 1];
            if (first == end) continue;
            double total = 0;
            for (int p = first; p < end; p++) total += weights[p];
            double target = random.NextDouble() * total, cumulative = 0;
            int pick = end - 1; // rounding can leave the target a hair above the last cumulative sum
            for (int p = first; p < end; p++)
            {
                cumulative += weights[p];
                if (target < cumulative) { pick = p; break; }
            }
            chosen.Add(Key(node, columns[pick], nodeCount));
        }

        int remaining = edgeCount - chosen.Count;
        if (remaining > 0)
        {
            // A min-heap of the best keys so far: its top is the weakest of the pairs kept.
            var best = new PriorityQueue<long, double>(remaining + 1);
            for (int u = 0; u < nodeCount; u++)
            {
                for (int p = offsets[u]; p < offsets[u + 1]; p++)
                {
                    int v = columns[p];
                    if (v <= u || chosen.Contains(Key(u, v, nodeCount))) continue;
                    double priority = Math.Log(1 - random.NextDouble()) / weights[p];
                    if (best.Count < remaining) best.Enqueue(Key(u, v, nodeCount), priority);
                    else if (best.TryPeek(out _, out double weakest) && priority > weakest) best.DequeueEnqueue(Key(u, v, nodeCount), priority);
                }
            }
            while (best.TryDequeue(out long key, out _)) chosen.Add(key);
        }

        var edges = chosen.Order().Select(k => ((int)(k / nodeCount), (int)(k % nodeCount))).ToList();
        return Graph.FromUniquePairs(nodeCount, edges);
    }

    /// <summary>
    /// Pair {a, b}'s key, smaller · n + larger: keys sort as (smaller, larger) do, and hash apart. Packing the ends into
    /// the two halves of a long instead made them collide: .NET hashes a long as its halves XORed, so on Cora-ML every
    /// key fell among 4,096 hash codes, and the 1.25 million pairs of an early generator's walks took about 40 s to
    /// assemble (BENCHMARKS.md, "NetGAN evaluation").
    /// </summary>
    private static long Key(int a, int b, int nodeCount) => (long)Math.Min(a, b) * nodeCount + Math.Max(a, b);
}
