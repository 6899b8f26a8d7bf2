using Microsoft.ML.Data;

namespace Microsoft.ML.Gan;

/// <summary>
/// Full-reference image metrics for translations that have a ground truth (the paired test images of a
/// CycleGAN data set, such as the emoji that both vendors draw).
/// </summary>
/// <remarks>
/// Inputs are planar RGB arrays in [-1, 1] as <see cref="ImageTensors"/> produces them (or <see cref="MLImage"/>s,
/// converted the same way). Both metrics report on [0, 1] intensities, the scale papers and scikit-image use:
/// an L1 of 0.1 means a mean error of 10% of the dynamic range.
/// </remarks>
public static class ImageMetrics
{
    private const int WindowRadius = 5;
    private const double Sigma = 1.5;
    private const double K1 = 0.01;
    private const double K2 = 0.03;

    // SSIM is computed on [0, 1] intensities with L = 1; it is not shift-invariant (the luminance term compares
    // means), so computing on [-1, 1] with L = 2 would give a different number from the published one.
    private const double DataRange = 1.0;

    /// <summary>The 11-tap Gaussian window (σ = 1.5), normalised to sum 1, as scipy's <c>gaussian_filter(truncate=3.5)</c> builds it.</summary>
    internal static readonly double[] Window = BuildWindow();

    /// <summary>Mean absolute error on [0, 1] intensities: the mean over all values of <c>|x − y| / 2</c>.</summary>
    /// <param name="x">A planar RGB image in [-1, 1].</param>
    /// <param name="y">A planar RGB image in [-1, 1], of the same length.</param>
    /// <returns>0 for identical images, 1 for black against white.</returns>
    public static double MeanAbsoluteError(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"The images differ in size: {x.Length} values against {y.Length}.", nameof(y));
        if (x.Length == 0) throw new ArgumentException("The images are empty.", nameof(x));
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += Math.Abs((double)x[i] - y[i]);
        return sum / x.Length / 2;
    }

    /// <summary>Mean absolute error on [0, 1] intensities of two images, alpha composited onto white.</summary>
    /// <param name="x">An image.</param>
    /// <param name="y">An image of the same width and height.</param>
    public static double MeanAbsoluteError(MLImage x, MLImage y)
    {
        CheckSameSize(x, y);
        return MeanAbsoluteError(ImageTensors.ToPlanarRgb(x), ImageTensors.ToPlanarRgb(y));
    }

    /// <summary>
    /// Structural similarity (Wang, Bovik, Sheikh and Simoncelli, 2004), averaged over the channels.
    /// </summary>
    /// <param name="x">A planar image in [-1, 1]: <c>channels · height · width</c> values (3 channels for RGB).</param>
    /// <param name="y">A planar image in [-1, 1], of the same size.</param>
    /// <param name="height">The images' height in pixels, at least 11.</param>
    /// <param name="width">The images' width in pixels, at least 11.</param>
    /// <returns>1 for identical images; lower is less similar (it can go below 0).</returns>
    /// <remarks>
    /// <para>The paper's settings: an 11 × 11 Gaussian window with σ = 1.5, K1 = 0.01, K2 = 0.03, dynamic range
    /// L = 1 on [0, 1] intensities, population (not sample) variances.</para>
    /// <para>The SSIM map is averaged over the valid region only, the <c>(height − 10) × (width − 10)</c> centres
    /// whose window lies inside the image, so no padding is involved. This is what scikit-image's
    /// <c>structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
    /// data_range=1, channel_axis=0)</c> returns: it filters with padding but then crops 5 pixels on every side
    /// before taking the mean. Computed in double precision, as scikit-image does.</para>
    /// </remarks>
    public static double StructuralSimilarity(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int height, int width)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"The images differ in size: {x.Length} values against {y.Length}.", nameof(y));
        int window = 2 * WindowRadius + 1;
        if (height < window || width < window)
            throw new ArgumentOutOfRangeException(nameof(height),
                $"SSIM's {window}×{window} window needs images of at least {window}×{window} pixels; got {width}×{height}.");
        int plane = height * width;
        if (x.Length == 0 || x.Length % plane != 0)
            throw new ArgumentException(
                $"{x.Length} values are not a whole number of {width}×{height} planes.", nameof(x));

        int channels = x.Length / plane;
        double total = 0;
        for (int c = 0; c < channels; c++)
            total += ChannelSsim(x.Slice(c * plane, plane), y.Slice(c * plane, plane), height, width);
        return total / channels;
    }

    /// <summary>Structural similarity of two RGB images, alpha composited onto white, averaged over R, G and B.</summary>
    /// <param name="x">An image.</param>
    /// <param name="y">An image of the same width and height.</param>
    /// <remarks>See <see cref="StructuralSimilarity(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int)"/>.</remarks>
    public static double StructuralSimilarity(MLImage x, MLImage y)
    {
        CheckSameSize(x, y);
        return StructuralSimilarity(ImageTensors.ToPlanarRgb(x), ImageTensors.ToPlanarRgb(y), x.Height, x.Width);
    }

    private static double ChannelSsim(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int height, int width)
    {
        double c1 = K1 * DataRange * (K1 * DataRange);
        double c2 = K2 * DataRange * (K2 * DataRange);
        int outH = height - 2 * WindowRadius, outW = width - 2 * WindowRadius;

        // The five local moments share one separable pass: rows first (valid columns only), then columns.
        var rows = new double[5][];
        for (int m = 0; m < 5; m++) rows[m] = new double[height * outW];
        for (int r = 0; r < height; r++)
        {
            for (int j = 0; j < outW; j++)
            {
                double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
                for (int k = 0; k < Window.Length; k++)
                {
                    double w = Window[k], a = ToUnit(x[r * width + j + k]), b = ToUnit(y[r * width + j + k]);
                    mx += w * a; my += w * b; mxx += w * a * a; myy += w * b * b; mxy += w * a * b;
                }
                int o = r * outW + j;
                rows[0][o] = mx; rows[1][o] = my; rows[2][o] = mxx; rows[3][o] = myy; rows[4][o] = mxy;
            }
        }

        double sum = 0;
        Span<double> moments = stackalloc double[5];
        for (int i = 0; i < outH; i++)
        {
            for (int j = 0; j < outW; j++)
            {
                moments.Clear();
                for (int k = 0; k < Window.Length; k++)
                {
                    int o = (i + k) * outW + j;
                    for (int m = 0; m < 5; m++) moments[m] += Window[k] * rows[m][o];
                }
                double ux = moments[0], uy = moments[1];
                double vx = moments[2] - ux * ux, vy = moments[3] - uy * uy, vxy = moments[4] - ux * uy;
                sum += (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
            }
        }
        return sum / (outH * outW);
    }

    private static double ToUnit(float value) => (value + 1.0) / 2.0;

    private static double[] BuildWindow()
    {
        var w = new double[2 * WindowRadius + 1];
        double total = 0;
        for (int k = -WindowRadius; k <= WindowRadius; k++) total += w[k + WindowRadius] = Math.Exp(-0.5 * k * k / (Sigma * Sigma));
        for (int k = 0; k < w.Length; k++) w[k] /= total;
        return w;
    }

    private static void CheckSameSize(MLImage x, MLImage y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Width != y.Width || x.Height != y.Height)
            throw new ArgumentException($"The images differ in size: {x.Width}×{x.Height} against {y.Width}×{y.Height}.", nameof(y));
    }
}
