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
}
