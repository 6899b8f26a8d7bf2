using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.Tests.CycleGan;
using Microsoft.ML.Gan.Tests.WaveGan;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

/// <summary>
/// <see cref="GanTrainerOptions.NonBlockingCopies"/> on the CPU, where it must change nothing: the copies it changes
/// are host-to-GPU ones, checked on a GPU by <c>bench/gpu/wavegan-bf16.sh</c>.
/// </summary>
[TestClass]
public sealed class HostToDeviceTests
{
    [TestMethod]
    public void OnTheCpuANonBlockingCopyIsThePlainOne()
    {
        using var scope = NewDisposeScope();
        var host = arange(12, dtype: ScalarType.Float32).reshape(3, 4);
        var copy = HostToDevice.Copy(host, CPU, nonBlocking: true);
        Assert.AreEqual(DeviceType.CPU, copy.device.type);
        CollectionAssert.AreEqual(host.data<float>().ToArray(), copy.data<float>().ToArray());
    }

    [TestMethod]
    public void WaveGanTrainsToTheSameWeightsWithTheOptionOnTheCpu() =>
        SameTraining.AssertWaveGansTrainAlike(WaveGanModelTests.Tiny, WaveGanModelTests.Tiny with { NonBlockingCopies = true },
            "with NonBlockingCopies", steps: 2);

    [TestMethod]
    public void CycleGanTrainsToTheSameWeightsWithTheOptionOnTheCpu()
    {
        using var scope = NewDisposeScope();
        var (domainA, domainB) = CycleGanTestData.Domains();
        var models = new List<CycleGanModel>();
        foreach (bool nonBlocking in new[] { false, true })
        {
            var options = CycleGanTestData.TinyOptions();
            options.LoadSize = 28; // the resize-crop-flip runs on the copied batches
            options.NonBlockingCopies = nonBlocking;
            models.Add(new CycleGanModel(options, domainA, domainB, GanEnvironment.UseCpu(), seed: 4));
        }
        foreach (var model in models) SameTraining.Train(model, steps: 4);
        SameTraining.AssertClose(models[0].GeneratorA, models[1].GeneratorA, "G_A", "with NonBlockingCopies");
        SameTraining.AssertClose(models[0].GeneratorB, models[1].GeneratorB, "G_B", "with NonBlockingCopies");
        foreach (var model in models)
        {
            model.Dispose();
            foreach (var network in new nn.Module[] { model.GeneratorA, model.GeneratorB }) network.Dispose();
        }
    }
}
