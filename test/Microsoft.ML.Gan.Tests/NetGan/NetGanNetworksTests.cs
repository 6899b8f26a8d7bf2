using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.NetGan;

[TestClass]
public sealed class NetGanNetworksTests
{
    [TestMethod]
    public void LstmCellMatchesTensorFlowsBasicLstmCellFormula()
    {
        using var cell = new BasicLstmCell(3, 2);
        var x = randn(1, 3); var h = randn(1, 2); var c = randn(1, 2);
        var (h1, c1) = cell.Step(x, h, c);
        var z = cat(new[] { x, h }, 1).matmul(cell.kernel.weight!.t()) + cell.kernel.bias!;
        Tensor Gate(int k) => z[.., TensorIndex.Slice(2 * k, 2 * k + 2)];
        var expectedC = c * (Gate(2) + 1).sigmoid() + Gate(0).sigmoid() * Gate(1).tanh();
        Assert.IsTrue(c1.allclose(expectedC, 1e-6, 1e-6));
        Assert.IsTrue(h1.allclose(expectedC.tanh() * Gate(3).sigmoid(), 1e-6, 1e-6));
    }

    [TestMethod]
    public void GeneratorMakesOneHotWalksAndTheCriticScoresThem()
    {
        using var g = new NetGanGenerator(nodes: 50);
        using var d = new NetGanDiscriminator(nodes: 50);
        var init = new Generator(5);
        TensorFlowInit.GlorotUniform(g, init);
        TensorFlowInit.GlorotUniform(d, init);
        var walks = g.Generate(randn(4, 16), length: 16, temperature: 5.0, generator: new Generator(1));
        CollectionAssert.AreEqual(new long[] { 4, 16, 50 }, walks.shape);
        Assert.IsTrue(walks.sum(-1).allclose(ones(4, 16)));
        var score = d.forward(walks);
        CollectionAssert.AreEqual(new long[] { 4 }, score.shape);
        (-score.mean()).backward();
        Assert.IsTrue(g.W_up.grad!.abs().sum().item<float>() > 0, "The critic's gradient reaches W_up through the Gumbel-softmax.");
        Assert.IsTrue(g.intermediate.weight!.grad!.abs().sum().item<float>() > 0, "…and the noise-to-state layers.");
    }

    [TestMethod]
    public void CriticEmbedsNodeIdsAsItEmbedsTheirOneHotWalks()
    {
        using var d = new NetGanDiscriminator(nodes: 40);
        TensorFlowInit.GlorotUniform(d, new Generator(4));
        var ids = randint(40, new long[] { 6, 16 }, dtype: int64, generator: new Generator(8));
        var oneHot = nn.functional.one_hot(ids, 40).to(float32);

        var viaOneHot = d.forward(oneHot);
        viaOneHot.sum().backward();
        var expectedGradient = d.W_down.grad!.clone();
        d.zero_grad();
        var viaIds = d.Score(d.EmbedNodes(ids));
        viaIds.sum().backward();

        Assert.IsTrue(viaIds.allclose(viaOneHot, rtol: 1e-5, atol: 1e-6), "The same scores.");
        Assert.IsTrue(d.W_down.grad!.allclose(expectedGradient, rtol: 1e-5, atol: 1e-6), "The same gradient for W_down.");
        Assert.IsTrue(expectedGradient.abs().sum().item<float>() > 0);
    }

    [TestMethod]
    [DataRow(false, false, false)]
    [DataRow(true, false, false)]
    [DataRow(false, true, false)]
    [DataRow(false, true, true)]
    public void ATrainingIterationUpdatesBothNetworksAndLeavesTheCriticTrainable(bool flatAdam, bool criticInOnePass, bool gumbelCriticWalks)
    {
        var settings = new NetGanSettings
        {
            BatchSize = 8, WalkLength = 5, GeneratorHiddenSize = 6, DiscriminatorHiddenSize = 5, EmbeddingSize = 4,
            FlatAdam = flatAdam, CriticInOnePass = criticInOnePass,
            CriticWalkDraw = gumbelCriticWalks ? NodeDraw.GumbelMax : NodeDraw.InverseCdf,
        };
        using var model = new NetGanModel(settings, nodes: 12, (count, random) => randint(12, new long[] { count, 5 }, dtype: int64),
            (_, _) => null, _ => false, CPU, seed: 2);
        var g = model.Generator.parameters().Select(p => p.detach().clone()).ToList();
        // The critic's last bias gets no gradient from a Wasserstein loss (it cancels between real and fake) and none
        // from the L2 term at its initial 0.
        var critic = model.Discriminator.named_parameters().Where(p => p.name != "output.bias").Select(p => p.parameter).ToList();
        var d = critic.Select(p => p.detach().clone()).ToList();
        using (NewDisposeScope()) model.TrainStep(new GanRandom(1));
        Assert.IsTrue(model.Generator.parameters().Zip(g).All(pair => (pair.First - pair.Second).abs().max().item<float>() > 0), "Every generator weight moved.");
        Assert.IsTrue(critic.Zip(d).All(pair => (pair.First - pair.Second).abs().max().item<float>() > 0), "Every critic weight moved.");
        Assert.IsTrue(model.Discriminator.parameters().All(p => p.requires_grad), "The critic was frozen for the generator's update only.");
    }

    [TestMethod]
    public void CriticLossScoresTheThreeBatchesInOnePassAsInThree()
    {
        using var d = new NetGanDiscriminator(nodes: 25, hiddenSize: 6, embeddingSize: 5);
        TensorFlowInit.GlorotUniform(d, new Generator(4));
        var real = d.EmbedNodes(randint(25, new long[] { 7, 6 }, dtype: int64, generator: new Generator(8)));
        var fake = d.EmbedNodes(randint(25, new long[] { 7, 6 }, dtype: int64, generator: new Generator(9)));
        var mixed = Losses.Mix(real, fake, new Generator(10));

        var parameters = d.parameters().Cast<Tensor>().ToList();
        var onePass = NetGanModel.CriticLoss(d, real, fake, mixed, penaltyWeight: 10, onePass: true);
        var onePassGradients = autograd.grad(new[] { onePass }, parameters, retain_graph: true);
        var threePasses = NetGanModel.CriticLoss(d, real, fake, mixed, penaltyWeight: 10, onePass: false);
        var threePassGradients = autograd.grad(new[] { threePasses }, parameters);
        Assert.AreEqual((d.Score(fake).mean() - d.Score(real).mean() + 10 * Losses.GradientPenaltyThroughLinearAt(d.Score, mixed, d.W_down)).item<float>(),
            threePasses.item<float>(), 1e-6f, "Three passes: D(fake) − D(real) + λ·GP.");

        Assert.AreEqual(threePasses.item<float>(), onePass.item<float>(), 1e-5f * Math.Abs(threePasses.item<float>()) + 1e-6f);
        foreach (var ((name, _), (a, b)) in d.named_parameters().Zip(onePassGradients.Zip(threePassGradients)))
            Assert.IsTrue(a.allclose(b, rtol: 1e-4, atol: 1e-6), $"d loss / d {name}");
    }

    [TestMethod]
    public void SamplingDrawsTheWalksTheHardGeneratorDraws()
    {
        using var g = new NetGanGenerator(nodes: 60);
        TensorFlowInit.GlorotUniform(g, new Generator(7));
        var z = randn(new long[] { 32, 16 }, generator: new Generator(2));
        using var _ = no_grad();
        var oneHot = g.Generate(z, length: 16, temperature: 0.5, generator: new Generator(3));
        var ids = g.Sample(z, length: 16, generator: new Generator(3));
        CollectionAssert.AreEqual(new long[] { 32, 16 }, ids.shape);
        CollectionAssert.AreEqual(oneHot.argmax(-1).data<long>().ToArray(), ids.data<long>().ToArray(), "Same noise, same Gumbel draws: the same walks, without the one-hot tensor.");
    }

    [TestMethod]
    public void SamplingByTheInverseDistributionDrawsWalksLikeTheGumbelDraws()
    {
        // Evaluations and scores draw each node by inverting its step's cumulative distribution. Over 4,000 walks of a
        // 20-node generator whose logits favour some nodes (a bias from −3 to 3), the nodes they visit are distributed as
        // the Gumbel-max walks' are, and both are far from uniform (so the comparison can tell a wrong draw).
        using var g = new NetGanGenerator(nodes: 20);
        TensorFlowInit.GlorotUniform(g, new Generator(7));
        using var _ = no_grad();
        g.W_up_bias.copy_(linspace(-3, 3, 20));
        var z = randn(new long[] { 4000, 16 }, generator: new Generator(2));
        static Tensor Visits(Tensor walks) => bincount(walks.flatten(), minlength: 20).to(float64) / walks.numel();
        static double TotalVariation(Tensor p, Tensor q) => (p - q).abs().sum().item<double>() / 2;
        var byInverse = g.Sample(z, length: 6, new Generator(3), NodeDraw.InverseCdf);
        var byGumbel = g.Sample(z, length: 6, new Generator(3));
        CollectionAssert.AreEqual(new long[] { 4000, 6 }, byInverse.shape);
        Assert.IsFalse(byInverse.equal(byGumbel).all().item<bool>(), "Other draws than the Gumbel ones.");
        double between = TotalVariation(Visits(byInverse), Visits(byGumbel));
        double fromUniform = TotalVariation(Visits(byGumbel), full(20, 1.0 / 20, float64));
        Assert.IsTrue(between < 0.03, $"Total variation {between:F4} between the two ways of drawing.");
        Assert.IsTrue(fromUniform > 0.15, $"The walks are too close to uniform ({fromUniform:F4}) for the comparison to mean much.");
    }

    [TestMethod]
    public void SamplingInBlocksWalksEachBlockToTheEndBeforeTheNext()
    {
        using var g = new NetGanGenerator(nodes: 30);
        TensorFlowInit.GlorotUniform(g, new Generator(7));
        var z = randn(new long[] { 10, 16 }, generator: new Generator(2));
        var blocked = g.Sample(z, length: 6, new Generator(3), block: 4);

        var draws = new Generator(3);
        var oneByOne = cat(new[] { g.Sample(z[0..4], 6, draws, block: 10), g.Sample(z[4..8], 6, draws, block: 10), g.Sample(z[8..10], 6, draws, block: 10) }, 0);
        CollectionAssert.AreEqual(new long[] { 10, 6 }, blocked.shape);
        CollectionAssert.AreEqual(oneByOne.data<long>().ToArray(), blocked.data<long>().ToArray());
        var whole = g.Sample(z, 6, new Generator(3), block: 10);
        Assert.IsFalse(whole.equal(blocked).all().item<bool>(), "Blocks draw in another order than one pass over all rows.");
    }

    [TestMethod]
    public void ParameterCountsAtThePapersSizes()
    {
        // Cora-ML: N = 2,810; noise 16, generator LSTM 40, critic LSTM 30, W_down 128 each.
        using var g = new NetGanGenerator(2810);
        using var d = new NetGanDiscriminator(2810);
        long lstm(long input, long hidden) => (input + hidden) * 4 * hidden + 4 * hidden;
        long expectedG = (16 * 40 + 40) + 2 * (40 * 40 + 40) + lstm(128, 40) + 40 * 2810 + 2810 + 2810 * 128;
        long expectedD = 2810 * 128 + lstm(128, 30) + 30 + 1;
        Assert.AreEqual(expectedG, g.parameters().Sum(p => p.numel()));
        Assert.AreEqual(expectedD, d.parameters().Sum(p => p.numel()));
        Assert.AreEqual(505_890L, expectedG);
        Assert.AreEqual(378_791L, expectedD);
    }
}
