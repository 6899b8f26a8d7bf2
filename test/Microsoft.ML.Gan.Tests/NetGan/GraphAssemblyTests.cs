using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using static Microsoft.ML.Gan.Tests.NetGan.TestGraphs;

namespace Microsoft.ML.Gan.Tests.NetGan;

[TestClass]
public sealed class GraphAssemblyTests
{
    /// <summary>Transition counts of real walks on a graph, symmetrised: the score matrix of a perfect generator.</summary>
    private static float[] WalkScores(Graph graph, int batches, long seed)
    {
        int n = graph.NodeCount;
        var scores = new float[n * n];
        var walker = new RandomWalker(graph, 16, 128);
        var random = new GanRandom(seed);
        for (int b = 0; b < batches; b++)
        {
            var walks = walker.NextBatch(random);
            for (int w = 0; w < 128; w++)
                for (int t = 1; t < 16; t++)
                {
                    int u = walks[w * 16 + t - 1], v = walks[w * 16 + t];
                    scores[u * n + v]++;
                    scores[v * n + u]++;
                }
        }
        return scores;
    }

    private static IEnumerable<(int, int, float)> Sparse(float[] dense, int n)
    {
        for (int k = 0; k < dense.Length; k++)
            if (dense[k] != 0) yield return (k / n, k % n, dense[k]);
    }

    [TestMethod]
    public void CoraMl_RequestedEdgeCountNoSelfLoopsEveryScoredNodeConnected()
    {
        // Walks on the full graph, assembled to the training graph's size, as the paper compares them: more pairs
        // are scored than edges requested, so the score-proportional step has a real choice to make.
        var full = Cora;
        int n = full.NodeCount, requested = GraphSplit.Create(full, seed: 2).Train.EdgeCount;
        var scores = WalkScores(full, 200, seed: 9);
        int scoredPairs = 0;
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (scores[i * n + j] > 0) scoredPairs++;
        Assert.IsTrue(scoredPairs > requested, $"{scoredPairs} scored pairs for {requested} edges");
        var graph = GraphAssembly.FromScores(scores, n, requested, new GanRandom(1));

        Assert.AreEqual(requested, graph.EdgeCount);
        Assert.AreEqual(n, graph.NodeCount);
        for (int i = 0; i < n; i++)
        {
            Assert.IsFalse(graph.Neighbors(i).Contains(i), $"self loop at {i}");
            bool scored = false;
            for (int j = 0; j < n && !scored; j++) scored = j != i && scores[i * n + j] > 0;
            if (scored) Assert.IsTrue(graph.Degree(i) >= 1, $"node {i} has scores but no edge");
        }
        foreach (var (u, v) in graph.Edges())
            Assert.IsTrue(scores[u * n + v] > 0, $"({u}, {v}) has no score");
        // Walks only move along edges, so every assembled edge is one of the graph's.
        Assert.AreEqual(1.0, GraphMetrics.EdgeOverlap(graph, full), 1e-12);

        var again = GraphAssembly.FromScores(scores, n, requested, new GanRandom(1));
        CollectionAssert.AreEqual(graph.Edges(), again.Edges(), "same scores and seed, same graph");
        var sparse = GraphAssembly.FromScores(Sparse(scores, n), n, requested, new GanRandom(1));
        CollectionAssert.AreEqual(graph.Edges(), sparse.Edges(), "the sparse form gives the dense form's graph");
        var other = GraphAssembly.FromScores(scores, n, requested, new GanRandom(2));
        CollectionAssert.AreNotEqual(graph.Edges(), other.Edges());
    }

    [TestMethod]
    public void SymmetrisesAndIgnoresTheDiagonal()
    {
        // Only S[0, 1] and S[2, 1] are set (one direction each), and a large diagonal.
        const int n = 4;
        var scores = new float[n * n];
        scores[0 * n + 1] = 1;
        scores[2 * n + 1] = 3;
        for (int i = 0; i < n; i++) scores[i * n + i] = 100;
        var g = GraphAssembly.FromScores(scores, n, 2, new GanRandom(0));
        CollectionAssert.AreEqual(new[] { (0, 1), (1, 2) }, g.Edges());
        Assert.AreEqual(0, g.Degree(3), "node 3 has only a diagonal score");
    }

    [TestMethod]
    public void FewerScoredPairsThanRequested_GivesEveryScoredPair()
    {
        var scores = new float[5 * 5];
        scores[0 * 5 + 1] = scores[1 * 5 + 0] = 1;
        scores[3 * 5 + 4] = scores[4 * 5 + 3] = 2;
        scores[1 * 5 + 2] = 0.5f;
        var g = GraphAssembly.FromScores(scores, 5, 10, new GanRandom(0));
        CollectionAssert.AreEqual(new[] { (0, 1), (1, 2), (3, 4) }, g.Edges());
    }

    /// <summary>
    /// Nodes 0 … 5 paired {0, 1}, {2, 3}, {4, 5} by overwhelming scores, so step 2 (almost surely) takes exactly the
    /// pairs; the cross pairs {0, 2}, {0, 4}, {2, 4} weigh 1, 2 and 7 for step 3.
    /// </summary>
    private static float[] PairsAndCrossPairs()
    {
        const int n = 6;
        var scores = new float[n * n];
        void Set(int a, int b, float w) { scores[a * n + b] = w; scores[b * n + a] = w; }
        Set(0, 1, 1e7f); Set(2, 3, 1e7f); Set(4, 5, 1e7f);
        Set(0, 2, 1); Set(0, 4, 2); Set(2, 4, 7);
        return scores;
    }

    [TestMethod]
    public void ThirdStep_OneDrawIsProportionalToScore()
    {
        var scores = PairsAndCrossPairs();
        const int trials = 4000;
        var counts = new int[3];
        for (int seed = 0; seed < trials; seed++)
        {
            var g = GraphAssembly.FromScores(scores, 6, 4, new GanRandom(seed));
            Assert.AreEqual(4, g.EdgeCount);
            if (g.HasEdge(0, 2)) counts[0]++;
            if (g.HasEdge(0, 4)) counts[1]++;
            if (g.HasEdge(2, 4)) counts[2]++;
        }
        // Expected 400, 800, 2800; 5 standard deviations at most 5 · √(4000 · 0.3 · 0.7) ≈ 145.
        Assert.AreEqual(400, counts[0], 100);
        Assert.AreEqual(800, counts[1], 130);
        Assert.AreEqual(2800, counts[2], 145);
    }

    [TestMethod]
    public void ThirdStep_DrawsWithoutReplacementLikeSuccessiveDraws()
    {
        // Two of the three cross pairs, drawn one after the other in proportion to what is left (numpy's
        // choice(replace=False, p=…)): the pair left out is {2, 4} with probability 1/10 · 2/9 + 2/10 · 1/8 ≈ 0.0472,
        // {0, 4} with 1/10 · 7/9 + 7/10 · 1/3 ≈ 0.3111 and {0, 2} with 2/10 · 7/8 + 7/10 · 2/3 ≈ 0.6417.
        var scores = PairsAndCrossPairs();
        const int trials = 4000;
        var omitted = new int[3];
        for (int seed = 0; seed < trials; seed++)
        {
            var g = GraphAssembly.FromScores(scores, 6, 5, new GanRandom(seed));
            Assert.AreEqual(5, g.EdgeCount);
            if (!g.HasEdge(0, 2)) omitted[0]++;
            if (!g.HasEdge(0, 4)) omitted[1]++;
            if (!g.HasEdge(2, 4)) omitted[2]++;
        }
        Assert.AreEqual(trials, omitted.Sum());
        Assert.AreEqual(trials * 0.64167, omitted[0], 5 * Math.Sqrt(trials * 0.64167 * 0.35833));
        Assert.AreEqual(trials * 0.31111, omitted[1], 5 * Math.Sqrt(trials * 0.31111 * 0.68889));
        Assert.AreEqual(trials * 0.04722, omitted[2], 5 * Math.Sqrt(trials * 0.04722 * 0.95278));
    }

    [TestMethod]
    public void BadScores_AreRefused()
    {
        Assert.ThrowsExactly<ArgumentException>(() => GraphAssembly.FromScores(new float[8], 3, 2, new GanRandom(0)));
        var negative = new float[9];
        negative[1] = -1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GraphAssembly.FromScores(negative, 3, 2, new GanRandom(0))).Message,
            "S[0, 1] = -1");
        var nan = new float[9];
        nan[5] = float.NaN;
        Assert.ThrowsExactly<ArgumentException>(() => GraphAssembly.FromScores(nan, 3, 2, new GanRandom(0)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GraphAssembly.FromScores(new[] { (0, 3, 1f) }, 3, 2, new GanRandom(0)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GraphAssembly.FromScores(new float[9], 3, 0, new GanRandom(0)));
    }
}
