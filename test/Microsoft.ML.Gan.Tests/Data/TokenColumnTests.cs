using Microsoft.ML.Data;
using Microsoft.ML.Gan.Data;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.Data;

/// <summary>Token sequences from key columns of every raw type, with and without key values.</summary>
[TestClass]
public sealed class TokenColumnTests
{
    public sealed class NotesRow
    {
        [VectorType(4)]
        public float[] Notes { get; set; } = [];
    }

    private static List<string[]> Read(IDataView data, string column) =>
        TokenColumn.ReadAll(data, column, SeqGanTokenizer.Whitespace, CancellationToken.None).Sequences;

    [TestMethod]
    public void UInt64KeysFromATextLoaderAreTheirNumbers()
    {
        string path = Path.Combine(TempDirectory(), "keys.txt");
        File.WriteAllLines(path, new[] { "1 ? 7", "3 3 12" });
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromTextFile(path,
            new[] { new TextLoader.Column("Keys", DataKind.UInt64, new[] { new TextLoader.Range(0, 2) }, new KeyCount(10)) }, separatorChar: ' ');
        Assert.AreEqual(typeof(ulong), ((VectorDataViewType)data.Schema["Keys"].Type).ItemType.RawType);
        var sequences = Read(data, "Keys");
        // TextLoader counts key text from 0, so "1" is key 2; "?" and "12" (past the count) are the missing key 0, left out.
        CollectionAssert.AreEqual(new[] { "2", "8" }, sequences[0]);
        CollectionAssert.AreEqual(new[] { "4", "4" }, sequences[1]);
    }

    [TestMethod]
    public void NumericKeyValuesBecomeTheirInvariantText()
    {
        var ml = new MLContext(seed: 1);
        var notes = ml.Data.LoadFromEnumerable(new[] { new NotesRow { Notes = [60, 62.5f, 60, -1] }, new NotesRow { Notes = [64, 60, 64, 64] } });
        var data = ml.Transforms.Conversion.MapValueToKey("Keys", "Notes").Fit(notes).Transform(notes);
        var sequences = Read(data, "Keys");
        CollectionAssert.AreEqual(new[] { "60", "62.5", "60", "-1" }, sequences[0]);
        CollectionAssert.AreEqual(new[] { "64", "60", "64", "64" }, sequences[1]);
    }
}
