using Microsoft.ML.Gan.Core;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class DrawTests
{
    [TestMethod]
    public void CategoricalDrawsInProportionToTheWeights()
    {
        // 7 categories (blocks of 3, the last padded), one of weight 0, rows not normalised.
        var weights = tensor(new float[] { 1, 0, 2, 3, 4, 5, 5 }).mul(3).expand(40_000, 7);
        var drawn = Draw.Categorical(weights, new Generator(1));
        CollectionAssert.AreEqual(new long[] { 40_000 }, drawn.shape);
        var counts = bincount(drawn, minlength: 7).to(float64) / 40_000;
        var expected = new[] { 1, 0, 2, 3, 4, 5, 5 }.Select(w => w / 20.0).ToArray();
        var observed = counts.data<double>().ToArray();
        Assert.AreEqual(0.0, observed[1], "A category of weight 0 is never drawn.");
        for (int k = 0; k < 7; k++) Assert.AreEqual(expected[k], observed[k], 0.01, $"category {k}");
        Assert.IsTrue(Draw.Categorical(weights[..5], new Generator(2)).eq(Draw.Categorical(weights[..5], new Generator(2))).all().item<bool>(), "Seeded draws repeat.");
    }
}
