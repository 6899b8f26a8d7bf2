using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Data;

[TestClass]
public sealed class ImageTensorsTests
{
    private const float OneLevel = 1f / 127.5f;

    [TestMethod]
    public void BytesSurviveTheRoundTripExactly()
    {
        const int h = 7, w = 9;
        var rng = new Random(1);
        var rgba = new byte[4 * h * w];
        rng.NextBytes(rgba);
        for (int i = 3; i < rgba.Length; i += 4) rgba[i] = 255;
        using var image = MLImage.CreateFromPixels(w, h, MLPixelFormat.Rgba32, rgba);

        var planar = ImageTensors.ToPlanarRgb(image);
        Assert.AreEqual(3 * h * w, planar.Length);
        Assert.IsTrue(planar.All(v => v >= -1f && v <= 1f));
        using var back = ImageTensors.ToImage(planar, h, w);

        Assert.AreEqual(MLPixelFormat.Rgba32, back.PixelFormat);
        CollectionAssert.AreEqual(rgba, back.Pixels.ToArray());
    }

    [TestMethod]
    public void FloatsComeBackWithinOneGreyLevel()
    {
        const int h = 5, w = 6;
        var rng = new Random(2);
        var planar = Enumerable.Range(0, 3 * h * w).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        using var image = ImageTensors.ToImage(planar, h, w);
        var back = ImageTensors.ToPlanarRgb(image);
        for (int i = 0; i < planar.Length; i++)
            Assert.IsTrue(Math.Abs(planar[i] - back[i]) <= OneLevel / 2 + 1e-6f, $"value {i}: {planar[i]} came back as {back[i]}");
    }

    [TestMethod]
    public void PureRedLandsInTheFirstPlaneForBothPixelFormats()
    {
        using var rgba = MLImage.CreateFromPixels(2, 1, MLPixelFormat.Rgba32, new byte[] { 255, 0, 0, 255, 255, 0, 0, 255 });
        using var bgra = MLImage.CreateFromPixels(2, 1, MLPixelFormat.Bgra32, new byte[] { 0, 0, 255, 255, 0, 0, 255, 255 });
        var path = Path.Combine(Path.GetTempPath(), $"red-{Guid.NewGuid():N}.png");
        rgba.Save(path);
        try
        {
            using var decoded = MLImage.CreateFromFile(path);
            foreach (var image in new[] { rgba, bgra, decoded })
            {
                CollectionAssert.AreEqual(new[] { 1f, 1f, -1f, -1f, -1f, -1f }, ImageTensors.ToPlanarRgb(image),
                    $"pixel format {image.PixelFormat}");
            }
        }
        finally { File.Delete(path); }

        using var red = ImageTensors.ToImage(new[] { 1f, -1f, -1f }, 1, 1);
        CollectionAssert.AreEqual(new byte[] { 255, 0, 0, 255 }, red.Pixels.ToArray());
    }

    [TestMethod]
    public void TransparencyIsCompositedOntoWhite()
    {
        // MLImage pixels are premultiplied: half-transparent pure red is stored as (128, 0, 0, 128).
        // The third pixel is not valid premultiplied data (colour above alpha) and still reads as white.
        var pixels = new byte[] { 0, 0, 0, 0, 128, 0, 0, 128, 10, 20, 30, 0 };
        using var image = MLImage.CreateFromPixels(3, 1, MLPixelFormat.Rgba32, pixels);
        var planar = ImageTensors.ToPlanarRgb(image);
        float half = 127 / 127.5f - 1;
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f, 1f, half, 1f, 1f, half, 1f }, planar);

        // A decoded PNG: the corners of an emoji are transparent, so they read as white.
        using var emoji = MLImage.CreateFromFile(Path.Combine(AppContext.BaseDirectory, "TestData", "emoji", "google", "1f600.png"));
        Assert.AreEqual(0, emoji.Pixels[3], "the fixture's corner pixel should be transparent");
        var e = ImageTensors.ToPlanarRgb(emoji);
        int plane = emoji.Width * emoji.Height;
        Assert.AreEqual(1f, e[0]); Assert.AreEqual(1f, e[plane]); Assert.AreEqual(1f, e[2 * plane]);
    }

    [TestMethod]
    public void TensorsHaveTheNchwLayoutAndComeBack()
    {
        using var scope = NewDisposeScope();
        const int h = 2, w = 3;
        var a = Enumerable.Range(0, 18).Select(i => i / 18f).ToArray();
        var b = a.Select(v => -v).ToArray();
        var t = ImageTensors.ToTensor(new[] { a, b }, h, w);
        CollectionAssert.AreEqual(new long[] { 2, 3, h, w }, t.shape);
        Assert.AreEqual(a[1 * h * w + 1 * w + 2], t[0, 1, 1, 2].item<float>());
        Assert.AreEqual(b[2 * h * w], t[1, 2, 0, 0].item<float>());

        var back = ImageTensors.FromTensor(t.to_type(ScalarType.Float64));
        Assert.AreEqual(2, back.Length);
        CollectionAssert.AreEqual(a, back[0]);
        CollectionAssert.AreEqual(b, back[1]);
    }

    [TestMethod]
    public void WrongSizesAreRejectedWithTheNumbers()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageTensors.ToImage(new float[10], 2, 2));
        StringAssert.Contains(e.Message, "12");
        using var image = MLImage.CreateFromPixels(2, 2, MLPixelFormat.Rgba32, new byte[16]);
        Assert.Throws<ArgumentException>(() => ImageTensors.ToPlanarRgb(image, new float[11]));
        Assert.Throws<ArgumentException>(() => ImageTensors.ToTensor(new[] { new float[12], new float[11] }, 2, 2));
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ImageTensors.FromTensor(zeros(1, 4, 2, 2)));
    }

    [TestMethod]
    public void AnEmptyBatchSplitsIntoNoImages()
    {
        using var scope = NewDisposeScope();
        Assert.AreEqual(0, ImageTensors.FromTensor(zeros(0, 3, 2, 2)).Length);
    }
}
