using System.Text.Json;

namespace Microsoft.ML.Gan.Tests.Data;

/// <summary>The quatrain loader on small JSON files the tests write in the collection's format.</summary>
[TestClass]
public sealed class PoemDatasetTests
{
    // Tang quatrains; the last two are held out (the first four bytes of their MD5, computed with Python's hashlib,
    // are 0 mod 10), the others are not.
    private static readonly string[][] Quatrains =
    [
        ["床前明月光，疑是地上霜。", "舉頭望明月，低頭思故鄉。"],
        ["白日依山盡，黃河入海流。", "欲窮千里目，更上一層樓。"],
        ["春眠不覺曉，處處聞啼鳥。", "夜來風雨聲，花落知多少。"],
        ["千山鳥飛絕，萬徑人蹤滅。", "孤舟蓑笠翁，獨釣寒江雪。"],
        ["河曲回千里，關門限二京。", "所嗟非恃德，設險到天平。"],
        ["注想待元老，識君恨不早。", "我家柱石衰，憂來學丘禱。"],
    ];

    private static string Concat(string[] paragraphs) => string.Concat(paragraphs).Replace("，", "").Replace("。", "");

    private static object Poem(params string[] paragraphs) => new { author = "佚名", paragraphs, title = "詩" };

    private static string WriteFolder(params (string Name, string Json)[] files)
    {
        var folder = TestSupport.TempDirectory();
        foreach (var (name, json) in files) File.WriteAllText(Path.Combine(folder, name), json);
        return folder;
    }

    private static string Json(params object[] poems) => JsonSerializer.Serialize(poems);

    [TestMethod]
    public void QuatrainsAreFourLinesOfFiveLetters()
    {
        Assert.AreEqual("床前明月光疑是地上霜舉頭望明月低頭思故鄉", PoemDataset.ToQuatrain(Quatrains[0]));
        // One paragraph per line, or all in one, give the same quatrain.
        Assert.AreEqual("床前明月光疑是地上霜舉頭望明月低頭思故鄉",
            PoemDataset.ToQuatrain(["床前明月光，", "疑是地上霜。", "舉頭望明月，", "低頭思故鄉。"]));
        // Seven characters a line, eight lines, a lost character and a question mark inside a line are not quatrains.
        Assert.IsNull(PoemDataset.ToQuatrain(["朝辭白帝彩雲間，千里江陵一日還。", "兩岸猿聲啼不住，輕舟已過萬重山。"]));
        Assert.IsNull(PoemDataset.ToQuatrain([.. Quatrains[0], .. Quatrains[1]]));
        Assert.IsNull(PoemDataset.ToQuatrain(["床前明月□，疑是地上霜。", "舉頭望明月，低頭思故鄉。"]));
        Assert.IsNull(PoemDataset.ToQuatrain(["床前明月？，疑是地上霜。", "舉頭望明月，低頭思故鄉。"]));
        Assert.IsNull(PoemDataset.ToQuatrain(["床前明月光，疑是地上霜。"]));
    }

    [TestMethod]
    public void FormatQuatrainPutsThePunctuationBack()
    {
        Assert.AreEqual("床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。", PoemDataset.FormatQuatrain("床前明月光疑是地上霜舉頭望明月低頭思故鄉"));
        // A generated poem that ended early; a character outside the BMP (𠀋, two UTF-16 units) counts as one.
        Assert.AreEqual("床前明月光，疑是𠀋。，。", PoemDataset.FormatQuatrain("床前明月光疑是𠀋"));
    }

    [TestMethod]
    public void TheSplitIsAHashOfTheText()
    {
        for (int i = 0; i < Quatrains.Length; i++)
            Assert.AreEqual(i >= 4, PoemDataset.IsHeldOut(Concat(Quatrains[i])), Concat(Quatrains[i]));
        // About one in ten of many texts.
        int heldOut = Enumerable.Range(0, 5000).Count(i => PoemDataset.IsHeldOut($"poem {i}"));
        Assert.IsTrue(heldOut is > 400 and < 600, $"{heldOut} of 5000 held out");
    }

    [TestMethod]
    public void OpenKeepsDistinctQuatrainsAndSplitsThem()
    {
        var folder = WriteFolder(
            ("poet.tang.0.json", Json(Poem(Quatrains[0]), Poem(Quatrains[4]), Poem("朝辭白帝彩雲間，千里江陵一日還。"), Poem(Quatrains[1]))),
            ("poet.tang.1000.json", Json(Poem(Quatrains[2]), Poem(Quatrains[0]), Poem(Quatrains[5]))),
            ("poet.song.0.json", Json(Poem(Quatrains[3]))),
            ("authors.tang.json", "not read"));

        var poems = PoemDataset.Open(folder);

        Assert.AreEqual(3, poems.FileCount);
        Assert.AreEqual(8, poems.PoemCount);
        // Files in ordinal order (poet.song.0, poet.tang.0, poet.tang.1000); the repeated 靜夜思 is kept once.
        CollectionAssert.AreEqual(new[] { 3, 0, 1, 2 }.Select(i => Concat(Quatrains[i])).ToList(), poems.Train.ToList());
        CollectionAssert.AreEqual(new[] { 4, 5 }.Select(i => Concat(Quatrains[i])).ToList(), poems.Test.ToList());
        Assert.IsTrue(poems.Train.Concat(poems.Test).All(q => q.Length == PoemDataset.PoemLength));

        var ml = new MLContext(seed: 1);
        var rows = ml.Data.CreateEnumerable<PoemRow>(poems.LoadTrainingData(ml, maxRows: 3), reuseRowObject: false).Select(r => r.Text).ToList();
        CollectionAssert.AreEqual(poems.Train.Take(3).ToList(), rows);
        Assert.AreEqual(2, ml.Data.CreateEnumerable<PoemRow>(poems.LoadTestData(ml), reuseRowObject: false).Count());
    }

    [TestMethod]
    public void FindDefaultFolderLooksInParentFolders()
    {
        var root = TestSupport.TempDirectory();
        var data = Path.Combine(root, "data", "poems");
        Directory.CreateDirectory(data);
        var deep = Directory.CreateDirectory(Path.Combine(root, "a", "b")).FullName;
        Assert.IsNull(PoemDataset.FindDefaultFolder(deep));
        File.WriteAllText(Path.Combine(data, "poet.tang.0.json"), Json(Poem(Quatrains[0])));
        Assert.AreEqual(data, PoemDataset.FindDefaultFolder(deep));
    }

    [TestMethod]
    public void BadFoldersAndFilesAreNamedInTheError()
    {
        var missing = Path.Combine(TestSupport.TempDirectory(), "nowhere");
        var e1 = Assert.ThrowsExactly<DirectoryNotFoundException>(() => PoemDataset.Open(missing));
        StringAssert.Contains(e1.Message, missing);
        StringAssert.Contains(e1.Message, PoemDataset.FetchCommand);

        var empty = TestSupport.TempDirectory();
        var e2 = Assert.ThrowsExactly<FileNotFoundException>(() => PoemDataset.Open(empty));
        StringAssert.Contains(e2.Message, "poet.*.json");

        var broken = WriteFolder(("poet.tang.0.json", "[{\"paragraphs\": [\"床前明月光，\""));
        var e3 = Assert.ThrowsExactly<InvalidDataException>(() => PoemDataset.Open(broken));
        StringAssert.Contains(e3.Message, Path.Combine(broken, "poet.tang.0.json"));
        StringAssert.Contains(e3.Message, "not valid JSON");

        var notArray = WriteFolder(("poet.tang.0.json", "{\"paragraphs\": []}"));
        var e4 = Assert.ThrowsExactly<InvalidDataException>(() => PoemDataset.Open(notArray));
        StringAssert.Contains(e4.Message, "expected a JSON array");
        StringAssert.Contains(e4.Message, "found a JSON Object");

        var noParagraphs = WriteFolder(("poet.tang.0.json", Json(Poem(Quatrains[0]), new { title = "無題", paragraphs = new[] { 1, 2 } })));
        var e5 = Assert.ThrowsExactly<InvalidDataException>(() => PoemDataset.Open(noParagraphs));
        StringAssert.Contains(e5.Message, "poet.tang.0.json, poem 1");
        StringAssert.Contains(e5.Message, "array of strings");

        var noQuatrain = WriteFolder(("poet.tang.0.json", Json(Poem("朝辭白帝彩雲間，千里江陵一日還。"), Poem(Quatrains[4]))));
        var e6 = Assert.ThrowsExactly<InvalidDataException>(() => PoemDataset.Open(noQuatrain));
        StringAssert.Contains(e6.Message, "hold 2 poems but no five-character quatrain");
    }
}
