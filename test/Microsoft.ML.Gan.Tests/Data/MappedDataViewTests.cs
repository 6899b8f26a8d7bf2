using Microsoft.ML.Data;
using Microsoft.ML.Gan.Data;

namespace Microsoft.ML.Gan.Tests.Data;

[TestClass]
public sealed class MappedDataViewTests
{
    private sealed class Row
    {
        public float X { get; set; }
    }

    [TestMethod]
    public void AComputedColumnIsComputedOncePerRowHoweverOftenItIsRead()
    {
        var ml = new MLContext(seed: 1);
        var input = ml.Data.LoadFromEnumerable(new[] { new Row { X = 1 }, new Row { X = 2 }, new Row { X = 3 } });
        int computed = 0;
        var view = new MappedDataView(input, "Twice", NumberDataViewType.Single, row =>
        {
            var getX = row.GetGetter<float>(row.Schema["X"]);
            var twice = MappedDataView.OncePerRow(row, () =>
            {
                computed++;
                float x = 0;
                getX(ref x);
                return 2 * x;
            });
            return (ValueGetter<float>)((ref float value) => value = twice());
        }, "X");
        var seen = new List<float>();
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var get = cursor.GetGetter<float>(view.Schema["Twice"]);
            while (cursor.MoveNext())
            {
                float first = 0, second = 0;
                get(ref first);
                get(ref second);
                Assert.AreEqual(first, second);
                seen.Add(first);
            }
        }
        CollectionAssert.AreEqual(new[] { 2f, 4f, 6f }, seen, "a new value at each row");
        Assert.AreEqual(3, computed, "two reads at each of three rows");
    }
}
