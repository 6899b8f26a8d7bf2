using Microsoft.ML.Data;
using Microsoft.ML.Gan.Data;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.Data;

[TestClass]
public sealed class ImageColumnTests
{
    public sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    [TestMethod]
    public void AMissingImageIsNamedByColumnAndRow()
    {
        string dir = TempDirectory();
        ImageGrid.Save(Path.Combine(dir, "a.png"), new[] { new[] { new float[12] } }, 2, 2);
        var ml = new MLContext(seed: 1);
        var paths = ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = "a.png" }, new PathRow { Path = "" } });
        // LoadImages gives no image for an empty path.
        var images = ml.Transforms.LoadImages("Image", dir, "Path").Fit(paths).Transform(paths);
        var column = images.Schema["Image"];
        using var cursor = images.GetRowCursor(new[] { column });
        var read = ImageColumn.RowReader(cursor, column, null);
        Assert.IsTrue(cursor.MoveNext());
        Assert.AreEqual(2, read().Width);
        Assert.IsTrue(cursor.MoveNext());
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => read());
        StringAssert.Contains(e.Message, "'Image', row 1");
    }
}
