using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Data;

/// <summary>How an image column is stored: an ML.NET image, or a float vector of planar RGB values in [−1, 1].</summary>
internal enum ImageColumnKind { Image, Vector }

/// <summary>The shape of an image column, found from its schema type (vectors) or its first row (images).</summary>
internal sealed record ImageColumnShape(ImageColumnKind Kind, int Height, int Width)
{
    public int Length => 3 * Height * Width;
}

/// <summary>Reads an image column (and a Boolean domain column) of an <see cref="IDataView"/> into tensors, with checks that name the column.</summary>
internal static class ImageColumn
{
    /// <summary>Checks that <paramref name="name"/> exists and is an image or a float vector; returns its kind.</summary>
    public static ImageColumnKind CheckType(DataViewSchema schema, string name, string role)
    {
        var column = Find(schema, name, role);
        if (column.Type is ImageDataViewType) return ImageColumnKind.Image;
        if (column.Type is VectorDataViewType v && v.ItemType == NumberDataViewType.Single) return ImageColumnKind.Vector;
        throw new ArgumentOutOfRangeException(nameof(schema),
            $"{role} column '{name}' has type {column.Type}; expected an image (LoadImages / ResizeImages) or a vector of Single holding 3×H×W values.");
    }

    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role)
    {
        var column = schema.GetColumnOrNull(name);
        return column ?? throw new ArgumentOutOfRangeException(nameof(schema),
            $"{role} column '{name}' was not found; the data has columns: {string.Join(", ", schema.Select(c => $"'{c.Name}'"))}.");
    }

    /// <summary>The height and width a vector column of <paramref name="length"/> values holds (square unless given).</summary>
    public static ImageColumnShape VectorShape(string name, int length, int height, int width)
    {
        if (length == 0)
            throw new ArgumentOutOfRangeException(nameof(length), $"Column '{name}' is a vector of unknown size; expected a fixed size of 3×H×W.");
        if (height > 0 && width > 0)
        {
            if (3 * height * width != length)
                throw new ArgumentOutOfRangeException(nameof(length), $"Column '{name}' holds {length} values per row; ImageHeight×ImageWidth = {height}×{width} needs {3 * height * width}.");
            return new ImageColumnShape(ImageColumnKind.Vector, height, width);
        }
        int side = (int)Math.Round(Math.Sqrt(length / 3.0));
        if (length % 3 != 0 || 3 * side * side != length)
            throw new ArgumentOutOfRangeException(nameof(length), $"Column '{name}' holds {length} values per row, which is not 3×H×H; set ImageHeight and ImageWidth for non-square images.");
        return new ImageColumnShape(ImageColumnKind.Vector, side, side);
    }

    /// <summary>
    /// Reads every row into two tensors [N, 3, H, W] (domain false = A, true = B), checking that every image has
    /// the first one's size.
    /// </summary>
    public static (Tensor A, Tensor B, ImageColumnShape Shape) ReadDomains(IDataView data, string imageName, string domainName,
        int height, int width, CancellationToken cancellation)
    {
        var kind = CheckType(data.Schema, imageName, "Input");
        var domain = Find(data.Schema, domainName, "Domain");
        if (domain.Type != BooleanDataViewType.Instance)
            throw new ArgumentOutOfRangeException(nameof(data),
                $"Domain column '{domainName}' has type {domain.Type}; expected Boolean (false = domain A, true = domain B).");
        var image = data.Schema[imageName];
        ImageColumnShape? shape = kind == ImageColumnKind.Vector
            ? VectorShape(imageName, ((VectorDataViewType)image.Type).Size, height, width) : null;

        var a = new List<float[]>();
        var b = new List<float[]>();
        using var cursor = data.GetRowCursor(new[] { image, domain });
        var getDomain = cursor.GetGetter<bool>(domain);
        var getRow = RowReader(cursor, image, shape);
        bool isB = false;
        long row = 0;
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            getDomain(ref isB);
            var (values, h, w) = getRow();
            shape ??= new ImageColumnShape(ImageColumnKind.Image, h, w);
            if (h != shape.Height || w != shape.Width)
                throw new InvalidOperationException(
                    $"Input column '{imageName}', row {row}: the image is {w}×{h}; the first row's is {shape.Width}×{shape.Height}. " +
                    "All images in one column must have one size (add mlContext.Transforms.ResizeImages before the GAN).");
            (isB ? b : a).Add(values);
            row++;
        }
        if (shape is null) throw new InvalidOperationException($"Input column '{imageName}' has no rows: there is nothing to train on.");
        foreach (var (list, letter, value) in new[] { (a, "A", "false"), (b, "B", "true") })
            if (list.Count == 0)
                throw new InvalidOperationException(
                    $"Domain {letter} is empty: no row has '{domainName}' = {value}. CycleGAN needs images of both domains (found {a.Count} A, {b.Count} B).");
        return (Stack(a, shape), Stack(b, shape), shape);
    }

    /// <summary>A getter returning one row as planar RGB in [−1, 1] with its height and width.</summary>
    /// <param name="row">The row (usually a cursor) the getter reads; each call returns its current position's image.</param>
    /// <param name="column">The input column: an <c>MLImage</c> column, or a float vector column of planar RGB in [−1, 1]
    /// when <paramref name="vectorShape"/> is given; its name appears in the errors.</param>
    /// <param name="vectorShape">The shape of a vector column; null for an image column.</param>
    public static Func<(float[] Values, int Height, int Width)> RowReader(DataViewRow row, DataViewSchema.Column column, ImageColumnShape? vectorShape)
    {
        if (vectorShape is null)
        {
            var get = row.GetGetter<MLImage>(column);
            MLImage image = null!;
            return () =>
            {
                get(ref image);
                if (image is null)
                    throw new InvalidOperationException($"Input column '{column.Name}', row {row.Position}: the image is missing (is the file path valid?).");
                return (ImageTensors.ToPlanarRgb(image), image.Height, image.Width);
            };
        }
        var getVector = row.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        return () =>
        {
            getVector(ref buffer);
            return (buffer.DenseValues().ToArray(), vectorShape.Height, vectorShape.Width);
        };
    }

    private static Tensor Stack(List<float[]> rows, ImageColumnShape shape)
    {
        var flat = new float[(long)rows.Count * shape.Length];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(flat, (long)i * shape.Length);
        return tensor(flat, new long[] { rows.Count, 3, shape.Height, shape.Width }).DetachFromDisposeScope();
    }
}
