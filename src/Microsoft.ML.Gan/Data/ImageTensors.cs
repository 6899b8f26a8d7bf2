using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// Converts between ML.NET's <see cref="MLImage"/>, planar RGB <see cref="float"/> arrays and TorchSharp tensors,
/// in the range the GANs' generators work in: [-1, 1], the range of their final <c>Tanh</c>.
/// </summary>
/// <remarks>
/// <para>A planar array holds one image as three consecutive planes, R then G then B, each <c>height × width</c>
/// in row-major order: element <c>(c, y, x)</c> is at <c>(c · height + y) · width + x</c>, the memory layout of
/// one image of a PyTorch/TorchSharp <c>[N, 3, H, W]</c> tensor.</para>
/// <para>A byte level <c>b</c> maps to <c>b / 127.5 − 1</c>, so 0 → −1 and 255 → 1, and back by rounding to the
/// nearest of the 256 levels: a byte image survives the round trip exactly.</para>
/// <para>Transparency: <see cref="MLImage"/> keeps its pixels premultiplied by alpha (as SkiaSharp decodes PNGs),
/// and the networks see three channels, so each pixel is composited onto white,
/// <c>c = c_premultiplied + (255 − alpha)</c>. White, not black, because emoji and most icons are drawn for a light
/// background; black would turn their anti-aliased edges into dark halos that a generator then has to learn.
/// <see cref="MLImage.CreateFromPixels"/> takes its bytes as premultiplied too (SkiaSharp unpremultiplies them when
/// saving); a colour value above its pixel's alpha is read as the alpha.</para>
/// </remarks>
public static class ImageTensors
{
    /// <summary>Converts an image to a planar RGB array in [-1, 1], alpha composited onto white.</summary>
    /// <param name="image">An image in <see cref="MLPixelFormat.Bgra32"/> or <see cref="MLPixelFormat.Rgba32"/>.</param>
    /// <returns>A new array of <c>3 · image.Height · image.Width</c> values.</returns>
    public static float[] ToPlanarRgb(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var planar = new float[3 * image.Height * image.Width];
        ToPlanarRgb(image, planar);
        return planar;
    }

    /// <summary>Writes an image into <paramref name="destination"/> as planar RGB in [-1, 1], alpha composited onto white.</summary>
    /// <param name="image">An image in <see cref="MLPixelFormat.Bgra32"/> or <see cref="MLPixelFormat.Rgba32"/>.</param>
    /// <param name="destination">Exactly <c>3 · image.Height · image.Width</c> values; a slice of a batch buffer avoids a copy.</param>
    public static void ToPlanarRgb(MLImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        int plane = image.Height * image.Width;
        if (destination.Length != 3 * plane)
            throw new ArgumentException(
                $"The destination holds {destination.Length} values; a {image.Width}×{image.Height} image needs 3 · {image.Height} · {image.Width} = {3 * plane}.",
                nameof(destination));
        var (r, b) = image.PixelFormat switch
        {
            MLPixelFormat.Rgba32 => (0, 2),
            MLPixelFormat.Bgra32 => (2, 0),
            _ => throw new ArgumentException(
                $"The image's pixel format is {image.PixelFormat}; expected {MLPixelFormat.Bgra32} or {MLPixelFormat.Rgba32}.",
                nameof(image)),
        };
        if (image.BitsPerPixel != 32)
            throw new ArgumentException($"The image has {image.BitsPerPixel} bits per pixel; expected 32.", nameof(image));

        ReadOnlySpan<byte> pixels = image.Pixels;
        for (int i = 0; i < plane; i++)
        {
            int p = 4 * i;
            int alpha = pixels[p + 3], transparency = 255 - alpha;
            // A premultiplied value never exceeds alpha; clamping keeps hand-made, unpremultiplied pixels in range.
            destination[i] = ToUnit(Math.Min(pixels[p + r], alpha) + transparency);
            destination[plane + i] = ToUnit(Math.Min(pixels[p + 1], alpha) + transparency);
            destination[2 * plane + i] = ToUnit(Math.Min(pixels[p + b], alpha) + transparency);
        }
    }

    /// <summary>Reads an image file (PNG, JPEG, ...) as a planar RGB array in [-1, 1], alpha composited onto white.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="height">The image's height in pixels.</param>
    /// <param name="width">The image's width in pixels.</param>
    public static float[] LoadPlanarRgb(string path, out int height, out int width)
    {
        using var image = MLImage.CreateFromFile(path);
        (height, width) = (image.Height, image.Width);
        return ToPlanarRgb(image);
    }

    /// <summary>Converts a planar RGB array in [-1, 1] to an opaque <see cref="MLPixelFormat.Rgba32"/> image.</summary>
    /// <param name="planarRgb"><c>3 · height · width</c> values; values outside [-1, 1] are clamped.</param>
    /// <param name="height">The image's height in pixels.</param>
    /// <param name="width">The image's width in pixels.</param>
    /// <returns>A new image, each value rounded to the nearest of the 256 levels, alpha 255. The caller disposes it.</returns>
    public static MLImage ToImage(ReadOnlySpan<float> planarRgb, int height, int width)
    {
        var rgba = ToRgbaBytes(planarRgb, height, width);
        return MLImage.CreateFromPixels(width, height, MLPixelFormat.Rgba32, rgba);
    }

    /// <summary>Interleaved, opaque RGBA bytes of a planar RGB array in [-1, 1].</summary>
    internal static byte[] ToRgbaBytes(ReadOnlySpan<float> planarRgb, int height, int width)
    {
        CheckPlanar(planarRgb.Length, height, width, nameof(planarRgb));
        int plane = height * width;
        var rgba = new byte[4 * plane];
        for (int i = 0; i < plane; i++)
        {
            int p = 4 * i;
            rgba[p] = ToByte(planarRgb[i]);
            rgba[p + 1] = ToByte(planarRgb[plane + i]);
            rgba[p + 2] = ToByte(planarRgb[2 * plane + i]);
            rgba[p + 3] = 255;
        }
        return rgba;
    }

    /// <summary>Stacks planar RGB images of one size into a <c>[N, 3, height, width]</c> float32 CPU tensor.</summary>
    /// <param name="images">The images, each <c>3 · height · width</c> values.</param>
    /// <param name="height">The images' height in pixels.</param>
    /// <param name="width">The images' width in pixels.</param>
    /// <returns>A new tensor; the caller disposes it (or lets a dispose scope do so).</returns>
    public static Tensor ToTensor(IReadOnlyList<float[]> images, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("At least one image is needed.", nameof(images));
        int size = 3 * height * width;
        var batch = new float[images.Count * size];
        for (int n = 0; n < images.Count; n++)
        {
            CheckPlanar(images[n].Length, height, width, $"{nameof(images)}[{n}]");
            images[n].CopyTo(batch, n * size);
        }
        return torch.tensor(batch, new long[] { images.Count, 3, height, width }, ScalarType.Float32);
    }

    /// <summary>Splits a <c>[N, 3, H, W]</c> (or <c>[3, H, W]</c>) tensor on any device into N planar RGB arrays.</summary>
    /// <param name="batch">The images; any floating type, copied to the CPU as float32. It is not disposed.</param>
    /// <returns>N arrays of 3·H·W values; none for an empty batch.</returns>
    public static float[][] FromTensor(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!(batch.dim() == 4 && batch.shape[1] == 3) && !(batch.dim() == 3 && batch.shape[0] == 3))
            throw new ArgumentException(
                $"The tensor has shape [{string.Join(", ", batch.shape)}]; expected [N, 3, H, W] or [3, H, W].", nameof(batch));
        int n = batch.dim() == 4 ? (int)batch.shape[0] : 1;
        // TorchSharp's data<T>().ToArray() throws on a tensor without elements (and N = 0 would divide by zero below).
        if (batch.numel() == 0) return Enumerable.Repeat(Array.Empty<float>(), n).ToArray();
        using var scope = torch.NewDisposeScope();
        var cpu = batch.detach().to(ScalarType.Float32, torch.CPU).contiguous();
        var all = cpu.data<float>().ToArray();
        int size = all.Length / n;
        var images = new float[n][];
        for (int i = 0; i < n; i++) images[i] = all.AsSpan(i * size, size).ToArray();
        return images;
    }

    private static float ToUnit(int level) => level / 127.5f - 1f;

    private static byte ToByte(float value)
    {
        // NaN, which a diverged generator can emit, becomes mid-grey rather than an exception in a preview.
        if (float.IsNaN(value)) return 128;
        return (byte)Math.Clamp(MathF.Round((value + 1f) * 127.5f, MidpointRounding.AwayFromZero), 0f, 255f);
    }

    internal static void CheckPlanar(int length, int height, int width, string paramName)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(paramName, $"The image size must be positive; got height {height}, width {width}.");
        if (length != 3 * height * width)
            throw new ArgumentException(
                $"A planar RGB {width}×{height} image has 3 · {height} · {width} = {3 * height * width} values; got {length}.", paramName);
    }
}
