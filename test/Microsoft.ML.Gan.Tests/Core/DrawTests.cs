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

    [TestMethod]
    public void FromLogitsDrawsWithTheSoftmaxsProbabilities()
    {
        // Rows of different logits; one category's exp underflows against its row's largest (probability 0 in float32).
        var logits = tensor(new float[,] { { 0, 1, 2, -200, 0.5f }, { 3, 3, 0, 0, -1 } });
        var rows = logits.repeat(20_000, 1); // alternating rows of the two kinds
        var drawn = Draw.FromLogits(rows, new Generator(4));
        CollectionAssert.AreEqual(new long[] { 40_000 }, drawn.shape);
        var probabilities = nn.functional.softmax(logits.to(float64), -1);
        for (int row = 0; row < 2; row++)
        {
            var observed = (bincount(drawn[TensorIndex.Slice(row, null, 2)], minlength: 5).to(float64) / 20_000).data<double>().ToArray();
            var expected = probabilities[row].data<double>().ToArray();
            for (int k = 0; k < 5; k++) Assert.AreEqual(expected[k], observed[k], 0.012, $"row kind {row}, category {k}");
        }
        Assert.AreEqual(0L, drawn[TensorIndex.Slice(0, null, 2)].eq(3).sum().item<long>(), "A category whose exp underflows is never drawn.");
        Assert.IsTrue(Draw.FromLogits(rows[..9], new Generator(5)).equal(Draw.FromLogits(rows[..9], new Generator(5))).all().item<bool>(), "Seeded draws repeat.");
    }

    [TestMethod]
    public void FromLogitsDrawsWhatTheGumbelMaxTrickDraws()
    {
        // The same distribution as argmax(logits + Gumbel noise), which NetGAN's training draws with: on 12 categories
        // of random logits, the two sets of 30,000 draws differ by a total variation of a few sampling errors at most.
        var logits = randn(new long[] { 1, 12 }, generator: new Generator(6)).mul(2).expand(30_000, 12);
        var byInverse = bincount(Draw.FromLogits(logits, new Generator(7)), minlength: 12).to(float64) / 30_000;
        var byGumbel = bincount((logits + GumbelSoftmax.Noise(logits, new Generator(8))).argmax(-1), minlength: 12).to(float64) / 30_000;
        double totalVariation = (byInverse - byGumbel).abs().sum().item<double>() / 2;
        Assert.IsTrue(totalVariation < 0.02, $"Total variation {totalVariation:F4} between the two ways of drawing.");
    }
}
