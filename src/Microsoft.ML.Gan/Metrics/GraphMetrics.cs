namespace Microsoft.ML.Gan;

/// <summary>
/// The graph statistics NetGAN reports (Bojchevski et al., 2018, tables 1 and 2), link-prediction scores, edge
/// overlap and the Adamic/Adar baseline.
/// </summary>
/// <remarks>
/// <para>Each statistic follows the definition in the official code's <c>compute_graph_statistics</c>, not a textbook
/// one where they differ (the clustering coefficient, the Gini coefficient and the power-law fit do), so the numbers
/// compare with the paper's tables. The differences are noted on each member.</para>
/// <para>Link-prediction scores follow scikit-learn's <c>roc_auc_score</c> and <c>average_precision_score</c>, which
/// the paper's code calls.</para>
/// </remarks>
public static class GraphMetrics
{
    /// <summary>All the statistics of <c>compute_graph_statistics</c> (except the square count) in one pass.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="labels">One class per node (e.g. Cora-ML's 7 classes), for the community densities; optional.</param>
    /// <example>
    /// <code>
    /// var graph = GraphFiles.ReadEdgeList("examples/data/cora_ml/cora_ml_lcc.edges").Graph;
    /// var stats = GraphMetrics.Compute(graph);
    /// Console.WriteLine($"max degree {stats.MaxDegree}, triangles {stats.TriangleCount}, cpl {stats.CharacteristicPathLength:F2}");
    /// </code>
    /// </example>
    public static GraphStatistics Compute(Graph graph, IReadOnlyList<int>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var degrees = graph.Degrees();
        long triangles = TriangleCount(graph);
        long claws = ClawCount(graph);
        graph.ConnectedComponents(out int components);
        (double intra, double inter) = labels is null ? (double.NaN, double.NaN) : CommunityDensity(graph, labels);
        return new GraphStatistics
        {
            NodeCount = graph.NodeCount,
            EdgeCount = graph.EdgeCount,
            MaxDegree = degrees.Max(),
            MinDegree = degrees.Min(),
            MeanDegree = degrees.Average(),
            LargestComponentSize = LargestComponentSize(graph),
            ComponentCount = components,
            WedgeCount = WedgeCount(graph),
            ClawCount = claws,
            TriangleCount = triangles,
            PowerLawExponent = PowerLawExponent(graph),
            Gini = Gini(graph),
            EdgeDistributionEntropy = EdgeDistributionEntropy(graph),
            Assortativity = DegreeAssortativity(graph),
            ClusteringCoefficient = claws == 0 ? double.NaN : 3.0 * triangles / claws,
            IntraCommunityDensity = intra,
            InterCommunityDensity = inter,
            CharacteristicPathLength = CharacteristicPathLength(graph),
        };
    }

    /// <summary>
    /// The degree distribution: how many nodes have each degree, for the degrees that occur (0 included when a node is
    /// isolated), ascending. Plotted on log-log axes it shows the power law the paper's figures compare.
    /// </summary>
    /// <example>
    /// <code>
    /// foreach (var (degree, nodes) in GraphMetrics.DegreeDistribution(graph))
    ///     Console.WriteLine($"{nodes} nodes of degree {degree}");
    /// </code>
    /// </example>
    public static IReadOnlyList<(int Degree, int NodeCount)> DegreeDistribution(Graph graph) =>
        NotNull(graph).Degrees().CountBy(d => d).Select(kv => (kv.Key, kv.Value)).Order().ToArray();

    /// <summary>The largest degree.</summary>
    public static int MaxDegree(Graph graph) => NotNull(graph).Degrees().Max();

    /// <summary>The smallest degree (0 if a node has no edges).</summary>
    public static int MinDegree(Graph graph) => NotNull(graph).Degrees().Min();

    /// <summary>
    /// Newman's degree assortativity: the Pearson correlation of the degrees at the two ends of an edge, each edge
    /// counted in both directions (networkx's <c>degree_assortativity_coefficient</c>).
    /// </summary>
    /// <returns>A value in [−1, 1]; NaN for a regular graph, where every end has the same degree (networkx gives NaN too); −1 for a star.</returns>
    public static double DegreeAssortativity(Graph graph)
    {
        var degrees = NotNull(graph).Degrees();
        double sumProduct = 0, sumHalf = 0, sumHalfSquares = 0;
        foreach (var (u, v) in graph.Edges())
        {
            double j = degrees[u], k = degrees[v];
            sumProduct += j * k;
            sumHalf += (j + k) / 2;
            sumHalfSquares += (j * j + k * k) / 2;
        }
        double m = graph.EdgeCount;
        double mean = sumHalf / m;
        double variance = sumHalfSquares / m - mean * mean;
        double covariance = sumProduct / m - mean * mean;
        // Exact zero variance (all ends alike) has no correlation; guard the round-off that would fake one.
        return variance <= 1e-12 * Math.Max(1, sumHalfSquares / m) ? double.NaN : covariance / variance;
    }

    /// <summary>The number of triangles (each counted once).</summary>
    public static long TriangleCount(Graph graph)
    {
        NotNull(graph);
        long count = 0;
        for (int u = 0; u < graph.NodeCount; u++)
        {
            var nu = graph.Neighbors(u);
            foreach (int v in nu)
            {
                if (v <= u) continue;
                // Common neighbours w > v of u and v, by merging the two sorted lists: each triangle u < v < w once.
                var nv = graph.Neighbors(v);
                int a = 0, b = 0;
                while (a < nu.Length && b < nv.Length)
                {
                    if (nu[a] < nv[b]) a++;
                    else if (nu[a] > nv[b]) b++;
                    else { if (nu[a] > v) count++; a++; b++; }
                }
            }
        }
        return count;
    }

    /// <summary>The number of wedges (paths of two edges, open or closed): Σ C(d, 2) over the degrees.</summary>
    public static long WedgeCount(Graph graph) => NotNull(graph).Degrees().Sum(d => (long)d * (d - 1) / 2);

    /// <summary>The number of claws (stars of three edges): Σ C(d, 3) over the degrees.</summary>
    public static long ClawCount(Graph graph) => NotNull(graph).Degrees().Sum(d => (long)d * (d - 1) * (d - 2) / 6);

    /// <summary>
    /// The clustering coefficient as the paper's code defines it: 3 · triangles / claws (Σ C(d, 3)). This is not the
    /// usual transitivity, 3 · triangles / wedges; it is what the paper's tables report (2.73e-3 for Cora-ML's
    /// training graph).
    /// </summary>
    /// <returns>NaN when the graph has no claw (no degree above 2).</returns>
    public static double ClusteringCoefficient(Graph graph)
    {
        long claws = ClawCount(graph);
        return claws == 0 ? double.NaN : 3.0 * TriangleCount(graph) / claws;
    }

    /// <summary>
    /// The exponent of a power law fitted to the degrees: <c>powerlaw.Fit(degrees, xmin=max(min degree, 1)).power_law.alpha</c>.
    /// </summary>
    /// <remarks>
    /// <c>powerlaw.Fit</c> defaults to <c>discrete=False</c>, so the paper's number is the continuous maximum-likelihood
    /// estimate <c>α = 1 + n / Σ ln(dᵢ / x_min)</c> over the n degrees at least <c>x_min</c> (Clauset, Shalizi and Newman
    /// 2009, eq. 3.1), not the discrete approximation with <c>x_min − ½</c>, although degrees are integers. Nodes of degree
    /// 0 are left out, as <c>powerlaw</c> drops values that are not positive.
    /// </remarks>
    /// <returns>NaN when all fitted degrees equal <c>x_min</c> (e.g. a regular graph), where the estimate is unbounded.</returns>
    public static double PowerLawExponent(Graph graph)
    {
        var degrees = NotNull(graph).Degrees();
        double xmin = Math.Max(degrees.Min(), 1);
        int n = 0;
        double sumLog = 0;
        foreach (int d in degrees)
        {
            if (d < xmin) continue;
            n++;
            sumLog += Math.Log(d / xmin);
        }
        return sumLog > 0 ? 1 + n / sumLog : double.NaN;
    }

    /// <summary>
    /// The Gini coefficient of the degrees, as the paper's code computes it:
    /// <c>2 Σᵢ i · d₍ᵢ₎ / (n Σ d) − (n + 1) / n</c> with the degrees sorted ascending and <c>i</c> counted from 0.
    /// </summary>
    /// <remarks>
    /// The usual formula counts <c>i</c> from 1; counting from 0, as the code does, gives 2/n less (0.0007 for Cora-ML).
    /// Kept so the numbers compare with the paper's.
    /// </remarks>
    public static double Gini(Graph graph)
    {
        var degrees = NotNull(graph).Degrees();
        Array.Sort(degrees);
        double n = degrees.Length, weighted = 0, total = 0;
        for (int i = 0; i < degrees.Length; i++)
        {
            weighted += (double)i * degrees[i];
            total += degrees[i];
        }
        return 2 * weighted / (n * total) - (n + 1) / n;
    }

    /// <summary>
    /// The relative edge distribution entropy: <c>(1 / ln n) Σᵢ −(dᵢ / 2m) ln((dᵢ + 10⁻⁴) / 2m)</c>, 1 when every node has
    /// the same degree, lower as edges concentrate on few nodes.
    /// </summary>
    /// <remarks>The 10⁻⁴ inside the logarithm is the paper's code's guard against nodes of degree 0.</remarks>
    public static double EdgeDistributionEntropy(Graph graph)
    {
        var degrees = NotNull(graph).Degrees();
        double twoM = 2.0 * graph.EdgeCount, sum = 0;
        foreach (int d in degrees) sum += -d / twoM * Math.Log((d + 1e-4) / twoM);
        return sum / Math.Log(degrees.Length);
    }

    /// <summary>
    /// Intra- and inter-community density, as the paper's code computes them from the class blocks
    /// <c>B[k, l] = (edge ends from class k to class l) / (nₖ · nₗ)</c>, each edge counted in both directions:
    /// intra is the sum of the diagonal blocks and inter the sum of the others, both divided by K² (K classes).
    /// </summary>
    /// <param name="graph">The graph.</param>
    /// <param name="labels">The class of every node, in <c>0 … K − 1</c>; every class must have a node.</param>
    public static (double Intra, double Inter) CommunityDensity(Graph graph, IReadOnlyList<int> labels)
    {
        NotNull(graph);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != graph.NodeCount)
            throw new ArgumentException($"{labels.Count} labels were given for {graph.NodeCount} nodes.", nameof(labels));
        if (labels.Any(l => l < 0)) throw new ArgumentException("Class labels must be 0 or more.", nameof(labels));
        int classes = labels.Max() + 1;
        var sizes = new long[classes];
        foreach (int l in labels) sizes[l]++;
        int empty = Array.IndexOf(sizes, 0L);
        if (empty >= 0)
            throw new ArgumentException($"Class {empty} has no node; labels must number the classes 0 … {classes - 1} without gaps.", nameof(labels));

        var blocks = new double[classes, classes];
        foreach (var (u, v) in graph.Edges())
        {
            blocks[labels[u], labels[v]]++;
            blocks[labels[v], labels[u]]++;
        }
        double intra = 0, inter = 0;
        for (int k = 0; k < classes; k++)
            for (int l = 0; l < classes; l++)
            {
                double density = blocks[k, l] / (sizes[k] * sizes[l]);
                if (k == l) intra += density; else inter += density;
            }
        double cells = (double)classes * classes;
        return (intra / cells, inter / cells);
    }

    /// <summary>
    /// The characteristic path length: the mean shortest-path length over all ordered pairs of distinct nodes that
    /// are connected (pairs in different components are left out, as the paper's code does).
    /// </summary>
    /// <remarks>One breadth-first search from every node: O(N · E), a second or so for Cora-ML's 2,810 nodes.</remarks>
    /// <returns>NaN for a graph without edges.</returns>
    public static double CharacteristicPathLength(Graph graph)
    {
        NotNull(graph);
        int n = graph.NodeCount;
        var offsets = graph.RowOffsets.ToArray();
        var columns = graph.ColumnIndices.ToArray();
        long totalLength = 0, pairs = 0;
        object gate = new();
        Parallel.For(0, n,
            () => (Distance: new int[n], Queue: new int[n], Length: 0L, Pairs: 0L),
            (source, _, state) =>
            {
                var (distance, queue) = (state.Distance, state.Queue);
                Array.Fill(distance, -1);
                distance[source] = 0;
                int head = 0, tail = 0;
                queue[tail++] = source;
                while (head < tail)
                {
                    int u = queue[head++];
                    for (int p = offsets[u]; p < offsets[u + 1]; p++)
                    {
                        int v = columns[p];
                        if (distance[v] >= 0) continue;
                        distance[v] = distance[u] + 1;
                        state.Length += distance[v];
                        state.Pairs++;
                        queue[tail++] = v;
                    }
                }
                return state;
            },
            state => { lock (gate) { totalLength += state.Length; pairs += state.Pairs; } });
        return pairs == 0 ? double.NaN : (double)totalLength / pairs;
    }

    /// <summary>The number of nodes in the largest connected component.</summary>
    public static int LargestComponentSize(Graph graph)
    {
        var component = NotNull(graph).ConnectedComponents(out int count);
        var sizes = new int[count];
        foreach (int c in component) sizes[c]++;
        return sizes.Max();
    }

    /// <summary>The number of undirected edges that two graphs on the same nodes share.</summary>
    public static int SharedEdgeCount(Graph first, Graph second)
    {
        NotNull(first);
        NotNull(second);
        if (first.NodeCount != second.NodeCount)
            throw new ArgumentException($"The graphs have {first.NodeCount} and {second.NodeCount} nodes; edge overlap compares graphs on the same nodes.", nameof(second));
        int shared = 0;
        foreach (var (u, v) in first.Edges()) if (second.HasEdge(u, v)) shared++;
        return shared;
    }

    /// <summary>
    /// Edge overlap (EO), NetGAN's stopping criterion: the share of <paramref name="reference"/>'s edges that
    /// <paramref name="generated"/> also has. The paper stops training at EO ≥ 0.5 against the training graph.
    /// </summary>
    /// <param name="reference">The graph whose edges are counted (the training graph).</param>
    /// <param name="generated">The graph compared with it, usually assembled with the same number of edges.</param>
    /// <returns>A value in [0, 1].</returns>
    public static double EdgeOverlap(Graph reference, Graph generated)
    {
        int shared = SharedEdgeCount(reference, generated);
        return reference.EdgeCount == 0 ? double.NaN : (double)shared / reference.EdgeCount;
    }

    /// <summary>
    /// Adamic/Adar link-prediction scores: for each pair {u, v}, <c>Σ 1 / ln(d(w))</c> over their common neighbours w
    /// (networkx's <c>adamic_adar_index</c>), the paper's simplest baseline.
    /// </summary>
    /// <param name="graph">The graph the scores are read from (the training graph).</param>
    /// <param name="pairs">The node pairs to score.</param>
    public static double[] AdamicAdar(Graph graph, IReadOnlyList<(int Source, int Target)> pairs)
    {
        NotNull(graph);
        ArgumentNullException.ThrowIfNull(pairs);
        var scores = new double[pairs.Count];
        for (int k = 0; k < pairs.Count; k++)
        {
            var (u, v) = pairs[k];
            if ((uint)u >= (uint)graph.NodeCount || (uint)v >= (uint)graph.NodeCount)
                throw new ArgumentOutOfRangeException(nameof(pairs), (u, v), $"Pair {k} names a node outside 0 … {graph.NodeCount - 1}.");
            var nu = graph.Neighbors(u);
            var nv = graph.Neighbors(v);
            double score = 0;
            int a = 0, b = 0;
            while (a < nu.Length && b < nv.Length)
            {
                if (nu[a] < nv[b]) a++;
                else if (nu[a] > nv[b]) b++;
                else
                {
                    // A common neighbour has degree 2 or more, so the logarithm is positive.
                    score += 1 / Math.Log(graph.Degree(nu[a]));
                    a++; b++;
                }
            }
            scores[k] = score;
        }
        return scores;
    }

    /// <summary>
    /// The area under the ROC curve (scikit-learn's <c>roc_auc_score</c>): the chance that a random positive scores
    /// above a random negative, ties counting one half.
    /// </summary>
    /// <param name="scores">Higher means more likely positive (e.g. a link score).</param>
    /// <param name="labels">True for positives (edges), false for negatives (non-edges).</param>
    /// <exception cref="ArgumentException">The lengths differ, or one class is missing (the AUC is undefined).</exception>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var order = SortedDescending(scores, labels, out int positives);
        int negatives = scores.Length - positives;
        if (negatives == 0) throw new ArgumentException("The ROC AUC needs at least one negative; all labels are true.", nameof(labels));

        // Walk down the scores a tie group at a time: each negative beats the positives below it; within a group,
        // every positive–negative pair counts one half.
        double wins = 0;
        long positivesAbove = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            long groupPositives = 0, groupNegatives = 0;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                if (labels[order[end]]) groupPositives++; else groupNegatives++;
                end++;
            }
            wins += groupNegatives * (positivesAbove + 0.5 * groupPositives);
            positivesAbove += groupPositives;
            start = end;
        }
        return wins / ((double)positives * negatives);
    }

    /// <summary>
    /// Average precision (scikit-learn's <c>average_precision_score</c>): <c>Σₙ (Rₙ − Rₙ₋₁) Pₙ</c> over the distinct
    /// score thresholds from the highest down, with the precision and recall of predicting positive at or above each.
    /// </summary>
    /// <remarks>Tied scores form one threshold, as in scikit-learn; there is no interpolation of the curve.</remarks>
    /// <param name="scores">Higher means more likely positive.</param>
    /// <param name="labels">True for positives, false for negatives.</param>
    /// <exception cref="ArgumentException">The lengths differ, or there is no positive.</exception>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        var order = SortedDescending(scores, labels, out int positives);
        double sum = 0, previousRecall = 0;
        long truePositives = 0, predicted = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                if (labels[order[end]]) truePositives++;
                predicted++;
                end++;
            }
            double recall = (double)truePositives / positives;
            sum += (recall - previousRecall) * truePositives / predicted;
            previousRecall = recall;
            start = end;
        }
        return sum;
    }

    private static int[] SortedDescending(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels, out int positives)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"{scores.Length} scores and {labels.Length} labels; they must pair up.", nameof(labels));
        positives = 0;
        foreach (bool l in labels) if (l) positives++;
        if (positives == 0) throw new ArgumentException("There is no positive label; the score is undefined.", nameof(labels));
        for (int i = 0; i < scores.Length; i++)
            if (double.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
        var keys = scores.ToArray();
        var order = Enumerable.Range(0, keys.Length).ToArray();
        Array.Sort(keys, order);
        Array.Reverse(order);
        return order;
    }

    private static Graph NotNull(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph;
    }
}

/// <summary>The statistics of <see cref="GraphMetrics.Compute"/>, named after the paper's tables.</summary>
public sealed record GraphStatistics
{
    /// <summary>Nodes, isolated ones included.</summary>
    public int NodeCount { get; init; }
    /// <summary>Undirected edges.</summary>
    public int EdgeCount { get; init; }
    /// <summary>The largest degree.</summary>
    public int MaxDegree { get; init; }
    /// <summary>The smallest degree.</summary>
    public int MinDegree { get; init; }
    /// <summary>The mean degree, 2E / N.</summary>
    public double MeanDegree { get; init; }
    /// <summary>Nodes in the largest connected component.</summary>
    public int LargestComponentSize { get; init; }
    /// <summary>Connected components.</summary>
    public int ComponentCount { get; init; }
    /// <summary>Σ C(d, 2); see <see cref="GraphMetrics.WedgeCount"/>.</summary>
    public long WedgeCount { get; init; }
    /// <summary>Σ C(d, 3); see <see cref="GraphMetrics.ClawCount"/>.</summary>
    public long ClawCount { get; init; }
    /// <summary>Triangles.</summary>
    public long TriangleCount { get; init; }
    /// <summary>See <see cref="GraphMetrics.PowerLawExponent"/>.</summary>
    public double PowerLawExponent { get; init; }
    /// <summary>See <see cref="GraphMetrics.Gini"/>.</summary>
    public double Gini { get; init; }
    /// <summary>See <see cref="GraphMetrics.EdgeDistributionEntropy"/>.</summary>
    public double EdgeDistributionEntropy { get; init; }
    /// <summary>See <see cref="GraphMetrics.DegreeAssortativity"/>.</summary>
    public double Assortativity { get; init; }
    /// <summary>3 · triangles / claws; see <see cref="GraphMetrics.ClusteringCoefficient"/>.</summary>
    public double ClusteringCoefficient { get; init; }
    /// <summary>See <see cref="GraphMetrics.CommunityDensity"/>; NaN without labels.</summary>
    public double IntraCommunityDensity { get; init; }
    /// <summary>See <see cref="GraphMetrics.CommunityDensity"/>; NaN without labels.</summary>
    public double InterCommunityDensity { get; init; }
    /// <summary>See <see cref="GraphMetrics.CharacteristicPathLength"/>.</summary>
    public double CharacteristicPathLength { get; init; }

    /// <summary>
    /// The statistics of the paper's table 2, in its order, then the largest component and the Gini coefficient (which
    /// the official code also reports), each with its name and a .NET format that suits its scale; the community
    /// densities only when <see cref="GraphMetrics.Compute"/> had labels. For printing graphs side by side.
    /// </summary>
    /// <example>
    /// <code>
    /// foreach (var (real, fake) in GraphMetrics.Compute(train).PaperTable().Zip(GraphMetrics.Compute(generated).PaperTable()))
    ///     Console.WriteLine($"{real.Name}: {real.Value.ToString(real.Format)} vs {fake.Value.ToString(fake.Format)}");
    /// </code>
    /// </example>
    public IReadOnlyList<(string Name, double Value, string Format)> PaperTable()
    {
        var rows = new List<(string, double, string)>
        {
            ("max degree", MaxDegree, "N0"),
            ("assortativity", Assortativity, "F3"),
            ("triangles", TriangleCount, "N0"),
            ("power-law exponent", PowerLawExponent, "F3"),
        };
        if (!double.IsNaN(IntraCommunityDensity) || !double.IsNaN(InterCommunityDensity))
        {
            rows.Add(("inter-community density", InterCommunityDensity, "E2"));
            rows.Add(("intra-community density", IntraCommunityDensity, "E2"));
        }
        rows.Add(("clustering (3·triangles/claws)", ClusteringCoefficient, "E2"));
        rows.Add(("characteristic path length", CharacteristicPathLength, "F2"));
        rows.Add(("largest connected component", LargestComponentSize, "N0"));
        rows.Add(("Gini", Gini, "F3"));
        return rows;
    }
}
