using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tests.Data;

[TestClass]
public sealed class EmojiDatasetTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "TestData", "emoji");

    private static List<(string Image, bool IsTwitter)> ReadRows(IDataView view)
    {
        var rows = new List<(string, bool)>();
        using var cursor = view.GetRowCursor(view.Schema);
        var image = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Image"]);
        var isTwitter = cursor.GetGetter<bool>(view.Schema["IsTwitter"]);
        ReadOnlyMemory<char> path = default;
        bool twitter = false;
        while (cursor.MoveNext())
        {
            image(ref path);
            isTwitter(ref twitter);
            rows.Add((path.ToString(), twitter));
        }
        return rows;
    }

    [TestMethod]
    public void FixtureOpensWithItsSplit()
    {
        var emoji = EmojiDataset.Open(Fixture);
        Assert.AreEqual(9, emoji.TrainNames.Count);
        Assert.AreEqual(3, emoji.TestNames.Count);
        Assert.AreEqual(Path.GetFullPath(Fixture), emoji.Folder);
    }

    [TestMethod]
    public void TrainingDataIsUnpairedWithAnImageAndADomainColumn()
    {
        var emoji = EmojiDataset.Open(Fixture);
        var view = emoji.LoadTrainingData(new MLContext(seed: 1));

        Assert.AreEqual(TextDataViewType.Instance, view.Schema["Image"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, view.Schema["IsTwitter"].Type);

        var rows = ReadRows(view);
        Assert.AreEqual(9, rows.Count, "each training name once");
        var google = rows.Where(r => !r.IsTwitter).Select(r => r.Image).ToList();
        var twitter = rows.Where(r => r.IsTwitter).Select(r => r.Image).ToList();
        Assert.AreEqual(4, google.Count);
        Assert.AreEqual(5, twitter.Count);
        Assert.IsTrue(google.All(p => Path.GetFileName(Path.GetDirectoryName(p)) == "google" && File.Exists(p)));
        Assert.IsTrue(twitter.All(p => Path.GetFileName(Path.GetDirectoryName(p)) == "twitter" && File.Exists(p)));

        var googleNames = google.Select(Path.GetFileName).ToHashSet();
        var twitterNames = twitter.Select(Path.GetFileName).ToHashSet();
        Assert.IsFalse(googleNames.Overlaps(twitterNames), "an emoji seen in both styles would be a training pair");
        CollectionAssert.AreEquivalent(emoji.TrainNames.ToList(), googleNames.Concat(twitterNames).ToList());
    }

    [TestMethod]
    public void DomainAssignmentIsReproducibleAndFollowsTheSeed()
    {
        var emoji = EmojiDataset.Open(Fixture);
        string Key(int seed) => string.Join(",", emoji.GetTrainingImages(seed).Where(r => !r.IsTwitter).Select(r => Path.GetFileName(r.Image)));
        Assert.AreEqual(Key(0), Key(0));
        Assert.IsTrue(Enumerable.Range(1, 5).Any(s => Key(s) != Key(0)), "different seeds should give different halves");
    }

    [TestMethod]
    public void TestPairsAreHeldOutAndPaired()
    {
        var emoji = EmojiDataset.Open(Fixture);
        var pairs = emoji.GetTestPairs();
        CollectionAssert.AreEqual(new[] { "1f355.png", "1f383.png", "2b50.png" }, pairs.Select(p => p.Name).ToArray());
        foreach (var pair in pairs)
        {
            Assert.IsTrue(File.Exists(pair.GooglePath) && File.Exists(pair.TwitterPath));
            Assert.AreEqual(pair.Name, Path.GetFileName(pair.GooglePath));
            Assert.AreEqual(pair.Name, Path.GetFileName(pair.TwitterPath));
            Assert.AreNotEqual(pair.GooglePath, pair.TwitterPath);
        }
        var trainingFiles = emoji.GetTrainingImages().Select(r => Path.GetFileName(r.Image)).ToHashSet();
        Assert.IsFalse(pairs.Any(p => trainingFiles.Contains(p.Name)), "a test emoji is in the training data");
    }

    [TestMethod]
    public void FetchedDataSetHasTheDocumentedCounts()
    {
        var folder = EmojiDataset.FindDefaultFolder(AppContext.BaseDirectory);
        if (folder is null) Assert.Inconclusive($"Not fetched; run {EmojiDataset.FetchCommand} to check the full data set.");

        var emoji = EmojiDataset.Open(folder);
        Assert.AreEqual(1911, emoji.TrainNames.Count + emoji.TestNames.Count);
        Assert.AreEqual(180, emoji.TestNames.Count);
        var training = emoji.GetTrainingImages();
        Assert.AreEqual(865, training.Count(r => !r.IsTwitter));

        double l1 = 0, ssim = 0;
        foreach (var pair in emoji.GetTestPairs())
        {
            using var g = MLImage.CreateFromFile(pair.GooglePath);
            using var t = MLImage.CreateFromFile(pair.TwitterPath);
            Assert.AreEqual((64, 64), (g.Width, g.Height), pair.GooglePath);
            Assert.AreEqual((64, 64), (t.Width, t.Height), pair.TwitterPath);
            l1 += ImageMetrics.MeanAbsoluteError(g, t);
            ssim += ImageMetrics.StructuralSimilarity(g, t);
        }
        // What a translator that copies its input scores, the bar a trained model must clear: BENCHMARKS.md's identity
        // row. A change to the data, its split or the metrics moves it.
        Assert.AreEqual(0.1701, l1 / emoji.TestNames.Count, 5e-5, "identity L1");
        Assert.AreEqual(0.3530, ssim / emoji.TestNames.Count, 5e-5, "identity SSIM");
    }

    [TestMethod]
    public void MissingOrEmptyFolderNamesTheFolderAndTheFetchCommand()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-emoji-{Guid.NewGuid():N}");
        var e = Assert.Throws<DirectoryNotFoundException>(() => EmojiDataset.Open(missing));
        StringAssert.Contains(e.Message, missing);
        StringAssert.Contains(e.Message, EmojiDataset.FetchCommand);

        var empty = Directory.CreateTempSubdirectory("emoji-").FullName;
        try
        {
            var f = Assert.Throws<FileNotFoundException>(() => EmojiDataset.Open(empty));
            StringAssert.Contains(f.Message, empty);
            StringAssert.Contains(f.Message, EmojiDataset.FetchCommand);

            File.WriteAllText(Path.Combine(empty, "split.tsv"), "1f600.png\ttrain\n");
            var g = Assert.Throws<FileNotFoundException>(() => EmojiDataset.Open(empty));
            StringAssert.Contains(g.Message, "1f600.png");

            File.WriteAllText(Path.Combine(empty, "split.tsv"), "1f600.png\tvalidation\n");
            Assert.Throws<InvalidDataException>(() => EmojiDataset.Open(empty));
        }
        finally { Directory.Delete(empty, recursive: true); }
    }

    [TestMethod]
    public void DefaultFolderIsFoundFromASubdirectory()
    {
        var root = Directory.CreateTempSubdirectory("repo-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "data", "emoji"));
            File.WriteAllText(Path.Combine(root, "data", "emoji", "split.tsv"), "");
            var deep = Directory.CreateDirectory(Path.Combine(root, "examples", "cyclegan")).FullName;
            Assert.AreEqual(Path.Combine(root, "data", "emoji"), EmojiDataset.FindDefaultFolder(deep));

            File.Delete(Path.Combine(root, "data", "emoji", "split.tsv"));
            Assert.IsNull(EmojiDataset.FindDefaultFolder(deep), "a folder without split.tsv is not the data set");
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
