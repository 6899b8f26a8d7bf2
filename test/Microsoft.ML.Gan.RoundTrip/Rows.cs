using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan.RoundTrip;

/// <summary>Turns files into the one-column IDataView a loaded model expects, and an output column back into rows.</summary>
internal static class Rows
{
    private sealed class VectorRow
    {
        public float[] Values = Array.Empty<float>();
    }

    private sealed class PathRow
    {
        public string Path = "";
    }

    /// <summary>
    /// A column named <paramref name="column"/> of the model's own vector type (its size and dimensions): ML.NET's
    /// OnnxTransformer refuses variable-length vectors, so the type must carry the size.
    /// </summary>
    public static IDataView FromVectors(MLContext mlContext, string column, VectorDataViewType type, float[][] rows)
    {
        foreach (var row in rows)
            if (row.Length != type.Size)
                throw new InvalidDataException($"Column '{column}' holds vectors of {type.Size} floats; a row has {row.Length}.");
        var schema = SchemaDefinition.Create(typeof(VectorRow));
        schema[0].ColumnName = column;
        schema[0].ColumnType = type;
        return mlContext.Data.LoadFromEnumerable(rows.Select(r => new VectorRow { Values = r }), schema);
    }

    /// <summary>
    /// A text column of image file paths, for a model that starts with <c>LoadImages</c>. (ML.NET cannot save an
    /// image column in a zip's input schema, so a saved image pipeline starts from paths.)
    /// </summary>
    public static IDataView FromPaths(MLContext mlContext, string column, IEnumerable<string> paths)
    {
        var schema = SchemaDefinition.Create(typeof(PathRow));
        schema[0].ColumnName = column;
        return mlContext.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Path = p }).ToList(), schema);
    }

    /// <summary>
    /// Scalar numeric columns of the model's input types, written to a temporary text file and read back with
    /// ML.NET's text loader (which builds a schema of any number of columns).
    /// </summary>
    public static IDataView FromScalars(MLContext mlContext, string[] columns, DataViewSchema inputSchema, float[][] rows)
    {
        var loaderColumns = columns.Select((name, i) =>
        {
            var type = inputSchema.GetColumnOrNull(name)?.Type
                ?? throw new InvalidDataException($"The model's input schema has no column '{name}'.");
            var kind = type.RawType == typeof(int) ? DataKind.Int32 : type.RawType == typeof(long) ? DataKind.Int64
                : type.RawType == typeof(double) ? DataKind.Double : type.RawType == typeof(float) ? DataKind.Single
                : throw new InvalidDataException($"Column '{name}' is {type}; this program feeds scalar numbers.");
            return new TextLoader.Column(name, kind, i);
        }).ToArray();
        string file = Path.GetTempFileName();
        File.WriteAllLines(file, rows.Select(r => string.Join('\t', r.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        return mlContext.Data.LoadFromTextFile(file, loaderColumns, separatorChar: '\t');
    }

    /// <summary>Every row's value of <paramref name="column"/>: a float vector, or an image's planar R, G, B pixels.</summary>
    public static List<float[]> ReadColumn(IDataView data, string column)
    {
        var col = data.Schema.GetColumnOrNull(column)
            ?? throw new InvalidDataException($"The scored data has no column '{column}'; it has: {string.Join(", ", data.Schema.Select(c => c.Name))}.");
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor(new[] { col });
        switch (col.Type)
        {
            case VectorDataViewType { ItemType: NumberDataViewType n } when n.RawType == typeof(float):
            {
                var getter = cursor.GetGetter<VBuffer<float>>(col);
                VBuffer<float> buffer = default;
                while (cursor.MoveNext())
                {
                    getter(ref buffer);
                    rows.Add(buffer.DenseValues().ToArray());
                }
                break;
            }
            case ImageDataViewType:
            {
                var getter = cursor.GetGetter<MLImage>(col);
                MLImage image = null!;
                while (cursor.MoveNext())
                {
                    getter(ref image);
                    rows.Add(PlanarRgb(image));
                }
                break;
            }
            case NumberDataViewType n when n.RawType == typeof(float):
            {
                var getter = cursor.GetGetter<float>(col);
                float value = 0;
                while (cursor.MoveNext())
                {
                    getter(ref value);
                    rows.Add(new[] { value });
                }
                break;
            }
            default:
                throw new InvalidDataException($"Column '{column}' is {col.Type}; this program writes float vectors, floats or images.");
        }
        return rows;
    }

    private static float[] PlanarRgb(MLImage image)
    {
        // MLImage keeps 32-bit pixels, blue first (Bgra32) or red first (Rgba32).
        var (r, b) = image.PixelFormat switch
        {
            MLPixelFormat.Bgra32 => (2, 0),
            MLPixelFormat.Rgba32 => (0, 2),
            var other => throw new InvalidDataException($"Pixel format {other} is not a 32-bit RGB one."),
        };
        var pixels = image.Pixels;
        int plane = image.Width * image.Height;
        var result = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            result[i] = pixels[4 * i + r];
            result[plane + i] = pixels[4 * i + 1];
            result[2 * plane + i] = pixels[4 * i + b];
        }
        return result;
    }
}
