using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.SeqGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.SeqGan;

[TestClass]
public sealed class SeqGanNetworksTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [TestMethod]
    public void ParameterCountsAtThePapersSizes()
    {
        // Vocabulary 5,000, length 20; G: embedding 32, LSTM 32; D: embedding 64 and the official 12 windows.
        using var g = new SeqGanGenerator(5000);
        using var d = new SeqGanDiscriminator(5000, sequenceLength: 20);
        long expectedG = 5000 * 32 + 4 * (32 * 32 + 32 * 32 + 32) + 32 * 5000 + 5000;
        long windows = SeqGanDiscriminator.OfficialFilters.Sum(f => (long)f.Window * 64 * f.Filters + f.Filters);
        long expectedD = 5000 * 64 + windows + 2 * (1720 * 1720 + 1720) + 1720 * 2 + 2;
        Assert.AreEqual(expectedG, g.parameters().Sum(p => p.numel()));
        Assert.AreEqual(expectedD, d.parameters().Sum(p => p.numel()));
        Assert.AreEqual(333_320L, expectedG);
        Assert.AreEqual(7_045_402L, expectedD);
        Assert.AreEqual(12, d.Filters.Count);
    }

    [TestMethod]
    public void ShortSequencesLeaveOutTheWindowsThatDoNotFit()
    {
        using var d = new SeqGanDiscriminator(30, sequenceLength: 8);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, d.Filters.Select(f => f.Window).ToArray());
        d.InitOfficial(new Generator(1));
        var p = d.ProbabilityReal(randint(0, 30, new long[] { 5, 8 }));
        CollectionAssert.AreEqual(new long[] { 5 }, p.shape);
    }

    [TestMethod]
    public void WindowFeaturesAsOneMatrixProductAreTheConvolutions()
    {
        // The CPU's form of the discriminator's convolutions against the convolutions themselves: features, and the
        // gradients they pass to the embedded input and to each convolution's weight and bias.
        using var scope = NewDisposeScope();
        using var d = new SeqGanDiscriminator(40, sequenceLength: 12, embeddingSize: 8, filters: new[] { (1, 5), (3, 7), (12, 4) });
        using (var init = new Generator(3)) d.InitOfficial(init);
        using var draws = new Generator(4);
        var embedded = randn(new long[] { 6, 8, 12 }, generator: draws).requires_grad_(true);
        foreach (var conv in d.convolutions.Cast<TorchSharp.Modules.Conv1d>())
        {
            var inputs = new[] { embedded, conv.weight!, conv.bias! };
            var convolved = SeqGanDiscriminator.WindowFeatures(conv, embedded, asMatrixProduct: false);
            var product = SeqGanDiscriminator.WindowFeatures(conv, embedded, asMatrixProduct: true);
            Assert.IsTrue(convolved.shape.SequenceEqual(product.shape), $"Window {conv.weight!.shape[2]}: shapes differ.");
            Assert.IsTrue(allclose(product, convolved, rtol: 1e-5, atol: 1e-6), $"Window {conv.weight!.shape[2]}: the features differ.");
            var upstream = randn(convolved.shape, generator: draws);
            var expected = autograd.grad(new[] { convolved }, inputs, new[] { upstream });
            var actual = autograd.grad(new[] { product }, inputs, new[] { upstream });
            for (int i = 0; i < inputs.Length; i++)
                Assert.IsTrue(allclose(actual[i], expected[i], rtol: 1e-4, atol: 1e-5), $"Window {conv.weight!.shape[2]}: gradient {i} differs.");
        }
    }

    [TestMethod]
    public void LstmCellIsTheOfficialCodesGates()
    {
        using var cell = new SeqGanLstmCell(3, 2);
        using (no_grad()) foreach (var p in cell.parameters()) p.normal_(0, 1, new Generator(4));
        var x = randn(1, 3); var h = randn(1, 2); var c = randn(1, 2);
        var (h1, c1) = cell.Step(x, h, c);
        Tensor Gate(Tensor w, Tensor u, Tensor b) => x.matmul(w) + h.matmul(u) + b;
        var expectedC = Gate(cell.Wf, cell.Uf, cell.bf).sigmoid() * c
                        + Gate(cell.Wi, cell.Ui, cell.bi).sigmoid() * Gate(cell.Wc, cell.Uc, cell.bc).tanh();
        Assert.IsTrue(c1.allclose(expectedC, 1e-6, 1e-6));
        Assert.IsTrue(h1.allclose(Gate(cell.Wog, cell.Uog, cell.bog).sigmoid() * expectedC.tanh(), 1e-6, 1e-6));
    }

    [TestMethod]
    public void TeacherForcedLogitsMatchStepByStepSampling()
    {
        // Token t is read at step t + 1, after the start token: the logits that scored a completed sequence are the
        // ones its sampler saw, so Complete keeps the prefix and Logits of a prefix is a prefix of Logits.
        using var g = new SeqGanGenerator(20, 4, 5);
        g.InitNormal(0.5, new Generator(2));
        var x = g.Sample(3, 6, new Generator(3));
        CollectionAssert.AreEqual(new long[] { 3, 6 }, x.shape);
        Assert.IsTrue(x.min().item<long>() >= 0 && x.max().item<long>() < 20);
        var completed = g.Complete(x[.., ..2], 6, new Generator(9));
        Assert.IsTrue(Same(completed[.., ..2], x[.., ..2]));
        Assert.IsTrue(g.Logits(x[.., ..4]).allclose(g.Logits(x)[.., ..4], 1e-5, 1e-6));
        var logp = g.TokenLogProbabilities(x);
        Assert.IsTrue((logp <= 0).all().item<bool>());
        Assert.AreEqual(-logp.mean().item<float>(), g.MaximumLikelihoodLoss(x).item<float>(), 1e-6f);
    }

    [TestMethod]
    public void OracleIsDeterministicForASeed()
    {
        using var a = new OracleLstm(50, seed: 7, embeddingSize: 8, hiddenSize: 8);
        using var b = new OracleLstm(50, seed: 7, embeddingSize: 8, hiddenSize: 8);
        using var other = new OracleLstm(50, seed: 8, embeddingSize: 8, hiddenSize: 8);
        foreach (var (p, q) in a.Network.parameters().Zip(b.Network.parameters())) Assert.IsTrue(Same(p, q));
        Assert.IsFalse(Same(a.Network.Wo, other.Network.Wo));
        var std = a.Network.parameters().Select(p => p.flatten()).Aggregate((x, y) => cat(new[] { x, y })).std().item<float>();
        Assert.AreEqual(1.0, std, 0.05, "Every oracle weight is N(0, 1).");
        var s1 = a.Sample(64, 10, new Generator(11));
        var s2 = b.Sample(64, 10, new Generator(11));
        Assert.IsTrue(Same(s1, s2), "Same oracle seed, same sampler seed: the same sequences.");
        Assert.IsFalse(Same(s1, a.Sample(64, 10, new Generator(12))));
        Assert.AreEqual(a.NllOracle(s1), b.NllOracle(s2));
    }

    [TestMethod]
    public void NllOracleIsTheMeanTokenNegativeLogLikelihood()
    {
        using var oracle = new OracleLstm(10, seed: 1, embeddingSize: 4, hiddenSize: 4);
        var x = oracle.Sample(5, 3, new Generator(2));
        var logits = oracle.Network.Logits(x);
        double byHand = 0;
        for (int b = 0; b < 5; b++)
            for (int t = 0; t < 3; t++)
                byHand -= nn.functional.log_softmax(logits[b, t], 0)[x[b, t].item<long>()].item<float>();
        Assert.AreEqual(byHand / 15, oracle.NllOracle(x, batchSize: 2), 1e-5);
    }

    [TestMethod]
    public void RolloutRewardsAreProbabilitiesWithTheFullSequenceScoredLast()
    {
        using var g = new SeqGanGenerator(30, 8, 8);
        using var d = new SeqGanDiscriminator(30, sequenceLength: 7, embeddingSize: 8, filters: new[] { (1, 4), (2, 4), (3, 4) });
        g.InitNormal(0.1, new Generator(1));
        d.InitOfficial(new Generator(2));
        var samples = g.Sample(6, 7, new Generator(3));
        using var rollout = new Rollout(g);
        var rewards = rollout.Rewards(samples, rolloutCount: 4, d, new Generator(4));
        CollectionAssert.AreEqual(new long[] { 6, 7 }, rewards.shape);
        Assert.IsTrue((rewards >= 0).all().item<bool>() && (rewards <= 1).all().item<bool>());
        Assert.IsTrue(rewards[.., 6].allclose(d.ProbabilityReal(samples)), "The last token's reward is D of the sequence.");
        Assert.IsTrue(rewards.std().item<float>() > 0, "Rollouts differ from prefix to prefix.");
        Assert.IsTrue(Same(rewards, rollout.Rewards(samples, 4, d, new Generator(4))), "Same draws, same rewards.");
    }

    [TestMethod]
    [DataRow(1, 4)]
    [DataRow(2, 3)]
    public void CompletePrefixesKeepsEachPrefixAndDrawsTheRestFromTheGenerator(int shortest, int longest)
    {
        using var g = new SeqGanGenerator(6, 4, 4);
        g.InitNormal(1.0, new Generator(1));
        var x = g.Sample(3, 5, new Generator(2));
        const int copies = 4000;
        int groups = longest - shortest + 1;
        var all = g.CompletePrefixes(x, shortest, longest, copies, new Generator(3)).reshape(groups, copies, 3, 5);
        CollectionAssert.AreEqual(new long[] { groups, copies, 3, 5 }, all.shape);
        var probabilities = nn.functional.softmax(g.Logits(x), -1); // [3, 5, V]: step t reads token t - 1
        for (int given = shortest; given <= longest; given++)
        {
            var group = all[given - shortest];
            Assert.IsTrue(Same(group[.., .., ..given], x[.., ..given].unsqueeze(0).expand(copies, 3, given)), $"Prefix of length {given} kept.");
            // The first drawn token's frequencies against G's own next-token distribution after the prefix.
            var counts = nn.functional.one_hot(group[.., .., given], 6).to(float32).mean(new long[] { 0 });
            Assert.IsTrue((counts - probabilities[.., given]).abs().max().item<float>() < 0.04,
                $"Prefix {given}: frequencies {counts} against {probabilities[.., given]}.");
        }
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => g.CompletePrefixes(x, 1, 5, 1, null));
    }

    [TestMethod]
    public void CompletePrefixesLeavesOnlyItsResultToACallerWithoutAScope()
    {
        using var g = new SeqGanGenerator(6, 4, 4);
        // Its parameters start uninitialised (empty): whatever the memory held could be NaN, and sampling then threw.
        g.InitNormal(1.0, new Generator(1));
        using var draws = new Generator(3);
        using var x = g.Sample(3, 5, draws);
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        using (g.CompletePrefixes(x, 1, 4, 2, draws))
            Assert.AreEqual(before + 1, TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
    }

    [TestMethod]
    public void BatchedRolloutRewardsMatchCompletingEachPrefixOnItsOwn()
    {
        // The reference is the official loop: for each prefix length, complete it rolloutCount times and average D.
        using var g = new SeqGanGenerator(5, 4, 4);
        using var d = new SeqGanDiscriminator(5, sequenceLength: 4, embeddingSize: 4, filters: new[] { (1, 3), (2, 3) });
        g.InitNormal(1.0, new Generator(1));
        d.InitOfficial(new Generator(2));
        using (no_grad()) foreach (var p in d.parameters()) p.mul_(30); // D's scores must vary for the test to have power
        d.eval();
        var samples = g.Sample(2, 4, new Generator(3));
        using var rollout = new Rollout(g);
        const int rollouts = 3000;
        var allAtOnce = rollout.Rewards(samples, rollouts, d, new Generator(4), prefixesPerPass: 3);
        var twoAndOne = rollout.Rewards(samples, rollouts, d, new Generator(6), prefixesPerPass: 2);
        var oneByOne = rollout.Rewards(samples, rollouts, d, new Generator(7), prefixesPerPass: 1);
        var draws = new Generator(5);
        var reference = stack(Enumerable.Range(1, 3).Select(given =>
            d.ProbabilityReal(g.Complete(samples.repeat(rollouts, 1)[.., ..given], 4, draws)).reshape(rollouts, 2).mean(new long[] { 0 })), 1);
        Assert.IsTrue(reference.std().item<float>() > 0.05, $"The rewards must differ between prefixes: {reference}.");
        // Each mean has a standard error of at most 0.5 / sqrt(3000) = 0.009.
        foreach (var batched in new[] { allAtOnce, twoAndOne, oneByOne })
            Assert.IsTrue((batched[.., ..3] - reference).abs().max().item<float>() < 0.05, $"{batched} against {reference}.");
    }

    [TestMethod]
    public void DelayedRolloutFollowsUpdateParams()
    {
        using var g = new SeqGanGenerator(10, 4, 4);
        g.InitNormal(0.1, new Generator(1));
        using var rollout = new Rollout(g, updateRate: 0.8);
        Assert.AreNotSame(g, rollout.Policy);
        var before = rollout.Policy.Wo.detach().clone();
        using (no_grad()) foreach (var p in g.parameters()) p.add_(1.0);
        rollout.Update();
        Assert.IsTrue(rollout.Policy.Wo.allclose(before * 0.8 + g.Wo * 0.2, 1e-6, 1e-6), "β ← 0.8 β + 0.2 θ");
        Assert.IsTrue(Same(rollout.Policy.g_embeddings, g.g_embeddings), "The embeddings are always the generator's.");
        using var current = new Rollout(g);
        Assert.AreSame(g, current.Policy, "Rate 0: the current generator, as the official run samples.");
    }

    [TestMethod]
    public void PolicyGradientLossOnAHandComputedCase()
    {
        // Two sequences of two tokens: −(ln 0.5·1 + ln 0.25·0.5 + ln 0.8·0.2 + ln 1·0.9) = 0.6931 + 0.6931 + 0.0446 = 1.4309.
        var logp = tensor(new[,] { { MathF.Log(0.5f), MathF.Log(0.25f) }, { MathF.Log(0.8f), 0f } }).requires_grad_(true);
        var rewards = tensor(new[,] { { 1f, 0.5f }, { 0.2f, 0.9f } });
        var loss = Losses.PolicyGradient(logp, rewards);
        Assert.AreEqual(1.4309f, loss.item<float>(), 1e-4f);
        loss.backward();
        Assert.IsTrue(logp.grad!.allclose(-rewards), "∂loss/∂log p = −R: a sum with no baseline.");
    }

    [TestMethod]
    public void GlobalNormClippingIsTensorFlows()
    {
        var a = new TorchSharp.Modules.Parameter(zeros(2));
        var b = new TorchSharp.Modules.Parameter(zeros(1));
        using var adam = new GanAdam(new[] { a, b }, 0.01);
        ((a * tensor(new[] { 3f, 0f })).sum() + (b * 4f).sum()).backward();
        Assert.AreEqual(5.0, adam.ClipGlobalNorm(2.5)!.item<float>(), 1e-6);
        CollectionAssert.AreEqual(new[] { 1.5f, 0f, 2f }, a.grad!.data<float>().ToArray().Concat(b.grad!.data<float>().ToArray()).ToArray());
        Assert.AreEqual(2.5, adam.ClipGlobalNorm(5)!.item<float>(), 1e-6, "Below the limit: unchanged.");
        Assert.AreEqual(2f, b.grad!.item<float>());
    }
}
