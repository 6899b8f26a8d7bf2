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
        CollectionAssert.AreEqual(oneBatch.ToDense(), twoBatches.ToDense());
        Assert.AreEqual(50 * 4 * 2, oneBatch.ToDense().Sum(), "Each of the 200 transitions is counted twice (u→v and v→u).");
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
