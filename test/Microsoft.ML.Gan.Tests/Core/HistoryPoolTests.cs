using Microsoft.ML.Gan.Core;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class HistoryPoolTests
{
    private static Tensor Images(params float[] values) =>
        stack(values.Select(v => full(new long[] { 1, 2, 2 }, v)).ToArray());

    private static float[] Ids(Tensor batch) =>
        Enumerable.Range(0, (int)batch.shape[0]).Select(i => batch[i, 0, 0, 0].item<float>()).ToArray();

    [TestMethod]
    public void BelowCapacityStoresAndReturnsTheInput()
    {
        using var pool = new HistoryPool(3);
        var random = new GanRandom(1);
        CollectionAssert.AreEqual(new[] { 1f, 2f }, Ids(pool.Query(Images(1, 2), random)));
        Assert.AreEqual(2, pool.Count);
    }

    [TestMethod]
    public void WhenFullAboutHalfTheImagesComeFromTheHistory()
    {
        using var pool = new HistoryPool(4);
        var random = new GanRandom(2);
        pool.Query(Images(1, 2, 3, 4), random);
        int fromHistory = 0, total = 0;
        for (int round = 0; round < 200; round++)
        {
            float fresh = 100 + round;
            var ids = Ids(pool.Query(Images(fresh), random));
            Assert.AreEqual(1, ids.Length);
            total++;
            if (ids[0] != fresh) fromHistory++;
            Assert.AreEqual(4, pool.Count, "A full pool keeps its size.");
        }
        Assert.IsTrue(fromHistory is > 70 and < 130, $"{fromHistory} of {total} came from the history; expected about half.");
    }

    [TestMethod]
    public void AnImageTakenFromTheHistoryIsReplacedByTheNewOne()
    {
        using var pool = new HistoryPool(1);
        var random = new GanRandom(5);
        pool.Query(Images(1), random);
        for (int round = 0; round < 20; round++)
        {
            float before = pool.Images[0][0, 0, 0, 0].item<float>();
            float returned = Ids(pool.Query(Images(50 + round), random))[0];
            float after = pool.Images[0][0, 0, 0, 0].item<float>();
            if (returned == before) Assert.AreEqual(50 + round, after, "The returned stored image is swapped for the new one.");
            else { Assert.AreEqual(50 + round, returned); Assert.AreEqual(before, after); }
        }
    }

    [TestMethod]
    public void SizeZeroPassesImagesThrough()
    {
        using var pool = new HistoryPool(0);
        var batch = Images(1, 2);
        Assert.AreSame(batch, pool.Query(batch, new GanRandom(1)));
        Assert.AreEqual(0, pool.Count);
    }
}
