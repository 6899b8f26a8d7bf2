using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tests.Data;

[TestClass]
public sealed class ImageGridTests
{
    private static float[] Solid(int h, int w, float r, float g, float b) =>
        Enumerable.Repeat(r, h * w).Concat(Enumerable.Repeat(g, h * w)).Concat(Enumerable.Repeat(b, h * w)).ToArray();

    private static byte[] Rgb(MLImage image, int x, int y)
    {
        var planar = ImageTensors.ToPlanarRgb(image);
        int plane = image.Width * image.Height, i = y * image.Width + x;
        return new[] { planar[i], planar[plane + i], planar[2 * plane + i] }.Select(v => (byte)MathF.Round((v + 1) * 127.5f)).ToArray();
    }

    [TestMethod]
    public void GridHasTheExpectedSizeCellsAndGaps()
    {
        const int h = 4, w = 5, gap = 2;
        var red = Solid(h, w, 1, -1, -1);
        var blue = Solid(h, w, -1, -1, 1);
        var white = Solid(h, w, 1, 1, 1);
        var dir = Directory.CreateTempSubdirectory("grid-").FullName;
        var path = Path.Combine(dir, "grid.png");
        try
        {
            ImageGrid.Save(path, new[] { new[] { red, white, white }, new[] { blue, white } }, h, w, gap);

            using var png = MLImage.CreateFromFile(path);
            Assert.AreEqual(3 * w + 2 * gap, png.Width);
            Assert.AreEqual(2 * h + gap, png.Height);
            CollectionAssert.AreEqual(new byte[] { 255, 0, 0 }, Rgb(png, 0, 0));
            CollectionAssert.AreEqual(new byte[] { 255, 0, 0 }, Rgb(png, w - 1, h - 1));
            CollectionAssert.AreEqual(new byte[] { 128, 128, 128 }, Rgb(png, w, 0), "gap between columns");
            CollectionAssert.AreEqual(new byte[] { 128, 128, 128 }, Rgb(png, 0, h), "gap between rows");
            CollectionAssert.AreEqual(new byte[] { 0, 0, 255 }, Rgb(png, 0, h + gap));
            CollectionAssert.AreEqual(new byte[] { 128, 128, 128 }, Rgb(png, png.Width - 1, png.Height - 1), "empty cell of the short row");
            CollectionAssert.AreEqual(new[] { "grid.png" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray(), "no temporary file left");

            // Writing again replaces the file.
            ImageGrid.Save(path, new[] { new[] { blue } }, h, w, gap);
            using var again = MLImage.CreateFromFile(path);
            Assert.AreEqual(w, again.Width);
            CollectionAssert.AreEqual(new byte[] { 0, 0, 255 }, Rgb(again, 0, 0));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [TestMethod]
    public void MLImagesAreAcceptedAndSizesMustMatch()
    {
        var dir = Directory.CreateTempSubdirectory("grid-").FullName;
        try
        {
            using var a = MLImage.CreateFromPixels(2, 2, MLPixelFormat.Rgba32, Enumerable.Repeat(new byte[] { 0, 255, 0, 255 }, 4).SelectMany(p => p).ToArray());
            using var b = MLImage.CreateFromPixels(3, 2, MLPixelFormat.Rgba32, new byte[24]);
            var path = Path.Combine(dir, "g.png");
            ImageGrid.Save(path, new[] { new[] { a, a } }, gap: 1);
            using var png = MLImage.CreateFromFile(path);
            Assert.AreEqual(5, png.Width);
            CollectionAssert.AreEqual(new byte[] { 0, 255, 0 }, Rgb(png, 4, 1));

            var e = Assert.Throws<ArgumentException>(() => ImageGrid.Save(path, new[] { new[] { a, b } }));
            StringAssert.Contains(e.Message, "rows[0][1]");
            Assert.Throws<ArgumentException>(() => ImageGrid.Save(path, new[] { new[] { new float[5] } }, 2, 2));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [TestMethod]
    public void NullRowsAndImagesAreNamedByTheirPosition()
    {
        var dir = Directory.CreateTempSubdirectory("grid-").FullName;
        try
        {
            using var a = MLImage.CreateFromPixels(2, 2, MLPixelFormat.Rgba32, new byte[16]);
            var path = Path.Combine(dir, "g.png");
            Assert.AreEqual("rows[1]", Assert.ThrowsExactly<ArgumentNullException>(() => ImageGrid.Save(path, new[] { new[] { a }, null! })).ParamName);
            Assert.AreEqual("rows[0][1]", Assert.ThrowsExactly<ArgumentNullException>(() => ImageGrid.Save(path, new[] { new[] { a, null! } })).ParamName);
            Assert.AreEqual("rows[1][0]", Assert.ThrowsExactly<ArgumentNullException>(() => ImageGrid.Save(path, new[] { new[] { a }, new MLImage[] { null! } })).ParamName);
            Assert.AreEqual("rows[0][0]", Assert.ThrowsExactly<ArgumentNullException>(() => ImageGrid.Save(path, new[] { new MLImage[] { null!, a } })).ParamName);
            Assert.AreEqual("rows[0][1]", Assert.ThrowsExactly<ArgumentNullException>(() => ImageGrid.Save(path, new[] { new[] { new float[12], null! } }, 2, 2)).ParamName);
            Assert.IsFalse(File.Exists(path));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
