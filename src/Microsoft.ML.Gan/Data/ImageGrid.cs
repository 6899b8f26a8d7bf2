using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using SkiaSharp;

namespace Microsoft.ML.Gan;

/// <summary>
/// Writes rows of same-sized images into one PNG, the usual way to look at a translation model:
/// for example a row of inputs, a row of translations and a row of reconstructions.
/// </summary>
public static class ImageGrid
{
    /// <summary>The grey (RGB 128, 128, 128) between cells and in the empty cells of short rows.</summary>
    /// <remarks>Neither white nor black, so it stays visible against images composited onto white.</remarks>
    public const byte GapGrey = 128;

    /// <summary>Writes rows of planar RGB images in [-1, 1] as a PNG grid.</summary>
    /// <param name="path">The PNG file; it is replaced atomically, so a viewer or a crash never sees half a file.</param>
    /// <param name="rows">The rows, top to bottom; each image is <c>3 · height · width</c> values. Rows may differ in length.</param>
    /// <param name="height">Every image's height in pixels.</param>
    /// <param name="width">Every image's width in pixels.</param>
    /// <param name="gap">Pixels of <see cref="GapGrey"/> between neighbouring cells (none around the border).</param>
    /// <example>
    /// <code>
    /// ImageGrid.Save("epoch-10.png", new[] { inputs, translations, reconstructions }, 64, 64);
    /// </code>
    /// </example>
    public static void Save(string path, IReadOnlyList<IReadOnlyList<float[]>> rows, int height, int width, int gap = 2)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cells = new List<List<byte[]>>(rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            ArgumentNullException.ThrowIfNull(rows[r], $"{nameof(rows)}[{r}]");
            var row = new List<byte[]>(rows[r].Count);
            for (int c = 0; c < rows[r].Count; c++)
            {
                ArgumentNullException.ThrowIfNull(rows[r][c], $"{nameof(rows)}[{r}][{c}]");
                ImageTensors.CheckPlanar(rows[r][c].Length, height, width, $"{nameof(rows)}[{r}][{c}]");
                row.Add(ImageTensors.ToRgbaBytes(rows[r][c], height, width));
            }
            cells.Add(row);
        }
        Write(path, cells, height, width, gap);
    }

    /// <summary>Writes rows of images as a PNG grid, each alpha composited onto white.</summary>
    /// <param name="path">The PNG file; it is replaced atomically, so a viewer or a crash never sees half a file.</param>
    /// <param name="rows">The rows, top to bottom; every image has the first image's size. Rows may differ in length.</param>
    /// <param name="gap">Pixels of <see cref="GapGrey"/> between neighbouring cells (none around the border).</param>
    public static void Save(string path, IReadOnlyList<IReadOnlyList<MLImage>> rows, int gap = 2)
    {
        ArgumentNullException.ThrowIfNull(rows);
        MLImage? first = null;
        var planar = new List<IReadOnlyList<float[]>>(rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            ArgumentNullException.ThrowIfNull(rows[r], $"{nameof(rows)}[{r}]");
            var row = new float[rows[r].Count][];
            for (int c = 0; c < row.Length; c++)
            {
                var image = rows[r][c];
                ArgumentNullException.ThrowIfNull(image, $"{nameof(rows)}[{r}][{c}]");
                first ??= image;
                if (image.Width != first.Width || image.Height != first.Height)
                    throw new ArgumentException(
                        $"rows[{r}][{c}] is {image.Width}×{image.Height}; every image must be {first.Width}×{first.Height} like the first.",
                        nameof(rows));
                row[c] = ImageTensors.ToPlanarRgb(image);
            }
            planar.Add(row);
        }
        if (first is null) throw new ArgumentException("The grid has no images.", nameof(rows));
        Save(path, planar, first.Height, first.Width, gap);
    }

    private static void Write(string path, List<List<byte[]>> rows, int height, int width, int gap)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
        int columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        if (columns == 0) throw new ArgumentException("The grid has no images.", nameof(rows));

        int gridW = columns * width + (columns - 1) * gap;
        int gridH = rows.Count * height + (rows.Count - 1) * gap;
        var pixels = new byte[4 * gridW * gridH];
        for (int i = 0; i < pixels.Length; i += 4)
            (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]) = (GapGrey, GapGrey, GapGrey, 255);

        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < rows[r].Count; c++)
            {
                int left = c * (width + gap), top = r * (height + gap);
                for (int y = 0; y < height; y++)
                    Array.Copy(rows[r][c], 4 * y * width, pixels, 4 * ((top + y) * gridW + left), 4 * width);
            }
        }

        using var bitmap = new SKBitmap(new SKImageInfo(gridW, gridH, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < gridH; y++)
            Marshal.Copy(pixels, 4 * y * gridW, bitmap.GetPixels() + y * bitmap.RowBytes, 4 * gridW);

        AtomicFile.Write(path, temp =>
        {
            using var stream = File.Create(temp);
            if (!bitmap.Encode(stream, SKEncodedImageFormat.Png, 100))
                throw new IOException($"SkiaSharp could not encode the {gridW}×{gridH} grid as PNG.");
        });
    }
}
