using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.SeqGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.SeqGan;

[TestClass]
public sealed class SeqGanTrainingTests
{
    /// <summary>A small oracle task: vocabulary 40, length 8, LSTMs of 16, the official D windows that fit.</summary>
    private static SeqGanSettings Tiny => new()
    {
        VocabularySize = 40, SequenceLength = 8, EmbeddingSize = 16, HiddenSize = 16, DiscriminatorEmbeddingSize = 8,
        DiscriminatorFilters = new[] { (1, 8), (2, 8), (4, 8), (8, 8) }, BatchSize = 32,
        PretrainEpochs = 0, DiscriminatorPretrainRounds = 0, AdversarialRounds = 0, EvaluateEvery = 1,
    };

    private static double Nll(OracleLstm oracle, SeqGanModel model) =>
        oracle.NllOracle(model.Generator.Sample(1024, model.Settings.SequenceLength, new Generator(99)));

    private static void Train(SeqGanModel model, long steps)
    {
        var random = new GanRandom(5);
        for (long i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            model.TrainStep(random);
        }
    }

    [TestMethod]
    public void MaximumLikelihoodPretrainingLowersNllOracle()
    {
        using var oracle = new OracleLstm(40, seed: 3, embeddingSize: 16, hiddenSize: 16);
        var real = oracle.Sample(256, 8, new Generator(4));
        var settings = Tiny with { PretrainEpochs = 5, EvaluateEvery = 100 };
        using var model = new SeqGanModel(settings, real, m => Nll(oracle, m), GanEnvironment.UseCpu(), seed: 1);
        double random = Nll(oracle, model);
        double truth = oracle.NllOracle(oracle.Sample(1024, 8, new Generator(5)));
        Assert.AreEqual(5 * 8L, model.StepsPerEpoch, "5 epochs of 256 / 32 batches.");
        Train(model, model.StepsPerEpoch);
        CollectionAssert.AreEqual(new[] { 0, 4 }, model.Evaluations.Select(e => e.Index).ToArray(), "After the first epoch and the last.");
        Assert.IsTrue(model.Evaluations.All(e => e.Phase == SeqGanPhase.Pretraining));
        double trained = model.Evaluations[^1].Value;
        Assert.IsTrue(trained < random - 0.3 * (random - truth),
            $"NLL-oracle: random generator {random:F3}, after MLE {trained:F3}, oracle's own samples {truth:F3}.");
    }

    [TestMethod]
    public void TheScheduleRunsItsPhasesInTheOfficialOrder()
    {
        using var oracle = new OracleLstm(40, seed: 3, embeddingSize: 16, hiddenSize: 16);
        var real = oracle.Sample(64, 8, new Generator(4));
        var settings = Tiny with
        {
            PretrainEpochs = 2, DiscriminatorPretrainRounds = 1, DiscriminatorEpochsPerRound = 2, AdversarialRounds = 2,
            AdversarialDiscriminatorRounds = 1, RolloutCount = 2,
        };
        using var model = new SeqGanModel(settings, real, m => Nll(oracle, m), GanEnvironment.UseCpu(), seed: 1);
        // MLE 2 × 2 batches; D 1 × 2 epochs × (64 real + 64 fake) / 32; adversarial 2 × (1 + 1 × 2 × 4).
        Assert.AreEqual(4L, model.PretrainingSteps);
        Assert.AreEqual(8L, model.DiscriminatorPretrainingSteps);
        Assert.AreEqual(4 + 8 + 2 * 9L, model.StepsPerEpoch);
        var random = new GanRandom(5);
        var names = new List<string>();
        for (long i = 0; i < model.StepsPerEpoch; i++)
        {
            using var scope = NewDisposeScope();
            var losses = model.TrainStep(random);
            names.Add(string.Join("+", losses.Select(l => l.Name)));
            foreach (var (name, value) in losses) Assert.IsTrue(float.IsFinite(value.item<float>()), $"{name} at step {i}");
            if (losses.FirstOrDefault(l => l.Name == "reward") is { Value: { } reward })
                Assert.IsTrue(reward.item<float>() is >= 0 and <= 1);
        }
        var expected = Enumerable.Repeat("G_mle", 4).Concat(Enumerable.Repeat("D", 8))
            .Concat(new[] { "G_adv+reward" }).Concat(Enumerable.Repeat("D", 8))
            .Concat(new[] { "G_adv+reward" }).Concat(Enumerable.Repeat("D", 8));
        CollectionAssert.AreEqual(expected.ToArray(), names.ToArray());
        CollectionAssert.AreEqual(new[] { (SeqGanPhase.Pretraining, 0), (SeqGanPhase.Pretraining, 1), (SeqGanPhase.Adversarial, 0), (SeqGanPhase.Adversarial, 1) },
            model.Evaluations.Select(e => (e.Phase, e.Index)).ToArray());
    }

    [TestMethod]
    public void DiscriminatorPretrainingSeparatesRealFromGenerated()
    {
        using var oracle = new OracleLstm(40, seed: 3, embeddingSize: 16, hiddenSize: 16);
        var real = oracle.Sample(128, 8, new Generator(4));
        // A faster rate than the official 1e-4, so that a few steps show it.
        var settings = Tiny with { DiscriminatorPretrainRounds = 2, DiscriminatorEpochsPerRound = 2, DiscriminatorLearningRate = 1e-2 };
        using var model = new SeqGanModel(settings, real, null, GanEnvironment.UseCpu(), seed: 1);
        Train(model, model.StepsPerEpoch);
        using var _ = no_grad();
        var onReal = model.Discriminator.ProbabilityReal(oracle.Sample(128, 8, new Generator(6))).mean().item<float>();
        var onFake = model.Discriminator.ProbabilityReal(model.Generator.Sample(128, 8, new Generator(7))).mean().item<float>();
        Assert.IsTrue(onReal > onFake + 0.1, $"D(real) {onReal:F3}, D(generated) {onFake:F3}");
    }
}
