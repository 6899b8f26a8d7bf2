using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.CycleGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.CycleGan;

[TestClass]
public sealed class CycleGanModelTests
{
    [TestMethod]
    public void MixedPrecisionGivesNearlyTheFloat32GradientsAndKeepsFloat32State()
    {
        // One step from the same seed with and without the (internal) MixedPrecision switch: the generators' update
        // starts from the same weights and images, so its gradients differ only by the bfloat16 forward passes'
        // rounding. They must differ, yet point the same way (BENCHMARKS.md: cosine 0.93–0.95 at this size; with
        // oneDNN's bfloat16 kernels on this CPU it was 0.35–0.43, hence the library's CPU settings here).
        GanEnvironment.UseCpu();
        using var scope = NewDisposeScope();
        using var draws = new Generator(1);
        var images = rand(new long[] { 4, 3, 64, 64 }, generator: draws) * 2 - 1;
        var gradients = new List<Tensor>();
        foreach (bool mixed in new[] { false, true })
        {
            var options = new CycleGanEstimator.Options
            {
                BatchSize = 1, ResidualBlocks = 6, GeneratorFilters = 16, DiscriminatorFilters = 16, LoadSize = 0,
                Epochs = 1, DecayEpochs = 1, MixedPrecision = mixed,
            };
            using var model = new CycleGanModel(options, images.narrow(0, 0, 2), images.narrow(0, 2, 2), CPU, seed: 4);
            model.BeginEpoch(1);
            using (var stepScope = NewDisposeScope())
            {
                foreach (var (name, value) in model.TrainStep(new GanRandom(7)))
                {
                    Assert.AreEqual(ScalarType.Float32, value.dtype, name);
                    Assert.IsTrue(float.IsFinite(value.item<float>()), $"{name} is {value.item<float>()}");
                }
            }
            Assert.IsFalse(Autocast.IsEnabled(TorchSharp.DeviceType.CPU), "autocast is off again after the step");
            var networks = new nn.Module[] { model.GeneratorA, model.GeneratorB, model.DiscriminatorA, model.DiscriminatorB };
            Assert.IsTrue(networks.SelectMany(n => n.parameters()).All(p => p.dtype == ScalarType.Float32 && p.grad!.dtype == ScalarType.Float32));
            gradients.Add(cat(model.GeneratorA.parameters().Concat(model.GeneratorB.parameters()).Select(p => p.grad!.flatten()).ToArray()).clone());
            foreach (var network in networks) network.Dispose();
        }
        Assert.IsTrue((gradients[0] - gradients[1]).abs().max().item<float>() > 0, "the bfloat16 run computed something else");
        double cosine = nn.functional.cosine_similarity(gradients[0].unsqueeze(0), gradients[1].unsqueeze(0)).item<float>();
        Assert.IsTrue(cosine > 0.85, $"the two runs' generator gradients point the same way (cosine {cosine:F3})");
    }
}
