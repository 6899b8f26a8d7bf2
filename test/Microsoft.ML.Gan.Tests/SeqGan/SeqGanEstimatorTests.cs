using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.SeqGan;

[TestClass]
public sealed class SeqGanEstimatorTests
{
    public sealed class Line
    {
        public string Text { get; set; } = "";
    }

    /// <summary>32 lines of a tiny language: "the cat sat", "a dog ran far", … (and two empty rows, which are left out).</summary>
    public static List<Line> Lines()
    {
        string[] subjects = { "the cat", "a dog", "my bird", "one fox" }, verbs = { "sat", "ran far", "sang", "slept here" };
        var lines = new List<Line>();
        for (int i = 0; i < 32; i++) lines.Add(new Line { Text = $"{subjects[i % 4]} {verbs[i / 4 % 4]}" });
        lines.Insert(5, new Line { Text = "   " });
        lines.Add(new Line { Text = "" });
        return lines;
    }

    /// <summary>Small networks and a schedule of 20 steps: 2 MLE epochs, 1 D round of 1 epoch, 1 adversarial round.</summary>
    public static SeqGanEstimator.Options Tiny(string? checkpoints = null) => new()
    {
        SequenceLength = 6, EmbeddingSize = 8, HiddenSize = 8, DiscriminatorEmbeddingSize = 8, BatchSize = 8,
        PretrainEpochs = 2, DiscriminatorPretrainRounds = 1, DiscriminatorEpochsPerRound = 1, AdversarialRounds = 1,
        AdversarialDiscriminatorRounds = 1, RolloutCount = 2, DiscriminatorFilters = new[] { (1, 4), (2, 4), (3, 4) },
        CheckpointDirectory = checkpoints, CheckpointEvery = 5,
    };

    [TestMethod]
    public void TrainsThenGeneratesAndScoresEveryRow()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Lines());
        long steps = 0;
        var options = Tiny();
        options.ProgressInterval = TimeSpan.Zero;
        options.Progress = new SyncProgress(p => steps = p.TotalSteps);
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(data);
        // 32 lines / 8 = 4 batches: MLE 2 × 4, D 1 × (32 + 32) / 8, adversarial 1 + 1 × 8.
        Assert.AreEqual(8 + 8 + 9L, steps);

        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>" }, model.Vocabulary.Take(2).ToArray());
        Assert.AreEqual(2 + 14, model.Vocabulary.Count, "Padding, unknown and the 14 words.");
        var transformed = model.Transform(data);
        Assert.AreEqual(TextDataViewType.Instance, transformed.Schema["Generated"].Type);
        Assert.AreEqual(NumberDataViewType.Single, transformed.Schema["Score"].Type);
        var generated = transformed.GetColumn<string>("Generated").ToArray();
        var scores = transformed.GetColumn<float>("Score").ToArray();
        Assert.AreEqual(34, generated.Length);
        Assert.IsTrue(scores.All(s => s is >= 0 and <= 1));
        foreach (var text in generated)
        {
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.IsTrue(words.Length <= 6);
            Assert.IsTrue(words.All(w => model.Vocabulary.Contains(w)), $"'{text}' uses only known tokens.");
        }
        CollectionAssert.AreEqual(generated, model.Transform(data).GetColumn<string>("Generated").ToArray(), "A row's sample depends on the seed and its position only.");
        Assert.AreEqual(scores[0], model.Score("the cat sat"));

        var fresh = model.Generate(5);
        Assert.AreEqual(5, fresh.GetColumn<string>("Generated").Count());
        Assert.AreEqual(1, fresh.Schema.Count);
    }

    [TestMethod]
    public void OutputSchemaAddsATextAndASingleColumn()
    {
        var ml = new MLContext(seed: 1);
        var shape = ShapeOf<Line>(ml);
        var output = ml.Transforms.Gan().SeqGan("Generated", "Text").GetOutputSchema(shape);
        var generated = output.Single(c => c.Name == "Generated");
        var score = output.Single(c => c.Name == "Score");
        Assert.AreEqual(TextDataViewType.Instance, generated.ItemType);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, generated.Kind);
        Assert.AreEqual(NumberDataViewType.Single, score.ItemType);
        Assert.IsTrue(output.Any(c => c.Name == "Text"), "The input columns stay.");
    }

    private sealed class ScoredLine
    {
        public string Text { get; set; } = "";
        public float Score { get; set; }
    }

    [TestMethod]
    public void TheTransformersOutputSchemaIsTheTransformedOnesWhenAColumnIsReplaced()
    {
        // The input already has a Score column: Transform hides it and adds its own; GetOutputSchema must say the same.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Lines().Select(l => new ScoredLine { Text = l.Text, Score = 5 }));
        using var model = ml.Transforms.Gan().SeqGan(Tiny()).Fit(data);
        AssertOutputSchemaIsTransforms(model, data);
    }

    [TestMethod]
    public void TheContextsSeedFixesTheModel()
    {
        string[] Samples(int seed)
        {
            var ml = new MLContext(seed);
            var data = ml.Data.LoadFromEnumerable(Lines());
            using var model = ml.Transforms.Gan().SeqGan(Tiny()).Fit(data);
            return model.Transform(data).GetColumn<string>("Generated").Concat(model.Transform(data).GetColumn<float>("Score").Select(s => s.ToString("R"))).ToArray();
        }
        CollectionAssert.AreEqual(Samples(3), Samples(3));
        CollectionAssert.AreNotEqual(Samples(3), Samples(4), "Another seed gives another model.");
    }

    [TestMethod]
    public void ResumingGivesTheModelOfAnUninterruptedRun()
    {
        float[] Scores(SeqGanTransformer m) => Lines().Where(l => l.Text.Trim().Length > 0).Select(l => m.Score(l.Text)).ToArray();
        var ml = new MLContext(seed: 8);
        using var straight = ml.Transforms.Gan().SeqGan(Tiny(TempDirectory())).Fit(ml.Data.LoadFromEnumerable(Lines()));

        // Cancel in the discriminator's pretraining, after the checkpoint of step 10: the resumed run has to restore
        // that round's negatives and order, the optimisers and every random state.
        string folder = TempDirectory();
        var interrupted = Tiny(folder);
        using var cancel = TestSupport.CancelAtStep(interrupted, 12);
        var ml2 = new MLContext(seed: 8);
        Assert.ThrowsExactly<OperationCanceledException>(() => ml2.Transforms.Gan().SeqGan(interrupted).Fit(ml2.Data.LoadFromEnumerable(Lines())));
        Assert.AreEqual(12, Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), "SeqGAN").GetLong("step"));

        var ml3 = new MLContext(seed: 8);
        using var resumed = ml3.Transforms.Gan().SeqGan(Tiny(folder)).Fit(ml3.Data.LoadFromEnumerable(Lines()));
        CollectionAssert.AreEqual(Scores(straight), Scores(resumed));
        CollectionAssert.AreEqual(straight.Generate(4).GetColumn<string>("Generated").ToArray(), resumed.Generate(4).GetColumn<string>("Generated").ToArray());
    }

    [TestMethod]
    public void CharactersTokenizerKeepsChineseCharactersWhole()
    {
        var ml = new MLContext(seed: 2);
        string[] poems = { "床前明月光", "疑是地上霜", "举头望明月", "低头思故乡" };
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 16).Select(i => new Line { Text = poems[i % 4] }));
        var options = Tiny();
        options.Tokenizer = SeqGanTokenizer.Characters;
        options.SequenceLength = 5;
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(data);
        Assert.AreEqual(2 + 17, model.Vocabulary.Count, "17 distinct characters.");
        Assert.AreEqual("头", model.Vocabulary[2], "The most frequent characters (头, 明, 月: twice a cycle) first, ties in ordinal order.");
        foreach (var text in model.Generate(10).GetColumn<string>("Generated"))
        {
            // A barely trained generator may still draw the unknown token, which is written as "<unk>".
            var characters = text.Replace("<unk>", "?");
            Assert.IsTrue(characters.Length <= 5 && !characters.Contains(' '), $"'{text}': characters are concatenated.");
            Assert.IsTrue(characters.All(c => c == '?' || model.Vocabulary.Contains(c.ToString())));
        }
    }

    [TestMethod]
    public void KeyVectorColumnsFromMLNetsTokenizersTrainToo()
    {
        var ml = new MLContext(seed: 2);
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Words", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Keys", "Words"));
        var data = pipeline.Fit(ml.Data.LoadFromEnumerable(Lines())).Transform(ml.Data.LoadFromEnumerable(Lines()));
        var options = Tiny();
        options.InputColumnName = "Keys";
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(data);
        CollectionAssert.Contains(model.Vocabulary.ToArray(), "cat", "Keys become their key values.");
        Assert.AreEqual(34, model.Transform(data).GetColumn<float>("Score").Count());
        options.InputColumnName = "Words";
        using var fromTokens = ml.Transforms.Gan().SeqGan(options).Fit(data);
        CollectionAssert.AreEquivalent(model.Vocabulary.ToArray(), fromTokens.Vocabulary.ToArray());
    }

    [TestMethod]
    public void AVocabularyLargerThanTheMaximumKeepsTheMostFrequentTokens()
    {
        var ml = new MLContext(seed: 2);
        var options = Tiny();
        options.MaxVocabularySize = 6;
        // "the" and "zoo" are the most frequent words, and sort after the others: only their counts can keep them.
        var lines = Lines().Concat(Enumerable.Range(0, 8).Select(_ => new Line { Text = "the zoo the zoo" })).ToList();
        using var model = ml.Transforms.Gan().SeqGan(options).Fit(ml.Data.LoadFromEnumerable(lines));
        // the: 8 + 16 = 24, zoo: 16; then the words that appear 8 times, in ordinal order: a, bird.
        CollectionAssert.AreEqual(new[] { "<pad>", "<unk>", "the", "zoo", "a", "bird" }, model.Vocabulary.ToArray());
        Assert.AreEqual(model.Score("<unk> <unk> <unk>"), model.Score("cat unseen words"), "Words outside the vocabulary are read as the unknown token.");
    }
}
