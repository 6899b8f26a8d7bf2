using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tests.Metrics;

[TestClass]
public sealed class ImageMetricsTests
{
    // Integer patterns, so C# and NumPy build bit-identical float32 inputs.
    private static float[] Pattern(int channels, int h, int w, Func<int, int, int, float> f)
    {
        var a = new float[channels * h * w];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    a[(c * h + i) * w + j] = f(c, i, j);
        return a;
    }

    // As NumPy builds them: the level in float64, then one rounding to float32.
    private static float[] X(int c = 3, int h = 16, int w = 13) => Pattern(c, h, w, (c, i, j) => (float)((3 * i + 5 * j + 7 * c) % 11 / 5.0 - 1));
    private static float[] Y(int c = 3, int h = 16, int w = 13) => Pattern(c, h, w, (c, i, j) => (float)((i * j + 2 * c) % 9 / 4.0 - 1));
    private static float[] Z()
    {
        var (x, y) = (X(), Y());
        return x.Select((v, k) => v * 0.75f + 0.1f * y[k] + 0.05f).ToArray();
    }

    /// <summary>SSIM by its definition: a 2-D Gaussian window around each valid centre, no separability, no reuse.</summary>
    private static double NaiveSsim(float[] x, float[] y, int channels, int h, int w)
    {
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        double total = 0;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            int count = 0;
            for (int i = 5; i < h - 5; i++)
            {
                for (int j = 5; j < w - 5; j++)
                {
                    double wsum = 0, mx = 0, my = 0;
                    for (int u = -5; u <= 5; u++)
                        for (int v = -5; v <= 5; v++)
                        {
                            double g = Math.Exp(-(u * u + v * v) / (2 * 1.5 * 1.5));
                            wsum += g;
                            mx += g * (x[(c * h + i + u) * w + j + v] + 1.0) / 2;
                            my += g * (y[(c * h + i + u) * w + j + v] + 1.0) / 2;
                        }
                    mx /= wsum; my /= wsum;
                    double vx = 0, vy = 0, cxy = 0;
                    for (int u = -5; u <= 5; u++)
                        for (int v = -5; v <= 5; v++)
                        {
                            double g = Math.Exp(-(u * u + v * v) / (2 * 1.5 * 1.5)) / wsum;
                            double a = (x[(c * h + i + u) * w + j + v] + 1.0) / 2 - mx, b = (y[(c * h + i + u) * w + j + v] + 1.0) / 2 - my;
                            vx += g * a * a; vy += g * b * b; cxy += g * a * b;
                        }
                    sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                    count++;
                }
            }
            total += sum / count;
        }
        return total / channels;
    }

    [TestMethod]
    public void IdenticalImagesHaveSsimOneAndNoError()
    {
        var x = X();
        Assert.AreEqual(1.0, ImageMetrics.StructuralSimilarity(x, x, 16, 13), 1e-12);
        Assert.AreEqual(0.0, ImageMetrics.MeanAbsoluteError(x, x));
    }

    [TestMethod]
    public void ConstantImagesOnlyHaveTheLuminanceTerm()
    {
        // 0.2 against 0.5 on [0, 1]: no variance, so contrast-structure is C2 / C2 = 1 and SSIM is
        // (2 · 0.2 · 0.5 + C1) / (0.2² + 0.5² + C1) with C1 = (0.01 · 1)².
        const int h = 12, w = 12;
        var x = Enumerable.Repeat(-0.6f, 3 * h * w).ToArray();
        var y = Enumerable.Repeat(0f, 3 * h * w).ToArray();
        double expected = (2 * 0.2 * 0.5 + 1e-4) / (0.04 + 0.25 + 1e-4);
        Assert.AreEqual(expected, ImageMetrics.StructuralSimilarity(x, y, h, w), 1e-6);
        Assert.AreEqual(0.3, ImageMetrics.MeanAbsoluteError(x, y), 1e-6);
    }

    [TestMethod]
    public void OffsetOfAPatternMatchesTheNaiveFormula()
    {
        var x = Pattern(1, 14, 15, (c, i, j) => (i * 7 + j * 3) % 5 / 10f - 0.5f);
        var y = x.Select(v => v + 0.4f).ToArray();
        double ssim = ImageMetrics.StructuralSimilarity(x, y, 14, 15);
        Assert.AreEqual(NaiveSsim(x, y, 1, 14, 15), ssim, 1e-12);
        Assert.IsTrue(ssim < 1);
        Assert.AreEqual(0.2, ImageMetrics.MeanAbsoluteError(x, y), 1e-6);
    }

    [TestMethod]
    public void SmallColourCaseMatchesTheNaiveFormula()
    {
        var (x, y, z) = (X(), Y(), Z());
        Assert.AreEqual(NaiveSsim(x, y, 3, 16, 13), ImageMetrics.StructuralSimilarity(x, y, 16, 13), 1e-12);
        Assert.AreEqual(NaiveSsim(x, z, 3, 16, 13), ImageMetrics.StructuralSimilarity(x, z, 16, 13), 1e-12);
    }

    [TestMethod]
    public void MatchesScikitImage()
    {
        // scikit-image 0.19.3: structural_similarity((x + 1) / 2, (y + 1) / 2, gaussian_weights=True, sigma=1.5,
        // use_sample_covariance=False, data_range=1, channel_axis=0) on the same float32 patterns, in float64.
        var (x, y, z) = (X(), Y(), Z());
        Assert.AreEqual(0.0030553858740255146, ImageMetrics.StructuralSimilarity(x, y, 16, 13), 1e-9);
        Assert.AreEqual(0.9530985722945479, ImageMetrics.StructuralSimilarity(x, z, 16, 13), 1e-9);
        Assert.AreEqual(0.12658542818617477, ImageMetrics.StructuralSimilarity(y, z, 16, 13), 1e-9);
        Assert.AreEqual(0.3592147458440218, ImageMetrics.MeanAbsoluteError(x, y), 1e-9);
    }

    [TestMethod]
    public void MetricsAreSymmetric()
    {
        var (x, z) = (X(), Z());
        Assert.AreEqual(ImageMetrics.StructuralSimilarity(x, z, 16, 13), ImageMetrics.StructuralSimilarity(z, x, 16, 13), 1e-15);
        Assert.AreEqual(ImageMetrics.MeanAbsoluteError(x, z), ImageMetrics.MeanAbsoluteError(z, x), 1e-15);
    }

    [TestMethod]
    public void BlackAgainstWhiteIsErrorOne()
    {
        var black = Enumerable.Repeat(-1f, 3 * 11 * 11).ToArray();
        var white = Enumerable.Repeat(1f, 3 * 11 * 11).ToArray();
        Assert.AreEqual(1.0, ImageMetrics.MeanAbsoluteError(black, white));
        Assert.IsTrue(ImageMetrics.StructuralSimilarity(black, white, 11, 11) < 1e-3);
    }

    [TestMethod]
    public void MLImageOverloadsAgreeWithThePlanarOnes()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "TestData", "emoji");
        using var g = MLImage.CreateFromFile(Path.Combine(dir, "google", "1f600.png"));
        using var t = MLImage.CreateFromFile(Path.Combine(dir, "twitter", "1f600.png"));
        var (pg, pt) = (ImageTensors.ToPlanarRgb(g), ImageTensors.ToPlanarRgb(t));
        double ssim = ImageMetrics.StructuralSimilarity(g, t);
        Assert.AreEqual(ImageMetrics.StructuralSimilarity(pg, pt, 64, 64), ssim);
        Assert.AreEqual(ImageMetrics.MeanAbsoluteError(pg, pt), ImageMetrics.MeanAbsoluteError(g, t));
        Assert.IsTrue(ssim > 0 && ssim < 1, $"two vendors' grinning faces: SSIM {ssim}");
    }

    [TestMethod]
    public void DifferentSizesAreRejectedWithTheSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageMetrics.MeanAbsoluteError(new float[12], new float[9]));
        StringAssert.Contains(e.Message, "12 values against 9");
        Assert.Throws<ArgumentException>(() => ImageMetrics.StructuralSimilarity(X(), X(3, 16, 12), 16, 13));
        Assert.Throws<ArgumentException>(() => ImageMetrics.StructuralSimilarity(new float[100], new float[100], 16, 13));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageMetrics.StructuralSimilarity(new float[300], new float[300], 10, 10));

        using var a = MLImage.CreateFromPixels(12, 12, MLPixelFormat.Rgba32, new byte[4 * 144]);
        using var b = MLImage.CreateFromPixels(12, 11, MLPixelFormat.Rgba32, new byte[4 * 132]);
        var m = Assert.Throws<ArgumentException>(() => ImageMetrics.StructuralSimilarity(a, b));
        StringAssert.Contains(m.Message, "12×12 against 12×11");
    }
}
