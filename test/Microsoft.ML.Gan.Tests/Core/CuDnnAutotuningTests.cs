using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.Tests.CycleGan;
using Microsoft.ML.Gan.Tests.WaveGan;

namespace Microsoft.ML.Gan.Tests.Core;

/// <summary>
/// The CuDnnAutotuning option switches libtorch's process-wide cuDNN setting for the length of a Fit only. The switch is
/// in libtorch's CPU library, so it can be watched from a progress report on the CPU, where it changes nothing else.
/// </summary>
[TestClass]
public sealed class CuDnnAutotuningTests
{
    [TestMethod]
    public void WaveGanTrainsWithAutotuningByDefaultAndRestoresTheSettingAfter()
    {
        var ml = new MLContext(seed: 1);
        var options = WaveGanEstimatorTests.Tiny();
        var seen = Watch(options);
        Assert.AreEqual(false, LibTorchContext.CuDnnBenchmark);
        ml.Transforms.Gan().WaveGan(options).Fit(WaveGanEstimatorTests.TrainingData(ml)).Dispose();
        Assert.IsTrue(seen.Count > 0 && seen.All(on => on == true), "on during every step reported");
        Assert.AreEqual(false, LibTorchContext.CuDnnBenchmark, "off again after Fit");
    }

    [TestMethod]
    public void CycleGanTrainsWithItByDefaultUnlessToldNotAndThenRestoresIt()
    {
        // Null is on for every GAN; here for CycleGAN, with false and true besides.
        var ml = new MLContext(seed: 1);
        foreach (bool? option in new bool?[] { null, false, true })
        {
            var options = CycleGanTestData.TinyOptions();
            options.CuDnnAutotuning = option;
            var seen = Watch(options);
            ml.Transforms.Gan().CycleGan(options).Fit(CycleGanTestData.TrainingData(ml)).Dispose();
            Assert.IsTrue(seen.Count > 0 && seen.All(on => on == (option != false)), $"option {option?.ToString() ?? "null"}");
            Assert.AreEqual(false, LibTorchContext.CuDnnBenchmark, "off again after Fit");
        }
    }

    /// <summary>Records the setting at every step's progress report.</summary>
    private static List<bool?> Watch(GanTrainerOptions options)
    {
        var seen = new List<bool?>();
        options.ProgressInterval = TimeSpan.Zero;
        options.Progress = new SyncProgress(_ => seen.Add(LibTorchContext.CuDnnBenchmark));
        return seen;
    }
}
