using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Gan.Tests.WaveGan;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

/// <summary>What the tests that train one model two ways (flat Adam, CUDA-graph path, copies, convolution forms) share.</summary>
internal static class SameTraining
{
    /// <summary>A SeqGAN small enough for the CPU with every phase: 2 MLE + 4 D pretraining + (1 G + 4 D) adversarial steps per MLE epoch.</summary>
    public static SeqGanSettings TinySeqGan(int pretrainEpochs = 1) => new()
    {
        VocabularySize = 40, SequenceLength = 8, EmbeddingSize = 16, HiddenSize = 16, DiscriminatorEmbeddingSize = 8,
        DiscriminatorFilters = new[] { (1, 8), (2, 8), (4, 8), (8, 8) }, BatchSize = 32, RolloutCount = 2,
        PretrainEpochs = pretrainEpochs, DiscriminatorPretrainRounds = 1, DiscriminatorEpochsPerRound = 1,
        AdversarialRounds = 1, AdversarialDiscriminatorRounds = 1,
    };

    /// <summary>64 sequences of 8 tokens for <see cref="TinySeqGan"/>, from a seeded oracle.</summary>
    public static Tensor TinySeqGanData()
    {
        using var oracle = new OracleLstm(40, seed: 3, embeddingSize: 16, hiddenSize: 16);
        return oracle.Sample(64, 8, new Generator(4));
    }

    /// <summary><paramref name="steps"/> steps (all of the schedule when null), starting each epoch as the training loop does.</summary>
    public static void Train(IGanModel model, long? steps = null)
    {
        var random = new GanRandom(5);
        for (long step = 0; step < (steps ?? model.Epochs * model.StepsPerEpoch); step++)
        {
            if (step % model.StepsPerEpoch == 0) model.BeginEpoch((int)(step / model.StepsPerEpoch) + 1);
            using var scope = NewDisposeScope();
            using var noCollection = NoGarbageCollection.Begin(); // as the training loop runs a step
            model.TrainStep(random);
        }
    }

    /// <summary>
    /// Two WaveGAN models of the same seed, one with each settings, trained <paramref name="steps"/> steps on the same
    /// clips on the CPU: both networks end within 1e-5 of each other.
    /// </summary>
    public static void AssertWaveGansTrainAlike(WaveGanSettings expected, WaveGanSettings actual, string how, int steps)
    {
        using var clips = WaveGanModelTests.Sines(10);
        using var a = new WaveGanModel(expected, clips, CPU, seed: 3);
        using var b = new WaveGanModel(actual, clips, CPU, seed: 3);
        foreach (var model in new[] { a, b }) Train(model, steps);
        AssertClose(a.Generator, b.Generator, "G", how);
        AssertClose(a.Discriminator, b.Discriminator, "D", how);
        foreach (var model in new[] { a, b })
        {
            model.Generator.Dispose();
            model.Discriminator.Dispose();
        }
    }

    /// <summary>Every parameter of <paramref name="actual"/> within 1e-5 of <paramref name="expected"/>'s.</summary>
    public static void AssertClose(nn.Module expected, nn.Module actual, string network, string how)
    {
        foreach (var ((name, a), b) in expected.named_parameters().Zip(actual.parameters()))
        {
            float difference = (a - b).abs().max().item<float>();
            Assert.IsTrue(difference < 1e-5f, $"{network}.{name} differs by {difference} {how}.");
        }
    }

    /// <summary>
    /// The values of <paramref name="model"/>'s private fields of type <typeparamref name="T"/>, in declaration order
    /// (nulls left out): found by type, so that tests do not depend on field names.
    /// </summary>
    public static List<T> Fields<T>(object model) where T : class =>
        model.GetType().GetFields(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .Where(f => f.FieldType == typeof(T)).Select(f => f.GetValue(model)).OfType<T>().ToList();
}
