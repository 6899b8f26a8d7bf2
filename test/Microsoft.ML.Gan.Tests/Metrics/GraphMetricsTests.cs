using static Microsoft.ML.Gan.Tests.NetGan.TestGraphs;

namespace Microsoft.ML.Gan.Tests.Metrics;

[TestClass]
public sealed class GraphMetricsTests
{
    private const double Tol = 1e-12;

    [TestMethod]
    public void Triangle_ByHand()
    {
        var s = GraphMetrics.Compute(Triangle);
        Assert.AreEqual((2, 2, 1L, 3L, 0L), (s.MaxDegree, s.MinDegree, s.TriangleCount, s.WedgeCount, s.ClawCount));
        Assert.IsTrue(double.IsNaN(s.ClusteringCoefficient), "no claws: 3 · 1 / 0");
        Assert.IsTrue(double.IsNaN(s.Assortativity), "every end has degree 2");
        Assert.IsTrue(double.IsNaN(s.PowerLawExponent), "every degree equals x_min = 2");
        Assert.AreEqual(1.0, s.CharacteristicPathLength, Tol);
        Assert.AreEqual((3, 1), (s.LargestComponentSize, s.ComponentCount));
        // Sorted degrees 2, 2, 2 counted from 0: 2 · (0 + 2 + 4) / (3 · 6) − 4/3 = −2/3 (the code's 2/n offset).
        Assert.AreEqual(-2.0 / 3, s.Gini, Tol);
        // m = 3: 3 · −(2/6) · ln(2.0001/6), over ln 3.
        Assert.AreEqual(-Math.Log(2.0001 / 6) / Math.Log(3), s.EdgeDistributionEntropy, Tol);
    }

    [TestMethod]
    public void DegreeDistribution_CountsNodesPerDegree()
    {
        CollectionAssert.AreEqual(new[] { (1, 4), (4, 1) }, GraphMetrics.DegreeDistribution(Star).ToArray());
        var withIsolated = Graph.FromEdges(new[] { (0, 1), (1, 2), (2, 0), (2, 3) }, nodeCount: 6).Graph;
        CollectionAssert.AreEqual(new[] { (0, 2), (1, 1), (2, 2), (3, 1) }, GraphMetrics.DegreeDistribution(withIsolated).ToArray());
        Assert.AreEqual(Cora.NodeCount, GraphMetrics.DegreeDistribution(Cora).Sum(d => d.NodeCount));
    }

    [TestMethod]
    public void PaperTable_ListsTheStatisticsWithTheirValues()
    {
        var plain = GraphMetrics.Compute(Karate);
        var rows = plain.PaperTable();
        Assert.AreEqual(plain.MaxDegree, rows.Single(r => r.Name == "max degree").Value);
        Assert.AreEqual(plain.TriangleCount, rows.Single(r => r.Name == "triangles").Value);
        Assert.AreEqual(plain.CharacteristicPathLength, rows.Single(r => r.Name == "characteristic path length").Value);
        Assert.IsFalse(rows.Any(r => r.Name.Contains("community")), "no labels, no community densities");

        var labelled = GraphMetrics.Compute(Karate, KarateClubs).PaperTable();
        Assert.AreEqual(rows.Count + 2, labelled.Count);
        Assert.AreEqual(GraphMetrics.Compute(Karate, KarateClubs).IntraCommunityDensity, labelled.Single(r => r.Name == "intra-community density").Value);
        Assert.IsTrue(labelled.All(r => r.Value.ToString(r.Format, System.Globalization.CultureInfo.InvariantCulture).Length > 0));
    }

    [TestMethod]
    public void Star_ByHand()
    {
        var g = Star;
        Assert.AreEqual(4, GraphMetrics.MaxDegree(g));
        Assert.AreEqual(1, GraphMetrics.MinDegree(g));
        Assert.AreEqual(0, GraphMetrics.TriangleCount(g));
        Assert.AreEqual(6, GraphMetrics.WedgeCount(g));   // C(4, 2)
        Assert.AreEqual(4, GraphMetrics.ClawCount(g));    // C(4, 3)
        Assert.AreEqual(0.0, GraphMetrics.ClusteringCoefficient(g));
        Assert.AreEqual(-1.0, GraphMetrics.DegreeAssortativity(g), Tol);
        // x_min = 1, five degrees, Σ ln d = ln 4.
        Assert.AreEqual(1 + 5 / Math.Log(4), GraphMetrics.PowerLawExponent(g), Tol);
        // 8 ordered centre–leaf pairs at 1, 12 leaf–leaf pairs at 2: 32 / 20.
        Assert.AreEqual(1.6, GraphMetrics.CharacteristicPathLength(g), Tol);
        // Sorted 1, 1, 1, 1, 4: 2 · (0 + 1 + 2 + 3 + 16) / (5 · 8) − 6/5 = −0.1.
        Assert.AreEqual(-0.1, GraphMetrics.Gini(g), Tol);
        double entropy = (-(4 / 8.0) * Math.Log(4.0001 / 8) - 4 * (1 / 8.0) * Math.Log(1.0001 / 8)) / Math.Log(5);
        Assert.AreEqual(entropy, GraphMetrics.EdgeDistributionEntropy(g), Tol);
    }

    [TestMethod]
    public void Path_ByHand()
    {
        var g = Path4;
        Assert.AreEqual(0, GraphMetrics.TriangleCount(g));
        Assert.AreEqual(2, GraphMetrics.WedgeCount(g));
        Assert.AreEqual(0, GraphMetrics.ClawCount(g));
        // Ends (1,2), (2,2), (2,1) both ways: mean 5/3, E[xy] = 8/3, E[x²] = 3: (8/3 − 25/9) / (3 − 25/9) = −1/2.
        Assert.AreEqual(-0.5, GraphMetrics.DegreeAssortativity(g), Tol);
        // Distances 1, 2, 3, 1, 2, 1.
        Assert.AreEqual(10.0 / 6, GraphMetrics.CharacteristicPathLength(g), Tol);
        Assert.AreEqual(1 + 4 / (2 * Math.Log(2)), GraphMetrics.PowerLawExponent(g), Tol);
        // Sorted 1, 1, 2, 2: 2 · 11 / 24 − 5/4.
        Assert.AreEqual(22.0 / 24 - 1.25, GraphMetrics.Gini(g), Tol);
    }

    [TestMethod]
    public void TwoTrianglesJoined_ByHand()
    {
        var g = TwoTriangles;   // degrees 2, 2, 3, 3, 2, 2
        Assert.AreEqual(2, GraphMetrics.TriangleCount(g));
        Assert.AreEqual(4 * 1 + 2 * 3, GraphMetrics.WedgeCount(g));
        Assert.AreEqual(2, GraphMetrics.ClawCount(g));
        // The paper's 3 · triangles / claws exceeds 1 here: it is not the transitivity (3 · 2 / 10 = 0.6).
        Assert.AreEqual(3.0, GraphMetrics.ClusteringCoefficient(g), Tol);
        // Over the 14 ends: mean 17/7, E[xy] = 41/7, E[x²] = 43/7: (−2/49) / (12/49).
        Assert.AreEqual(-1.0 / 6, GraphMetrics.DegreeAssortativity(g), Tol);
        // 7 pairs at distance 1, 4 at 2, 4 at 3, over 15 pairs.
        Assert.AreEqual(27.0 / 15, GraphMetrics.CharacteristicPathLength(g), Tol);
        Assert.AreEqual(1 + 6 / (2 * Math.Log(1.5)), GraphMetrics.PowerLawExponent(g), Tol);
        Assert.AreEqual(-5.0 / 21, GraphMetrics.Gini(g), Tol);   // 2 · 39 / 84 − 7/6

        // Blocks: 6 ordered ends inside each triangle over 3 · 3, 1 across each way over 3 · 3; K = 2.
        var (intra, inter) = GraphMetrics.CommunityDensity(g, new[] { 0, 0, 0, 1, 1, 1 });
        Assert.AreEqual((2.0 / 3 + 2.0 / 3) / 4, intra, Tol);
        Assert.AreEqual((1.0 / 9 + 1.0 / 9) / 4, inter, Tol);

        var aa = GraphMetrics.AdamicAdar(g, new[] { (0, 1), (0, 3), (2, 4), (0, 4), (1, 2) });
        CollectionAssert.AreEqual(new[] { 1 / Math.Log(3), 1 / Math.Log(3), 1 / Math.Log(3), 0, 1 / Math.Log(2) }, aa);
    }

    [TestMethod]
    public void DisconnectedGraph_PathLengthOverConnectedPairsAndLargestComponent()
    {
        // A triangle and a separate edge, plus an isolated node.
        var g = Graph.FromEdges(new[] { (0, 1), (1, 2), (0, 2), (3, 4) }, nodeCount: 6).Graph;
        Assert.AreEqual(1.0, GraphMetrics.CharacteristicPathLength(g), Tol);
        Assert.AreEqual(3, GraphMetrics.LargestComponentSize(g));
        var s = GraphMetrics.Compute(g);
        Assert.AreEqual((3, 0), (s.ComponentCount, s.MinDegree));
        // x_min = max(0, 1) = 1 and the degree-0 node is dropped, as powerlaw drops values that are not positive.
        Assert.AreEqual(1 + 5 / (3 * Math.Log(2)), s.PowerLawExponent, Tol);
        Assert.IsTrue(double.IsNaN(GraphMetrics.CharacteristicPathLength(Graph.FromEdges(Array.Empty<(int, int)>(), 3).Graph)));
    }

    /// <summary>Reference: networkx 2.8.8 on <c>karate_club_graph()</c> (triangles, degree_assortativity_coefficient,
    /// average_shortest_path_length, adamic_adar_index), and the official code's formulas in numpy for the rest.</summary>
    [TestMethod]
    public void KarateClub_AgainstNetworkx()
    {
        var s = GraphMetrics.Compute(Karate, KarateClubs);
        Assert.AreEqual((34, 78, 17, 1), (s.NodeCount, s.EdgeCount, s.MaxDegree, s.MinDegree));
        Assert.AreEqual((45L, 528L, 1764L), (s.TriangleCount, s.WedgeCount, s.ClawCount));
        Assert.AreEqual(-0.47561309768461413, s.Assortativity, 1e-12);
        Assert.AreEqual(2.408199643493761, s.CharacteristicPathLength, 1e-12);
        Assert.AreEqual(1.780955527599628, s.PowerLawExponent, 1e-12);
        Assert.AreEqual(0.3265460030165914, s.Gini, 1e-12);
        Assert.AreEqual(0.9247028042957587, s.EdgeDistributionEntropy, 1e-12);
        Assert.AreEqual(0.11591695501730104, s.IntraCommunityDensity, 1e-12);
        Assert.AreEqual(0.019031141868512125, s.InterCommunityDensity, 1e-12);
        var aa = GraphMetrics.AdamicAdar(Karate, new[] { (0, 33), (5, 16), (0, 1), (2, 3) });
        double[] expected = [2.7110197222973085, 0.7213475204444817, 6.130716871863356, 2.158475828539753];
        for (int k = 0; k < expected.Length; k++) Assert.AreEqual(expected[k], aa[k], 1e-12);
    }

    /// <summary>
    /// Cora-ML (the full graph, 2,810 nodes). Max degree, assortativity and triangles are the values the project's data survey states;
    /// every value is checked against test/Microsoft.ML.Gan.Tests/Metrics/graph_reference.py, run with Debian's
    /// networkx 2.8.8, numpy 1.24 and scipy 1.10 (scipy's shortest_path for the path length, networkx for triangles
    /// and assortativity, the official code's formulas in numpy for the rest).
    /// </summary>
    [TestMethod]
    public void CoraMl_AgainstIndependentlyComputedValues()
    {
        var s = GraphMetrics.Compute(Cora, CoraLabels());
        Console.WriteLine(s);
        Assert.AreEqual((2810, 7981), (s.NodeCount, s.EdgeCount));
        Assert.AreEqual(246, s.MaxDegree);
        Assert.AreEqual(-0.077, s.Assortativity, 5e-4);
        Assert.AreEqual(5247, s.TriangleCount);

        Assert.AreEqual(1, s.MinDegree);
        Assert.AreEqual(137719, s.WedgeCount);
        Assert.AreEqual(3930163, s.ClawCount);
        Assert.AreEqual(-0.07659230751155909, s.Assortativity, 1e-12);
        Assert.AreEqual(1.767268173251812, s.PowerLawExponent, 1e-12);
        Assert.AreEqual(0.0040051773934058205, s.ClusteringCoefficient, 1e-15);
        Assert.AreEqual(5.271417621802822, s.CharacteristicPathLength, 1e-12);
        Assert.AreEqual((2810, 1), (s.LargestComponentSize, s.ComponentCount));
        Assert.AreEqual(0.49576150831534505, s.Gini, 1e-12);
        Assert.AreEqual(0.9385266303817796, s.EdgeDistributionEntropy, 1e-12);
        Assert.AreEqual(0.001971855663253624, s.IntraCommunityDensity, 1e-15);
        Assert.AreEqual(0.0005074482391438016, s.InterCommunityDensity, 1e-15);
    }

    [TestMethod]
    public void EdgeOverlap_KnownGraphs()
    {
        var a = Of((0, 1), (1, 2), (2, 3), (3, 0));
        var b = Of((1, 0), (2, 3), (0, 2), (1, 3));
        Assert.AreEqual(2, GraphMetrics.SharedEdgeCount(a, b));
        Assert.AreEqual(0.5, GraphMetrics.EdgeOverlap(a, b));
        Assert.AreEqual(1.0, GraphMetrics.EdgeOverlap(a, a));
        Assert.AreEqual(1.0, GraphMetrics.EdgeOverlap(Path4, a), "every path edge is in the cycle");
        Assert.AreEqual(0.75, GraphMetrics.EdgeOverlap(a, Path4));
        Assert.ThrowsExactly<ArgumentException>(() => GraphMetrics.EdgeOverlap(a, Triangle));
    }

    [TestMethod]
    public void RocAucAndAveragePrecision_NoTies()
    {
        double[] scores = [0.9, 0.8, 0.7, 0.6];
        bool[] labels = [true, false, true, false];
        // 0.9 beats both negatives, 0.7 beats 0.6 only: 3 of 4 pairs.
        Assert.AreEqual(0.75, GraphMetrics.RocAuc(scores, labels), Tol);
        // Thresholds 0.9 (R ½, P 1), 0.8 (R ½), 0.7 (R 1, P ⅔): ½ · 1 + ½ · ⅔.
        Assert.AreEqual(0.5 + 1.0 / 3, GraphMetrics.AveragePrecision(scores, labels), Tol);
    }

    [TestMethod]
    public void RocAucAndAveragePrecision_WithTies()
    {
        double[] scores = [0.5, 0.5, 0.2, 0.5, 0.1];
        bool[] labels = [true, true, true, false, false];
        // Pairs: the two 0.5 positives tie the 0.5 negative (½ each) and beat 0.1; 0.2 beats 0.1 only: 4 / 6.
        Assert.AreEqual(4.0 / 6, GraphMetrics.RocAuc(scores, labels), Tol);
        // One threshold for the three tied at 0.5 (R ⅔, P ⅔), then 0.2 (R 1, P ¾): ⅔ · ⅔ + ⅓ · ¾ = 25/36.
        Assert.AreEqual(25.0 / 36, GraphMetrics.AveragePrecision(scores, labels), Tol);

        double[] allTied = [1, 1, 1, 1, 1];
        Assert.AreEqual(0.5, GraphMetrics.RocAuc(allTied, labels), Tol);
        Assert.AreEqual(0.6, GraphMetrics.AveragePrecision(allTied, labels), Tol);
        Assert.AreEqual(1.0, GraphMetrics.RocAuc([3, 2, 1], [true, true, false]), Tol);
        Assert.AreEqual(0.0, GraphMetrics.RocAuc([1, 2, 3], [true, true, false]), Tol);
    }

    [TestMethod]
    public void RocAuc_MatchesCountingEveryPair()
    {
        var random = new Random(11);
        var scores = Enumerable.Range(0, 300).Select(_ => Math.Round(random.NextDouble(), 1)).ToArray();   // many ties
        var labels = scores.Select(s => random.NextDouble() < 0.3 + 0.4 * s).ToArray();
        double wins = 0;
        int pairs = 0;
        for (int i = 0; i < scores.Length; i++)
            for (int j = 0; j < scores.Length; j++)
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
        Assert.AreEqual(wins / pairs, GraphMetrics.RocAuc(scores, labels), 1e-12);
    }

    [TestMethod]
    public void LinkScores_BadInput()
    {
        Assert.ThrowsExactly<ArgumentException>(() => GraphMetrics.RocAuc([1, 2], [true, true]));
        Assert.ThrowsExactly<ArgumentException>(() => GraphMetrics.RocAuc([1, 2], [false, false]));
        Assert.ThrowsExactly<ArgumentException>(() => GraphMetrics.AveragePrecision([1, 2], [false, false]));
        Assert.ThrowsExactly<ArgumentException>(() => GraphMetrics.AveragePrecision([1, 2], [true]));
        Assert.ThrowsExactly<ArgumentException>(() => GraphMetrics.RocAuc([double.NaN, 2], [true, false]));
        Assert.ThrowsExactly<ArgumentException>(() => GraphMetrics.CommunityDensity(Triangle, new[] { 0, 2, 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => GraphMetrics.CommunityDensity(Triangle, new[] { 0, 1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GraphMetrics.AdamicAdar(Triangle, new[] { (0, 3) }));
    }
}
