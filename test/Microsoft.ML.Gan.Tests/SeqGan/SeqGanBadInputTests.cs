using static Microsoft.ML.Gan.Tests.SeqGan.SeqGanEstimatorTests;

namespace Microsoft.ML.Gan.Tests.SeqGan;

[TestClass]
public sealed class SeqGanBadInputTests
{
    private static Exception FitFails<T>(IEnumerable<T> rows, SeqGanEstimator.Options? options = null) where T : class
    {
        var ml = new MLContext(1);
        try
        {
            ml.Transforms.Gan().SeqGan(options ?? Tiny()).Fit(ml.Data.LoadFromEnumerable(rows));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return e;
        }
        Assert.Fail("Fit accepted bad input.");
        return null!;
    }

    private static ArgumentOutOfRangeException OptionFails(Action<SeqGanEstimator.Options> change)
    {
        var options = Tiny();
        change(options);
        return Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(1).Transforms.Gan().SeqGan(options));
    }

    [TestMethod]
    public void MissingInputColumnIsNamed()
    {
        var options = Tiny();
        options.InputColumnName = "Poem";
        var e = FitFails(Lines(), options);
        StringAssert.Contains(e.Message, "'Poem'");
        StringAssert.Contains(e.Message, "'Text'", "The message lists the columns that exist.");
    }

    private sealed class NumberRow { public float Text { get; set; } }

    [TestMethod]
    public void NonTextColumnSaysWhatWasExpected()
    {
        var e = FitFails(Enumerable.Range(0, 10).Select(i => new NumberRow { Text = i }));
        StringAssert.Contains(e.Message, "'Text'");
        StringAssert.Contains(e.Message, "Single");
        StringAssert.Contains(e.Message, "expected Text");
    }

    [TestMethod]
    public void EmptyDataIsRefused()
    {
        var e = FitFails(new List<Line>());
        StringAssert.Contains(e.Message, "no rows");
    }

    [TestMethod]
    public void AllWhitespaceColumnIsRefused()
    {
        foreach (var tokenizer in new[] { SeqGanTokenizer.Whitespace, SeqGanTokenizer.Characters })
        {
            var options = Tiny();
            options.Tokenizer = tokenizer;
            var e = FitFails(Enumerable.Range(0, 20).Select(i => new Line { Text = i % 2 == 0 ? "  \t" : "" }), options);
            StringAssert.Contains(e.Message, "Every one of the 20 rows of input column 'Text' is empty or white space");
        }
    }

    [TestMethod]
    public void FewerRowsThanOneBatchIsRefused()
    {
        var e = FitFails(Lines().Take(7));
        StringAssert.Contains(e.Message, "'Text' has 6 non-empty rows (1 empty), fewer than one batch of BatchSize = 8");
    }

    [TestMethod]
    public void BadOptionsAreRefusedUpFront()
    {
        StringAssert.Contains(OptionFails(o => o.SequenceLength = 1).Message, "SeqGAN option SequenceLength is 1; expected 2 or more");
        StringAssert.Contains(OptionFails(o => o.MaxVocabularySize = 2).Message, "MaxVocabularySize is 2");
        StringAssert.Contains(OptionFails(o => o.BatchSize = 0).Message, "BatchSize is 0");
        StringAssert.Contains(OptionFails(o => o.RolloutCount = 0).Message, "RolloutCount is 0");
        StringAssert.Contains(OptionFails(o => o.Temperature = 0).Message, "Temperature is 0");
        StringAssert.Contains(OptionFails(o => o.ScoreColumnName = o.OutputColumnName).Message, "ScoreColumnName");
        StringAssert.Contains(OptionFails(o => (o.PretrainEpochs, o.DiscriminatorPretrainRounds, o.AdversarialRounds) = (0, 0, 0)).Message, "all 0");
        StringAssert.Contains(OptionFails(o => o.CheckpointEvery = 0).Message, "CheckpointEvery");
    }

    [TestMethod]
    public void ACheckpointOfOtherDataIsRefused()
    {
        string folder = TestSupport.TempDirectory();
        var ml = new MLContext(1);
        using (ml.Transforms.Gan().SeqGan(Tiny(folder)).Fit(ml.Data.LoadFromEnumerable(Lines()))) { }
        var other = Lines().Select(l => new Line { Text = l.Text.Replace("cat", "cow") });
        var e = FitFails(other, Tiny(folder));
        StringAssert.Contains(e.Message, "was made with other options");
    }

    [TestMethod]
    public void CudaGraphsOnTheCpuAreRefusedNamingTheOptionAndWriteNothing()
    {
        // A user who sets CudaGraphs = true and trains on a machine without a GPU gets told, before any checkpoint.
        string folder = TestSupport.TempDirectory();
        var options = Tiny(folder);
        options.CudaGraphs = true;
        var e = FitFails(Lines(), options);
        Assert.IsInstanceOfType<ArgumentException>(e);
        StringAssert.Contains(e.Message, "SeqGAN option CudaGraphs");
        StringAssert.Contains(e.Message, "GPU");
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count(), "Nothing written before the refusal.");
    }
}
