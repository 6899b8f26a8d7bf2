using Microsoft.ML.Gan.Core;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class ScheduleAndRandomTests
{
    [TestMethod]
    public void LinearDecayFollowsTheOfficialCode()
    {
        // 100 + 100 epochs at 2e-4: factor(e) = 1 − max(0, e + 1 − 100) / 101, updated at the start of each epoch.
        var s = new LinearDecaySchedule(2e-4, 100, 100);
        Assert.AreEqual(200, s.TotalEpochs);
        Assert.AreEqual(2e-4, s.RateAt(1), 1e-15);
        Assert.AreEqual(2e-4, s.RateAt(99), 1e-15);
        Assert.AreEqual(2e-4 * 100 / 101, s.RateAt(100), 1e-15);
        Assert.AreEqual(2e-4 * 50 / 101, s.RateAt(150), 1e-15);
        Assert.AreEqual(0, s.RateAt(200), 1e-15);
        for (int e = 100; e < 200; e++) Assert.IsTrue(s.RateAt(e + 1) < s.RateAt(e));
    }

    [TestMethod]
    public void WithoutDecayEpochsTheRateStaysConstant()
    {
        var s = new LinearDecaySchedule(1e-3, 3, 0);
        CollectionAssert.AreEqual(new[] { 1e-3, 1e-3, 1e-3 }, new[] { s.RateAt(1), s.RateAt(2), s.RateAt(3) });
    }

    [TestMethod]
    public void RandomIsReproducibleAndItsStateResumesTheSequence()
    {
        var a = new GanRandom(42);
        var b = new GanRandom(42);
        for (int i = 0; i < 10; i++) Assert.AreEqual(a.NextUInt64(), b.NextUInt64());
        var state = a.GetState();
        var expected = Enumerable.Range(0, 5).Select(_ => a.NextDouble()).ToArray();
        var c = new GanRandom(0);
        c.SetState(state);
        CollectionAssert.AreEqual(expected, Enumerable.Range(0, 5).Select(_ => c.NextDouble()).ToArray());
        Assert.AreNotEqual(new GanRandom(1).NextUInt64(), new GanRandom(2).NextUInt64());
    }

    [TestMethod]
    public void PermutationIsAPermutation()
    {
        var p = new GanRandom(3).Permutation(100);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 100).ToArray(), p);
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 100).ToArray(), p);
    }
}
