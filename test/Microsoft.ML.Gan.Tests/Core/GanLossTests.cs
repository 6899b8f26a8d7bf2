using Microsoft.ML.Gan.Core;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class GanLossTests
{
    [TestMethod]
    public void HardGumbelSoftmaxIsOneHotForwardAndPassesGradientsBack()
    {
        var logits = randn(5, 7).requires_grad_(true);
        var sample = GumbelSoftmax.Sample(logits, temperature: 0.7, hard: true, new Generator(3));
        Assert.IsTrue(sample.sum(1).allclose(ones(5)));
        Assert.AreEqual(5L, (sample == 1).sum().item<long>(), "Each row has exactly one 1.");
        Assert.AreEqual(30L, (sample == 0).sum().item<long>(), "Every other entry is 0.");
        (sample * arange(7, dtype: float32)).sum().backward();
        Assert.IsNotNull(logits.grad);
        Assert.IsTrue(logits.grad.abs().sum().item<float>() > 0, "The soft sample's gradient reaches the logits.");
    }

    [TestMethod]
    public void GumbelNoiseIsTheFormulaOnTheSameDraws()
    {
        var logits = zeros(64, 300);
        var expected = -(-(rand(logits.shape, generator: new Generator(3)) + 1e-20).log() + 1e-20).log();
        var noise = GumbelSoftmax.Noise(logits, new Generator(3));
        Assert.IsTrue(noise.equal(expected).all().item<bool>(), "−log(−log(U + ε) + ε), bit for bit.");
    }

    [TestMethod]
    public void GumbelSamplesFollowTheSoftmaxOfTheLogits()
    {
        var logits = tensor(new float[] { 0f, (float)Math.Log(3) }).expand(20000, 2);
        var picks = GumbelSoftmax.Sample(logits, 1.0, hard: true, new Generator(7));
        double second = picks[.., 1].mean().item<float>();
        Assert.AreEqual(0.75, second, 0.02, "argmax(logits + Gumbel) picks category k with probability softmax(logits)_k.");
    }

    [TestMethod]
    public void GradientPenaltyOfALinearCriticIsComputedByHand()
    {
        // D(x) = w·x has ∇ₓD = w everywhere, so the penalty is (‖w‖ − 1)² whatever the points: ‖(3, 4)‖ = 5 → 16.
        var w = tensor(new float[] { 3, 4 });
        Func<Tensor, Tensor> critic = x => x.matmul(w);
        var real = randn(8, 2);
        var fake = randn(8, 2);
        Assert.AreEqual(16f, Losses.GradientPenalty(critic, real, fake, new Generator(1)).item<float>(), 1e-4f);
        // A critic with slope 1 at the points has no penalty; a quadratic one, (2‖x‖ − 1)² averaged.
        var points = tensor(new float[,] { { 1, 0 }, { 0, 2 } });
        Assert.AreEqual(0f, Losses.GradientPenaltyAt(x => x.matmul(tensor(new float[] { 0.6f, 0.8f })), points).item<float>(), 1e-6f);
        Func<Tensor, Tensor> quadratic = x => x.pow(2).sum(1);
        Assert.AreEqual(((2 - 1) * (2 - 1) + (4 - 1) * (4 - 1)) / 2f, Losses.GradientPenaltyAt(quadratic, points).item<float>(), 1e-4f);
    }

    [TestMethod]
    public void GradientPenaltyTrainsTheCritic()
    {
        // The penalty is differentiable in the critic's weights (double backward).
        var w = tensor(new float[] { 3, 4 }).requires_grad_(true);
        var penalty = Losses.GradientPenalty(x => x.matmul(w), randn(4, 2), randn(4, 2));
        penalty.backward();
        // d/dw (‖w‖ − 1)² = 2(‖w‖ − 1) w/‖w‖ = 2·4·(0.6, 0.8).
        CollectionAssert.AreEqual(new[] { 4.8f, 6.4f }, w.grad!.data<float>().ToArray().Select(v => MathF.Round(v, 3)).ToArray());
    }

    [TestMethod]
    public void PenaltyThroughALinearFirstLayerEqualsThePenaltyOverTheInputs()
    {
        // A critic D(x) = f(x·W) over [batch, rows, inputs] samples, W [inputs, k]: the penalty taken in W's image
        // must give the plain penalty's value and the same gradients for W and for f's weights.
        var generator = new Generator(11);
        var w = randn(new long[] { 9, 3 }, generator: generator).requires_grad_(true);
        var a = randn(new long[] { 3, 2 }, generator: generator).requires_grad_(true);
        Tensor Rest(Tensor image) => (image.matmul(a).tanh().pow(2).sum(new long[] { 1, 2 }) + image.sum(new long[] { 1, 2 }).sin());
        var real = randn(new long[] { 5, 4, 9 }, generator: generator);
        var fake = randn(new long[] { 5, 4, 9 }, generator: generator);

        var plain = Losses.GradientPenalty(x => Rest(x.matmul(w)), real, fake, new Generator(3));
        var plainGradients = autograd.grad(new[] { plain }, new[] { w, a });
        var throughLinear = Losses.GradientPenaltyThroughLinearAt(Rest, Losses.Mix(real.matmul(w), fake.matmul(w), new Generator(3)), w);
        var gradients = autograd.grad(new[] { throughLinear }, new[] { w, a });

        Assert.IsTrue(plain.item<float>() > 0.1f, "The case is not trivial: the critic's slopes are far from 1.");
        Assert.AreEqual(plain.item<float>(), throughLinear.item<float>(), 1e-4f * plain.item<float>());
        Assert.IsTrue(gradients[0].allclose(plainGradients[0], rtol: 1e-4, atol: 1e-5), "dPenalty/dW");
        Assert.IsTrue(gradients[1].allclose(plainGradients[1], rtol: 1e-4, atol: 1e-5), "dPenalty/df's weights");
    }
}
