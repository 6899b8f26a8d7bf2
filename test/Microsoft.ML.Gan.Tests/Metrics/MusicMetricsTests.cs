namespace Microsoft.ML.Gan.Tests.Metrics;

/// <summary>The pitch-statistics MSE on hand-computed cases.</summary>
[TestClass]
public sealed class MusicMetricsTests
{
    [TestMethod]
    public void StatisticsOfASequenceAreMeanSpreadIntervalAndRange()
    {
        // [0, 4, 2]: mean 2; variance (4 + 4 + 0) / 3; intervals 4 and 2, mean 3; range 4.
        var s = MusicMetrics.PitchStatistics([0, 4, 2]);
        Assert.AreEqual(2, s[0], 1e-12);
        Assert.AreEqual(Math.Sqrt(8.0 / 3), s[1], 1e-12);
        Assert.AreEqual(3, s[2], 1e-12);
        Assert.AreEqual(4, s[3], 1e-12);
        CollectionAssert.AreEqual(new double[] { 5, 0, 0, 0 }, MusicMetrics.PitchStatistics([5]));
    }

    [TestMethod]
    public void MseComparesTheSetsMeanStatistics()
    {
        // Generated [0,4,2] -> (2, sqrt(8/3), 3, 4); real [1,1,1] -> (1, 0, 0, 0).
        // ((2-1)^2 + 8/3 + 9 + 16) / 4 = 28.6667 / 4.
        double mse = MusicMetrics.PitchStatisticsMse([[0, 4, 2]], [[1, 1, 1]]);
        Assert.AreEqual((1 + 8.0 / 3 + 9 + 16) / 4, mse, 1e-12);

        // Means are over sequences: {[0,0],[4,4]} has mean statistics (2, 0, 0, 0), as [2,2] does.
        Assert.AreEqual(0, MusicMetrics.PitchStatisticsMse([[0, 0], [4, 4]], [[2, 2]]), 1e-12);
        // Transposing by 3 semitones moves only the mean pitch: 3^2 / 4.
        Assert.AreEqual(9.0 / 4, MusicMetrics.PitchStatisticsMse([[3, 7, 5]], [[0, 4, 2]]), 1e-12);
    }

    [TestMethod]
    public void EmptySetsAndSequencesAreErrors()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => MusicMetrics.PitchStatisticsMse([[1, 2]], []));
        StringAssert.Contains(e.Message, "real");
        e = Assert.ThrowsExactly<ArgumentException>(() => MusicMetrics.PitchStatisticsMse([[1], []], [[1]]));
        StringAssert.Contains(e.Message, "generated sequence 1");
    }
}
