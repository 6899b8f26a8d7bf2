using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Gan.Tests.WaveGan;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

/// <summary>
/// <see cref="GanTrainerOptions.FlatAdam"/> wired into SeqGAN and WaveGAN: the same seeds train to the same weights
/// with and without it (GanAdamTests checks the optimiser itself against torch.optim.Adam).
/// </summary>
[TestClass]
public sealed class FlatAdamModelTests
{
    private static void AssertSameWeights(nn.Module expected, nn.Module actual, string network) =>
        SameTraining.AssertClose(expected, actual, network, "with the flat Adam");

    /// <summary>The model's optimisers, found by type so that the test does not depend on their field names.</summary>
    private static void AssertOptimizersFlat(object model, bool expected)
    {
        var optimizers = SameTraining.Fields<GanAdam>(model);
        Assert.IsTrue(optimizers.Count >= 2, $"{model.GetType().Name} has {optimizers.Count} GanAdam fields.");
        Assert.IsTrue(optimizers.All(o => o.IsFlat == expected), $"Expected every optimiser of {model.GetType().Name} with IsFlat {expected}.");
    }

    [TestMethod]
    public void SeqGanTrainsToTheSameWeightsWithTheFlatAdam()
    {
        // Every phase: MLE (its own Adam), D pretraining, one adversarial round (the second Adam over the same G).
        var settings = SameTraining.TinySeqGan();
        using var real = SameTraining.TinySeqGanData();
        using var perTensor = new SeqGanModel(settings, real, null, GanEnvironment.UseCpu(), seed: 1);
        using var flat = new SeqGanModel(settings with { FlatAdam = true }, real, null, GanEnvironment.UseCpu(), seed: 1);
        AssertOptimizersFlat(perTensor, false);
        AssertOptimizersFlat(flat, true);
        Assert.AreEqual(11L, perTensor.StepsPerEpoch, "2 MLE + 4 D pretraining + (1 G + 4 D) adversarial steps.");
        SameTraining.Train(perTensor);
        SameTraining.Train(flat);
        AssertSameWeights(perTensor.Generator, flat.Generator, "G");
        AssertSameWeights(perTensor.Discriminator, flat.Discriminator, "D");
        foreach (var m in new[] { perTensor, flat })
        {
            m.Generator.Dispose();
            m.Discriminator.Dispose();
        }
    }

    [TestMethod]
    public void WaveGanTrainsToTheSameWeightsWithTheFlatAdam()
    {
        using var clips = WaveGanModelTests.Sines(10);
        using var perTensor = new WaveGanModel(WaveGanModelTests.Tiny, clips, CPU, seed: 3);
        using var flat = new WaveGanModel(WaveGanModelTests.Tiny with { FlatAdam = true }, clips, CPU, seed: 3);
        AssertOptimizersFlat(perTensor, false);
        AssertOptimizersFlat(flat, true);
        foreach (var m in new[] { perTensor, flat })
        {
            SameTraining.Train(m, steps: 2);
        }
        AssertSameWeights(perTensor.Generator, flat.Generator, "G");
        AssertSameWeights(perTensor.Discriminator, flat.Discriminator, "D");
        foreach (var m in new[] { perTensor, flat })
        {
            m.Generator.Dispose();
            m.Discriminator.Dispose();
        }
    }
}
