using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.NetGan;

/// <summary>Reads pairs of node ids from two columns of an <see cref="IDataView"/>, with checks that name the column and row.</summary>
internal static class NodePairs
{
    /// <summary>Checks that <paramref name="column"/> holds node ids; returns a reader of one row's id.</summary>
    public static Func<long> Reader(DataViewRow row, DataViewSchema.Column column)
    {
        string name = column.Name;
        CheckType(name, column.Type);
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
                throw new InvalidOperationException("CheckType let an unreadable type through."); // unreachable
        }
    }

    /// <summary>Throws unless <paramref name="type"/> is one <see cref="Reader"/> reads: a scalar integer, key or number.</summary>
    public static void CheckType(string name, DataViewType type, bool isVector = false)
    {
        bool readable = !isVector && type is KeyDataViewType { RawType: var k } ? k == typeof(uint)
            : !isVector && type is NumberDataViewType { RawType: var r } && (r == typeof(int) || r == typeof(long) || r == typeof(uint) || r == typeof(float) || r == typeof(double));
        if (!readable)
            throw new ArgumentOutOfRangeException(nameof(type),
                $"Node column '{name}' has type {type}{(isVector ? " (a vector)" : "")}; expected one integer node id per row (Int32, Int64, UInt32, a UInt32 key, " +
                "or whole Single/Double values). Map string ids to keys first with mlContext.Transforms.Conversion.MapValueToKey.");
    }

    public static DataViewSchema.Column Find(DataViewSchema schema, string name) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema),
            $"Node column '{name}' was not found; the data has columns: {string.Join(", ", schema.Select(c => $"'{c.Name}'"))}.");

    /// <summary>Every row's (source, target), as ints.</summary>
    public static List<(int Source, int Target)> Read(IDataView data, string sourceName, string targetName)
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
            foreach (var (name, id) in new[] { (sourceName, s), (targetName, t) })
                if (id >= int.MaxValue)
                    throw new InvalidOperationException($"Node column '{name}', row {cursor.Position}: node id {id} is too large; ids must be below {int.MaxValue}.");
            pairs.Add(((int)s, (int)t));
        }
        return pairs;
    }
}
