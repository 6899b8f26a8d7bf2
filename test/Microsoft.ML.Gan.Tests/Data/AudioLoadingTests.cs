using Microsoft.ML.Data;
using Microsoft.ML.Gan.Tests.WaveGan;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.Data;

/// <summary>Writing WAV files, and the LoadAudio transform's errors and per-row reuse.</summary>
[TestClass]
public sealed class AudioLoadingTests
{
    public sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    public sealed class PathsRow
    {
        public string[] Path { get; set; } = [];
    }

    private static IDataView LoadAudio(MLContext ml, string folder, params string[] paths)
    {
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Path = p }).ToList());
        return ml.Transforms.Gan().LoadAudio("Audio", folder, "Path", sliceLength: 2000).Fit(data).Transform(data);
    }

    [TestMethod]
    public void WriteWavReplacesTheFileByRenameSoAReaderKeepsTheWholeOldFile()
    {
        string dir = TempDirectory();
        string path = Path.Combine(dir, "clip.wav");
        AudioFile.WriteWav(path, Enumerable.Repeat(0.5f, 1000).ToArray());
        byte[] old = File.ReadAllBytes(path);
        using (var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            AudioFile.WriteWav(path, new[] { -0.25f, 0.25f });
            // Written in place, the file would be cut to the new one's 48 bytes under the open reader.
            var seen = new byte[old.Length + 1];
            Assert.AreEqual(old.Length, reader.ReadAtLeast(seen, seen.Length, throwOnEndOfStream: false));
            CollectionAssert.AreEqual(old, seen[..old.Length]);
        }
        Assert.AreEqual(2, AudioFile.ReadMono(path).Samples.Length);
        CollectionAssert.AreEqual(new[] { "clip.wav" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray(), "no temporary file left");
    }

    [TestMethod]
    public void AFolderOrALockedFileIsInvalidDataNamingTheColumnRowAndFile()
    {
        string dir = TempDirectory();
        TestAudio.Write(Path.Combine(dir, "ok.wav"), 16000, TestAudio.Sine(200, 16000, 0.1, 0.3f));
        string folder = Directory.CreateDirectory(Path.Combine(dir, "takes.wav")).FullName;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => AudioFile.Load(folder));
        StringAssert.Contains(e.Message, folder);
        var ml = new MLContext(seed: 1);
        var row = Assert.ThrowsExactly<InvalidDataException>(() => LoadAudio(ml, dir, "ok.wav", "takes.wav").GetColumn<float[]>("Audio").ToArray());
        StringAssert.Contains(row.Message, "'Path', row 1");
        StringAssert.Contains(row.Message, folder);

        // .NET locks a file opened with FileShare.None against other opens, even by root, which permissions do not stop.
        string locked = TestAudio.Write(Path.Combine(dir, "locked.wav"), 16000, TestAudio.Sine(300, 16000, 0.1, 0.3f));
        using var holder = new FileStream(locked, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => AudioFile.Load(locked)).Message, locked);
        row = Assert.ThrowsExactly<InvalidDataException>(() => LoadAudio(ml, dir, "ok.wav", "locked.wav").GetColumn<float[]>("Audio").ToArray());
        StringAssert.Contains(row.Message, "'Path', row 1");
        StringAssert.Contains(row.Message, locked);
    }

    [TestMethod]
    public void ASecondReadAtTheSameRowReusesTheDecodedClip()
    {
        string dir = TempDirectory();
        string path = TestAudio.Write(Path.Combine(dir, "a.wav"), 16000, TestAudio.Sine(200, 16000, 0.1, 0.5f));
        var clips = LoadAudio(new MLContext(seed: 1), dir, "a.wav");
        using var cursor = clips.GetRowCursor(clips.Schema);
        var get = cursor.GetGetter<VBuffer<float>>(clips.Schema["Audio"]);
        Assert.IsTrue(cursor.MoveNext());
        VBuffer<float> first = default, second = default, third = default;
        get(ref first);
        var expected = first.DenseValues().ToArray();
        // Gone, so only the clip the first call decoded can answer the next ones.
        File.Delete(path);
        get(ref second);
        CollectionAssert.AreEqual(expected, second.DenseValues().ToArray());

        // ML.NET callers reuse their buffers; writing into one must not change what the next call returns.
        VBufferEditor.CreateFromBuffer(ref second).Values.Fill(42f);
        get(ref third);
        CollectionAssert.AreEqual(expected, third.DenseValues().ToArray());
    }

    [TestMethod]
    public void APathColumnOfTheWrongKindIsNamedWithItsKind()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.Gan().LoadAudio("Audio", null, "Path");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(ShapeOf<PathsRow>(ml)));
        StringAssert.Contains(e.Message, "'Path'");
        StringAssert.Contains(e.Message, "String (VariableVector)");
        Assert.ThrowsExactly<ArgumentNullException>(() => estimator.Fit(null!));
    }
}
