using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using Microsoft.ML.Gan.WaveGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.WaveGan;

[TestClass]
public sealed class SpecGanNetworksTests
{
    private static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());

    private static long[] LayerCounts(nn.Module module) =>
        module.named_children().SelectMany(c => c.module is TorchSharp.Modules.ModuleList<SameConvTranspose2d> or TorchSharp.Modules.ModuleList<SameConv2d>
            ? c.module.named_children().Select(l => Count(l.module)) : new[] { Count(c.module) }).ToArray();

    [TestMethod]
    public void ParameterCountsAreTheOfficialArchitectures()
    {
        // specgan.py at d = 64, z of 100, kernel 5 × 5, every layer with a bias:
        // G: z_project 100·(4·4·1024) + 4·4·1024; upconv_i: 5·5·c_in·c_out + c_out for 1024→512→256→128→64→1.
        var generatorLayers = new long[]
        {
            100L * 16384 + 16384,     // 1,654,784
            25L * 1024 * 512 + 512,   // 13,107,712
            25L * 512 * 256 + 256,    // 3,277,056
            25L * 256 * 128 + 128,    // 819,328
            25L * 128 * 64 + 64,      // 204,864
            25L * 64 * 1 + 1,         // 1,601
        };
        // D: downconv_i: 5·5·c_in·c_out + c_out for 1→64→128→256→512→1024; output 4·4·1024 + 1.
        var discriminatorLayers = new long[]
        {
            25L * 1 * 64 + 64,        // 1,664
            25L * 64 * 128 + 128,     // 204,928
            25L * 128 * 256 + 256,    // 819,456
            25L * 256 * 512 + 512,    // 3,277,312
            25L * 512 * 1024 + 1024,  // 13,108,224
            16384L + 1,               // 16,385
        };
        using var g = new SpecGanGenerator(latentSize: 100, modelSize: 64);
        using var d = new SpecGanDiscriminator(modelSize: 64);
        CollectionAssert.AreEqual(generatorLayers, LayerCounts(g));
        CollectionAssert.AreEqual(discriminatorLayers, LayerCounts(d));
        Assert.AreEqual(19_065_345L, Count(g));
        Assert.AreEqual(17_427_969L, Count(d));
    }

    [TestMethod]
    public void ShapesAreThePapers128By128()
    {
        using var _ = NewDisposeScope();
        using var g = new SpecGanGenerator(latentSize: 3, modelSize: 1);
        using var d = new SpecGanDiscriminator(modelSize: 1);
        var x = g.forward(rand(2, 3) * 2 - 1);
        CollectionAssert.AreEqual(new long[] { 2, 1, 128, 128 }, x.shape);
        Assert.IsTrue(x.abs().max().item<float>() <= 1f, "tanh output");
        CollectionAssert.AreEqual(new long[] { 2 }, d.forward(x).shape);
    }

    [TestMethod]
    public void ConvolutionsAlignAsTensorFlowSame()
    {
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        // A 5 × 5 kernel whose only tap is (1, 1): TF's SAME pads 1 row and column before and 2 after, so output (i, j)
        // reads input (2i, 2j) exactly, and the transposed convolution writes input (i, j) to output (2i, 2j).
        var x = arange(1, 65, dtype: float32).view(1, 1, 8, 8);
        using var conv = new SameConv2d(1, 1, 5, 2);
        conv.conv.weight!.zero_();
        conv.conv.weight[0, 0, 1, 1] = tensor(1f);
        conv.conv.bias!.zero_();
        var expected = x[0, 0].index_select(0, tensor(new long[] { 0, 2, 4, 6 })).index_select(1, tensor(new long[] { 0, 2, 4, 6 }));
        Assert.IsTrue((conv.forward(x)[0, 0] == expected).all().item<bool>());

        using var up = new SameConvTranspose2d(1, 1, 5, 2);
        up.conv.weight!.zero_();
        up.conv.weight[0, 0, 1, 1] = tensor(1f);
        up.conv.bias!.zero_();
        var small = arange(1, 5, dtype: float32).view(1, 1, 2, 2);
        var y = up.forward(small)[0, 0];
        CollectionAssert.AreEqual(new long[] { 4, 4 }, y.shape);
        CollectionAssert.AreEqual(new float[] { 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0 }, y.data<float>().ToArray());
    }

    /// <summary>Relative L2 error of a float32 result against its float64 reference.</summary>
    private static double RelativeError(Tensor single, Tensor reference) =>
        ((single.to(float64) - reference).norm() / reference.norm()).item<double>();

    /// <summary>A float64 copy of a module, with the same weights (float64 convolutions do not go through oneDNN).</summary>
    private static T Float64Copy<T>(T module, Func<T> make) where T : nn.Module
    {
        var copy = make();
        copy.to(float64);
        using var _ = no_grad();
        foreach (var ((_, source), (_, target)) in module.named_parameters().Zip(copy.named_parameters())) target.copy_(source);
        return copy;
    }

    [TestMethod]
    public void NetworksAreRightOnTheCpuWithTheLibrarysOneThreadSettings()
    {
        // With one libtorch thread the library trains through oneDNN, whose AVX-512 kernels got SpecGAN's one-channel
        // layers wrong at d = 8 (relative errors 0.4–0.9: the critic ran away). The generator's spectrograms, and the
        // critic's input gradient (all the gradient penalty and the generator's update see of it) under the kernels
        // training uses, must match float64, which does not go through oneDNN. On a CPU without AVX-512 oneDNN passes too.
        int threads = get_num_threads();
        try
        {
            set_num_threads(1);
            // As in a process that turned oneDNN on (the library's CPU training keeps it off): SpecGAN's networks
            // must be right whatever they find.
            LibTorchContext.OneDnnEnabled = true;
            foreach (int d in new[] { 2, 8 })
            {
                using var scope = NewDisposeScope();
                using var random = new Generator((ulong)d);
                using var g = new SpecGanGenerator(latentSize: 4, modelSize: d);
                using var critic = new SpecGanDiscriminator(modelSize: d);
                TensorFlowInit.GlorotUniform(g, random);
                TensorFlowInit.GlorotUniform(critic, random);
                using var g64 = Float64Copy(g, () => new SpecGanGenerator(latentSize: 4, modelSize: d));
                using var critic64 = Float64Copy(critic, () => new SpecGanDiscriminator(modelSize: d));

                var latent = rand(new long[] { 2, 4 }, generator: random) * 2 - 1;
                double generatorError = RelativeError(g.forward(latent), g64.forward(latent.to(float64)));
                Assert.IsTrue(generatorError < 1e-4, $"d = {d}: the generator's spectrograms are off by {generatorError}.");

                var x = (rand(new long[] { 2, 1, 128, 128 }, generator: random) * 2 - 1).requires_grad_(true);
                var x64 = x.detach().to(float64).requires_grad_(true);
                Tensor slope;
                using (SpecGanShape.CpuKernels(CPU))
                {
                    var score = critic.forward(x);
                    slope = autograd.grad(new[] { score }, new[] { x }, new[] { ones_like(score) })[0];
                }
                var score64 = critic64.forward(x64);
                var slope64 = autograd.grad(new[] { score64 }, new[] { x64 }, new[] { ones_like(score64) })[0];
                double slopeError = RelativeError(slope, slope64);
                Assert.IsTrue(slopeError < 1e-4, $"d = {d}: the critic's input gradient is off by {slopeError}.");
                Assert.AreEqual(true, LibTorchContext.OneDnnEnabled, "The setting comes back after SpecGAN's networks ran.");
            }
        }
        finally
        {
            set_num_threads(threads);
            GanEnvironment.UseCpu();
        }
    }
}
