using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using static Microsoft.ML.Gan.Tests.NetGan.TestGraphs;

namespace Microsoft.ML.Gan.Tests.NetGan;

[TestClass]
public sealed class RandomWalkerTests
{
    [TestMethod]
    public void EveryStepIsAnEdgeOfTheTrainingGraph()
    {
        var train = GraphSplit.Create(Cora, seed: 1).Train;
        var walker = new RandomWalker(train, walkLength: 16, batchSize: 128);
        var random = new GanRandom(42);
        for (int batch = 0; batch < 20; batch++)
        {
            var walks = walker.NextBatch(random);
            Assert.AreEqual(128 * 16, walks.Length);
            for (int w = 0; w < 128; w++)
                for (int t = 1; t < 16; t++)
                {
                    int a = walks[w * 16 + t - 1], b = walks[w * 16 + t];
                    Assert.IsTrue(train.HasEdge(a, b), $"walk {w} step {t}: ({a}, {b}) is not a training edge");
                }
        }
    }

    [TestMethod]
    public void TheModelsRealWalksAreTheWalkersBatchAsATensor()
    {
        var walker = new RandomWalker(Karate, walkLength: 8, batchSize: 16);
        var realWalks = NetGanModel.RealWalksFrom(walker);
        using var walks = realWalks(16, new GanRandom(5));
        CollectionAssert.AreEqual(new long[] { 16, 8 }, walks.shape);
        Assert.AreEqual(TorchSharp.torch.ScalarType.Int64, walks.dtype);
        CollectionAssert.AreEqual(walker.NextBatch(new GanRandom(5)).Select(v => (long)v).ToArray(), walks.data<long>().ToArray());
        // A walker made for another batch size would hand the model walks it did not ask for.
        var e = Assert.ThrowsExactly<ArgumentException>(() => realWalks(32, new GanRandom(5)));
        StringAssert.Contains(e.Message, "32");
    }

    [TestMethod]
    public void SameSeedSameWalks()
    {
        var walker = new RandomWalker(Karate, walkLength: 8, batchSize: 16);
        var a = walker.NextBatch(new GanRandom(5));
        var b = walker.NextBatch(new GanRandom(5));
        var c = walker.NextBatch(new GanRandom(6));
        CollectionAssert.AreEqual(a, b);
        CollectionAssert.AreNotEqual(a, c);
    }

    [TestMethod]
    public void WalksStayInTheirComponentAndSkipIsolatedNodes()
    {
        // Components {0, 1, 2}, {3, 4, 5, 6} and the isolated node 7.
        var g = Graph.FromEdges(new[] { (0, 1), (1, 2), (3, 4), (4, 5), (5, 6), (6, 3) }, nodeCount: 8).Graph;
        var component = g.ConnectedComponents(out _);
        var walker = new RandomWalker(g, walkLength: 10, batchSize: 200);
        var walks = walker.NextBatch(new GanRandom(3));
        var starts = new HashSet<int>();
        for (int w = 0; w < 200; w++)
        {
            var walk = walks.AsSpan(w * 10, 10);
            starts.Add(walk[0]);
            foreach (int node in walk) Assert.AreEqual(component[walk[0]], component[node]);
        }
        Assert.IsFalse(starts.Contains(7), "a node without edges cannot start a walk");
        Assert.AreEqual(7, starts.Count, "200 uniform starts reach all 7 nodes with edges");
        Assert.ThrowsExactly<ArgumentException>(() => walker.Walk(7, new int[10], new GanRandom(0)));
    }

    [TestMethod]
    public void BadArguments() 
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RandomWalker(Triangle, walkLength: 1));
        Assert.ThrowsExactly<ArgumentException>(() => new RandomWalker(Graph.FromEdges(Array.Empty<(int, int)>(), nodeCount: 3).Graph));
        Assert.ThrowsExactly<ArgumentException>(() => new RandomWalker(Triangle, 4, 2).NextBatch(new int[7], new GanRandom(0)));
    }
}
