using static Microsoft.ML.Gan.Tests.NetGan.TestGraphs;

namespace Microsoft.ML.Gan.Tests.NetGan;

[TestClass]
public sealed class GraphSplitTests
{
    private static HashSet<(int, int)> Set(IEnumerable<(int, int)> pairs) => pairs.ToHashSet();

    [TestMethod]
    public void CoraMl_SizesDisjointnessAndConnectedTrainingGraph()
    {
        var full = Cora;
        var split = GraphSplit.Create(full, 0.10, 0.05, seed: 481516234);

        // The official code's sizes: ⌊7981 · 0.85⌋ = 6783 train; 1198 held out, ⌊1198 · 2/3⌋ = 798 of them validate.
        Assert.AreEqual(6783, split.Train.EdgeCount);
        Assert.AreEqual(798, split.ValidationEdges.Count);
        Assert.AreEqual(400, split.TestEdges.Count);
        Assert.AreEqual(798, split.ValidationNonEdges.Count);
        Assert.AreEqual(400, split.TestNonEdges.Count);
        Assert.AreEqual(full.NodeCount, split.Train.NodeCount);

        var train = Set(split.Train.Edges());
        var validation = Set(split.ValidationEdges);
        var test = Set(split.TestEdges);
        Assert.AreEqual(798, validation.Count);
        Assert.AreEqual(400, test.Count);
        Assert.IsFalse(train.Overlaps(validation) || train.Overlaps(test) || validation.Overlaps(test));
        Assert.IsTrue(train.Concat(validation).Concat(test).ToHashSet().SetEquals(full.Edges()), "the three parts are the full graph");

        Assert.IsTrue(split.Train.IsConnected(), "the spanning tree keeps the training graph connected");
        Assert.IsTrue(split.Train.Degrees().All(d => d >= 1));

        var nonEdges = split.ValidationNonEdges.Concat(split.TestNonEdges).ToList();
        Assert.AreEqual(nonEdges.Count, nonEdges.Distinct().Count(), "no non-edge is drawn twice");
        foreach (var (u, v) in nonEdges)
        {
            Assert.IsTrue(u < v && u >= 0 && v < full.NodeCount, $"({u}, {v})");
            Assert.IsFalse(full.HasEdge(u, v), $"({u}, {v}) is an edge of the full graph");
        }
        foreach (var (u, v) in split.ValidationEdges.Concat(split.TestEdges)) Assert.IsTrue(u < v && full.HasEdge(u, v));
    }

    [TestMethod]
    public void SameSeedSameSplit_OtherSeedOtherSplit()
    {
        var a = GraphSplit.Create(Karate, seed: 7);
        var b = GraphSplit.Create(Karate, seed: 7);
        var c = GraphSplit.Create(Karate, seed: 8);
        CollectionAssert.AreEqual(a.Train.Edges(), b.Train.Edges());
        CollectionAssert.AreEqual(a.TestEdges.ToArray(), b.TestEdges.ToArray());
        CollectionAssert.AreEqual(a.ValidationNonEdges.ToArray(), b.ValidationNonEdges.ToArray());
        CollectionAssert.AreNotEqual(a.Train.Edges(), c.Train.Edges());

        // Karate: ⌊78 · 0.85⌋ = 66 train, 12 held out: 8 validate, 4 test.
        Assert.AreEqual((66, 8, 4, 8, 4), (a.Train.EdgeCount, a.ValidationEdges.Count, a.TestEdges.Count,
            a.ValidationNonEdges.Count, a.TestNonEdges.Count));
        Assert.IsTrue(a.Train.IsConnected());
    }

    [TestMethod]
    public void DisconnectedGraph_KeepsASpanningForest()
    {
        // Two complete graphs on 5 nodes: 2 components, each must keep a spanning tree.
        var edges = new List<(int, int)>();
        for (int offset = 0; offset <= 5; offset += 5)
            for (int i = 0; i < 5; i++)
                for (int j = i + 1; j < 5; j++) edges.Add((offset + i, offset + j));
        var full = Graph.FromEdges(edges).Graph;
        var split = GraphSplit.Create(full, 0.2, 0.1, seed: 3);
        full.ConnectedComponents(out int fullComponents);
        split.Train.ConnectedComponents(out int trainComponents);
        Assert.AreEqual(2, fullComponents);
        Assert.AreEqual(2, trainComponents, "no component is cut apart");
        Assert.AreEqual(14, split.Train.EdgeCount);
        Assert.AreEqual(6, split.ValidationEdges.Count + split.TestEdges.Count);
    }

    [TestMethod]
    public void TooLargeHoldOut_IsRefusedWithTheLimit()
    {
        // A 10-cycle: a spanning tree needs 9 of the 10 edges, but 15 % held out leaves ⌊8.5⌋ = 8.
        var cycle = Of(Enumerable.Range(0, 10).Select(i => (i, (i + 1) % 10)).ToArray());
        var error = Assert.ThrowsExactly<ArgumentException>(() => GraphSplit.Create(cycle, 0.10, 0.05));
        StringAssert.Contains(error.Message, "fewer than the 9 a spanning tree needs");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GraphSplit.Create(Karate, 0, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GraphSplit.Create(Karate, -0.1, 0.2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GraphSplit.Create(Karate, 0.6, 0.4));
    }
}
