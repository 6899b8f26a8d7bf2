using Microsoft.ML.Gan.CycleGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.CycleGan;

[TestClass]
public sealed class CycleGanNetworksTests
{
    private static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    [TestMethod]
    public void ParameterCountsMatchThePaperSizes()
    {
        using var g = new ResnetGenerator(blocks: 9);
        using var d = new PatchDiscriminator();
        Assert.AreEqual(11_378_179L, Count(g));
        Assert.AreEqual(2_764_737L, Count(d));
    }

    [TestMethod]
    public void PatchMapIs30By30At256AndGeneratorKeepsTheShape()
    {
        using var scope = NewDisposeScope();
        using var d = new PatchDiscriminator();
        using var g = new ResnetGenerator(blocks: 1, ngf: 8);
        var x = randn(1, 3, 256, 256);
        CollectionAssert.AreEqual(new long[] { 1, 1, 30, 30 }, d.forward(x).shape);
        var y = g.forward(x);
        CollectionAssert.AreEqual(new long[] { 1, 3, 256, 256 }, y.shape);
        Assert.IsTrue(y.abs().max().item<float>() <= 1f, "Tanh output must lie in [-1, 1].");
    }

    [TestMethod]
    public void GeneratorsCpuForwardGivesTheLayersOutputAndGradients()
    {
        // On the CPU the output convolution runs as per-tap products (Layers.ConvolutionAsTapProducts); the generator
        // must still compute what its Sequential of layers computes, forward and backward, through the Tanh.
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        using var g = new ResnetGenerator(blocks: 1, ngf: 8);
        var x = randn(1, 3, 20, 24);
        var upstream = randn(1, 3, 20, 24);
        var parameters = g.parameters().ToArray();

        var expected = g.model.forward(x);
        var expectedGrads = autograd.grad([expected], parameters, [upstream]);
        var actual = g.forward(x);
        var actualGrads = autograd.grad([actual], parameters, [upstream]);

        Assert.IsTrue((expected - actual).abs().max().item<float>() <= 1e-5f, "The output differs from the layers' own.");
        // Against the largest gradient of all: the biases before an instance norm have gradients of rounding noise
        // only (the norm removes them), which differ between any two orders of summation.
        double scale = expectedGrads.Max(grad => grad.abs().max().item<float>());
        Assert.IsTrue(scale > 0.01, $"The gradients are too small to compare ({scale}).");
        for (int i = 0; i < parameters.Length; i++)
        {
            double difference = (expectedGrads[i] - actualGrads[i]).abs().max().item<float>();
            Assert.IsTrue(difference <= 1e-5 * scale, $"Gradient {i} differs by {difference:G3} (largest of all {scale:G3}).");
        }
    }
}
