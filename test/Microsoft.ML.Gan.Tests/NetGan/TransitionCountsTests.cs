using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.NetGan;

[TestClass]
public sealed class TransitionCountsTests
{
    [TestMethod]
    public void CountsEachTransitionInBothDirections()
    {
        var counts = new TransitionCounts(4);
        using var walks = tensor(new long[] { 0, 1, 2, 2, 1, 0 }, new long[] { 2, 3 });
        counts.Add(walks);
        Assert.AreEqual(4, counts.Transitions);
        Assert.AreEqual(2.0, counts[0, 1]);
        Assert.AreEqual(2.0, counts[1, 0]);
        Assert.AreEqual(2.0, counts[1, 2]);
        Assert.AreEqual(2.0, counts[2, 1]);
        Assert.AreEqual(0.0, counts[0, 2], "0 and 2 are never consecutive.");
        Assert.AreEqual(0.0, counts[3, 3]);
        Assert.AreEqual(2, counts.PairCount, "Only {0, 1} and {1, 2} are stored.");
        CollectionAssert.AreEqual(new (int, int, float)[] { (0, 1, 2f), (1, 0, 2f), (1, 2, 2f), (2, 1, 2f) }, counts.Entries().ToList(),
            "Entries list both directions in row-major order.");
    }

    [TestMethod]
    public void AWalkThatStaysOnANodeCountsTwiceOnTheDiagonal()
    {
        var counts = new TransitionCounts(3);
        using var walks = tensor(new long[] { 1, 1 }, new long[] { 1, 2 });
        counts.Add(walks);
        Assert.AreEqual(2.0, counts[1, 1], "As S = C + Cᵀ in the official code.");
        CollectionAssert.AreEqual(new (int, int, float)[] { (1, 1, 2f) }, counts.Entries().ToList());
    }

    [TestMethod]
    public void TheGraphAssembledFromTheEntriesIsTheOneTheDenseMatrixGives()
    {
        using var walks = randint(0, 12, new long[] { 40, 6 }, generator: new Generator(5));
        var counts = new TransitionCounts(12);
        counts.Add(walks);
        var dense = new float[12 * 12];
        for (int u = 0; u < 12; u++)
            for (int v = 0; v < 12; v++) dense[u * 12 + v] = (float)counts[u, v];
        var fromDense = GraphAssembly.FromScores(dense, 12, 20, new GanRandom(9));
        var fromEntries = GraphAssembly.FromScores(counts.Entries(), 12, 20, new GanRandom(9));
        CollectionAssert.AreEqual(fromDense.Edges().ToList(), fromEntries.Edges().ToList());
    }

    [TestMethod]
    public void AssemblingFromThePairsAsStoredGivesTheGraphOfTheEntries()
    {
        // Walks over few nodes repeat pairs and step in place (the diagonal, which no graph keeps); over many, most
        // pairs are seen once. Edge counts below and above what step 2 alone gives.
        foreach (var (nodes, walkCount, seed) in new[] { (12, 40, 5), (300, 400, 6) })
        {
            using var walks = randint(0, nodes, new long[] { walkCount, 8 }, generator: new Generator((ulong)seed));
            var counts = new TransitionCounts(nodes);
            counts.Add(walks);
            foreach (int edges in new[] { nodes / 3, 2 * nodes })
            {
                var fromEntries = GraphAssembly.FromScores(counts.Entries(), nodes, edges, new GanRandom(edges));
                var fromPairs = counts.AssembleGraph(edges, new GanRandom(edges));
                CollectionAssert.AreEqual(fromEntries.Edges().ToList(), fromPairs.Edges().ToList(), $"{nodes} nodes, {edges} edges");
            }
        }
    }

    [TestMethod]
    public void BatchesAddUpToTheCountsOfAllWalks()
    {
        using var walks = randint(0, 7, new long[] { 50, 5 }, generator: new Generator(3));
        var oneBatch = new TransitionCounts(7);
        oneBatch.Add(walks);
        var twoBatches = new TransitionCounts(7);
        twoBatches.Add(walks[..20]);
        twoBatches.Add(walks[20..]);
        CollectionAssert.AreEqual(oneBatch.Entries().ToList(), twoBatches.Entries().ToList());
        Assert.AreEqual(50 * 4 * 2, oneBatch.Entries().Sum(e => e.Score), "Each of the 200 transitions is counted twice (u→v and v→u).");
    }

    [TestMethod]
    public void ANodeOutsideTheGraphIsRefused()
    {
        var counts = new TransitionCounts(3);
        using var walks = tensor(new long[] { 0, 1, 5 }, new long[] { 1, 3 });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => counts.Add(walks));
        StringAssert.Contains(e.Message, "5");
    }
}
