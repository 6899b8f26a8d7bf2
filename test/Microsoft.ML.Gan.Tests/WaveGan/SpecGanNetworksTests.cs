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
}
