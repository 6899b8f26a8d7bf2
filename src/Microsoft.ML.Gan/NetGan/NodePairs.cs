using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.NetGan;

/// <summary>Reads pairs of node ids from two columns of an <see cref="IDataView"/>, with checks that name the column and row.</summary>
internal static class NodePairs
{
    /// <summary>Checks that <paramref name="column"/> holds node ids; returns a reader of one row's id.</summary>
    public static Func<long> Reader(DataViewRow row, DataViewSchema.Column column)
    {
        string name = column.Name;
        long Checked(double value)
        {
            if (double.IsNaN(value) || value != Math.Floor(value))
                throw new InvalidOperationException($"Node column '{name}', row {row.Position}: {value} is not an integer node id.");
            if (value < 0)
                throw new InvalidOperationException($"Node column '{name}', row {row.Position}: node id {value} is negative; ids run from 0.");
            return (long)value;
        }
        switch (column.Type)
        {
            case KeyDataViewType:
                var key = row.GetGetter<uint>(column);
                return () =>
                {
                    uint k = 0; key(ref k);
                    // ML.NET keys count from 1; 0 is a missing value.
                    if (k == 0) throw new InvalidOperationException($"Node column '{name}', row {row.Position}: the key is missing.");
                    return k - 1;
                };
            case NumberDataViewType n when n.RawType == typeof(int):
                var i32 = row.GetGetter<int>(column);
                return () => { int v = 0; i32(ref v); return Checked(v); };
            case NumberDataViewType n when n.RawType == typeof(long):
                var i64 = row.GetGetter<long>(column);
                return () => { long v = 0; i64(ref v); return Checked(v); };
            case NumberDataViewType n when n.RawType == typeof(uint):
                var u32 = row.GetGetter<uint>(column);
                return () => { uint v = 0; u32(ref v); return v; };
            case NumberDataViewType n when n.RawType == typeof(float):
                var f32 = row.GetGetter<float>(column);
                return () => { float v = 0; f32(ref v); return Checked(v); };
            case NumberDataViewType n when n.RawType == typeof(double):
                var f64 = row.GetGetter<double>(column);
                return () => { double v = 0; f64(ref v); return Checked(v); };
            default:
                throw new ArgumentOutOfRangeException(nameof(column),
                    $"Node column '{name}' has type {column.Type}; expected integer node ids (Int32, Int64, UInt32, a key, or whole Single/Double values). " +
                    "Map string ids to keys first with mlContext.Transforms.Conversion.MapValueToKey.");
        }
    }

    public static DataViewSchema.Column Find(DataViewSchema schema, string name) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema),
            $"Node column '{name}' was not found; the data has columns: {string.Join(", ", schema.Select(c => $"'{c.Name}'"))}.");

    /// <summary>Every row's (source, target), as ints.</summary>
    public static List<(int Source, int Target)> Read(IDataView data, string sourceName, string targetName, string what)
    {
        var source = Find(data.Schema, sourceName);
        var target = Find(data.Schema, targetName);
        using var cursor = data.GetRowCursor(new[] { source, target });
        var readSource = Reader(cursor, source);
        var readTarget = Reader(cursor, target);
        var pairs = new List<(int, int)>();
        while (cursor.MoveNext())
        {
            long s = readSource(), t = readTarget();
            if (s > int.MaxValue || t > int.MaxValue)
                throw new InvalidOperationException($"Row {cursor.Position}: node id {Math.Max(s, t)} is too large; ids must be below {int.MaxValue}.");
            pairs.Add(((int)s, (int)t));
        }
        return pairs;
    }
}
