using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.Tests.Core;
using Microsoft.ML.Gan.WaveGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.WaveGan;

[TestClass]
public sealed class WaveGanModelTests
{
    internal static WaveGanSettings Tiny => new() { LatentSize = 8, ModelSize = 2, BatchSize = 2, DiscriminatorUpdates = 5, Epochs = 1 };

    /// <summary>[count, 1, 16384] sine waves of different pitches, peak 1.</summary>
    internal static Tensor Sines(int count)
    {
        var t = arange(16384, dtype: float32) / 16000f;
        return stack(Enumerable.Range(0, count).Select(i => (t * (2 * Math.PI * (220 + 110 * i))).sin()).ToArray()).unsqueeze(1);
    }

    private static Tensor Weight(nn.Module module, string name) => module.named_parameters().Single(p => p.name == name).parameter;

    [TestMethod]
    public void ACriticWithMatrixProductConvolutionsTrainsToTheSameWeights()
    {
        var products = Tiny with { ConvolutionForm = ConvolutionForm.MatrixProduct };
        using (var clips = Sines(10))
        using (var model = new WaveGanModel(products, clips, CPU, seed: 3))
        {
            Assert.AreEqual(ConvolutionForm.MatrixProduct, ((WaveGanDiscriminator)model.Discriminator).ConvolutionForm, "the setting reaches the critic");
            model.Generator.Dispose();
            model.Discriminator.Dispose();
        }
        SameTraining.AssertWaveGansTrainAlike(Tiny, products, "with the critic's convolutions as matrix products", steps: 3);
    }

    [TestMethod]
    [DataRow(WaveGanArchitecture.WaveGan)]
    [DataRow(WaveGanArchitecture.SpecGan)]
    public void TrainsAFewStepsWithFiniteLossesAndMovesBothNetworks(WaveGanArchitecture architecture)
    {
        using var clips = Sines(10);
        using var model = new WaveGanModel(Tiny with { Architecture = architecture }, clips, CPU, seed: 3);
        Assert.AreEqual(1L, model.StepsPerEpoch, "10 clips / (2 × 5) per step.");
        Assert.AreEqual(architecture == WaveGanArchitecture.SpecGan, model.Spectrogram is not null);
        var g0 = Weight(model.Generator, "upconv.0.conv.weight").clone();
        var d0 = Weight(model.Discriminator, "downconv.0.conv.weight").clone();
        model.BeginEpoch(1);
        for (int step = 0; step < 2; step++)
        {
            using var scope = NewDisposeScope();
            var losses = model.TrainStep(new GanRandom(step));
            CollectionAssert.AreEqual(new[] { "D", "G", "GP" }, losses.Select(l => l.Name).ToArray());
            foreach (var (name, value) in losses) Assert.IsTrue(float.IsFinite(value.item<float>()), $"{name} is {value.item<float>()}");
        }
        Assert.IsFalse(g0.allclose(Weight(model.Generator, "upconv.0.conv.weight")), "G was updated.");
        Assert.IsFalse(d0.allclose(Weight(model.Discriminator, "downconv.0.conv.weight")), "D was updated.");
        Assert.IsTrue(model.Discriminator.parameters().All(p => p.requires_grad), "D is unfrozen after the generator's update.");
        model.Generator.Dispose();
        model.Discriminator.Dispose();
        model.Spectrogram?.Dispose();
    }

    [TestMethod]
    [DataRow(WaveGanArchitecture.WaveGan)]
    [DataRow(WaveGanArchitecture.SpecGan)]
    public void MixedPrecisionTrainsLikeFloat32WithFloat32WeightsAndGradients(WaveGanArchitecture architecture)
    {
        // The same seed with and without MixedPrecision: the bfloat16 forward passes round differently, so the weights
        // must differ, but both runs must move the weights the same way; and autocast must not outlive the step. The
        // library's CPU settings (oneDNN off), as training applies them: oneDNN's bfloat16 kernels differ.
        GanEnvironment.UseCpu();
        var updates = new List<Tensor>();
        using var scope = NewDisposeScope();
        foreach (bool mixed in new[] { false, true })
        {
            using var clips = Sines(10);
            using var model = new WaveGanModel(Tiny with { ModelSize = 4, MixedPrecision = mixed, Architecture = architecture }, clips, CPU, seed: 3);
            var parameters = model.Generator.parameters().Concat(model.Discriminator.parameters()).ToArray();
            var before = cat(parameters.Select(p => p.detach().flatten()).ToArray()).clone();
            model.BeginEpoch(1);
            for (int step = 0; step < 2; step++)
            {
                using var stepScope = NewDisposeScope();
                foreach (var (name, value) in model.TrainStep(new GanRandom(step)))
                {
                    Assert.AreEqual(ScalarType.Float32, value.dtype, name);
                    Assert.IsTrue(float.IsFinite(value.item<float>()), $"{name} is {value.item<float>()}");
                }
                Assert.IsFalse(Autocast.IsEnabled(TorchSharp.DeviceType.CPU), "autocast is off again after the step");
            }
            Assert.IsTrue(parameters.All(p => p.dtype == ScalarType.Float32 && (p.grad is null || p.grad.dtype == ScalarType.Float32)));
            updates.Add(cat(parameters.Select(p => p.detach().flatten()).ToArray()) - before);
            model.Generator.Dispose();
            model.Discriminator.Dispose();
            model.Spectrogram?.Dispose();
        }
        Assert.IsTrue((updates[0] - updates[1]).abs().max().item<float>() > 0, "the bfloat16 run computed something else");
        double cosine = nn.functional.cosine_similarity(updates[0].unsqueeze(0), updates[1].unsqueeze(0)).item<float>();
        Assert.IsTrue(cosine > 0.9, $"the two runs' updates point the same way (cosine {cosine:F3})");
    }

    [TestMethod]
    public void ASpecGanStepDoesNotDependOnTheCpuConvolutionKernels()
    {
        // oneDNN (on with one libtorch thread) computed the critic's one-channel input gradient wrongly at d = 8, so the
        // gradient penalty and the generator's update differed from libtorch's own kernels and training ran away. A
        // step must end in the same weights whichever setting it starts from.
        int threads = get_num_threads();
        try
        {
            set_num_threads(1);
            var weights = new List<float[]>();
            foreach (bool oneDnn in new[] { true, false })
            {
                using var scope = NewDisposeScope();
                using var clips = Sines(4);
                using var model = new WaveGanModel(Tiny with { Architecture = WaveGanArchitecture.SpecGan, ModelSize = 8, BatchSize = 4, DiscriminatorUpdates = 1 },
                    clips, CPU, seed: 5);
                LibTorchContext.OneDnnEnabled = oneDnn;
                model.BeginEpoch(1);
                model.TrainStep(new GanRandom(1));
                Assert.AreEqual(oneDnn, LibTorchContext.OneDnnEnabled, "The step leaves the setting as it found it.");
                weights.Add(model.Generator.parameters().Concat(model.Discriminator.parameters())
                    .SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray());
                model.Generator.Dispose();
                model.Discriminator.Dispose();
                model.Spectrogram?.Dispose();
            }
            CollectionAssert.AreEqual(weights[1], weights[0]);
        }
        finally
        {
            set_num_threads(threads);
            GanEnvironment.UseCpu();
        }
    }

    [TestMethod]
    public void TheCriticSeesEveryClipOncePerEpoch()
    {
        using var clips = arange(10, dtype: float32).view(10, 1, 1).expand(10, 1, 16384).contiguous();
        using var model = new WaveGanModel(Tiny with { DiscriminatorUpdates = 1, BatchSize = 5 }, clips, CPU, seed: 1);
        Assert.AreEqual(2L, model.StepsPerEpoch);
        model.BeginEpoch(1);
        var seen = new List<float>();
        foreach (var step in new[] { 0, 1 })
        {
            using var batch = model.RealBatch(0);
            seen.AddRange(batch[.., 0, 0].data<float>().ToArray());
            model.TrainStep(new GanRandom(step));
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), seen.ToArray());
        model.Generator.Dispose();
        model.Discriminator.Dispose();
    }
}
