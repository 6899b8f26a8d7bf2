using System.Text.Json;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.RoundTrip;

/// <summary>
/// Text rows in and out as JSON, for models over text (SeqGAN): any string survives, empty ones and line breaks
/// included, which a file of lines cannot promise.
/// </summary>
internal static class TextRows
{
    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>A text column named <paramref name="column"/> holding the strings of the JSON array at <paramref name="path"/>.</summary>
    public static IDataView FromJson(MLContext mlContext, string column, DataViewSchema inputSchema, string path)
    {
        var type = inputSchema.GetColumnOrNull(column)?.Type
            ?? throw new InvalidDataException($"The model's input schema has no column '{column}'; it has: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        if (type is not TextDataViewType)
            throw new InvalidDataException($"Input column '{column}' is {type}; a .json input feeds a Text column.");
        var texts = JsonSerializer.Deserialize<string[]>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} holds no JSON array of strings.");
        var schema = SchemaDefinition.Create(typeof(TextRow));
        schema[0].ColumnName = column;
        return mlContext.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }).ToList(), schema);
    }

    /// <summary>
    /// Reads <paramref name="columns"/> with one cursor, so that every column's value of a row comes from one scoring
    /// of that row, and writes <c>{ "column": [row values…] }</c>: a text column (or a vector of one text) as a string
    /// per row, a float column (scalar or vector) as an array of floats per row.
    /// </summary>
    public static void WriteJson(IDataView data, IReadOnlyList<string> columns, string path)
    {
        var found = columns.Select(name => data.Schema.GetColumnOrNull(name)
            ?? throw new InvalidDataException($"The scored data has no column '{name}'; it has: {string.Join(", ", data.Schema.Select(c => c.Name))}.")).ToArray();
        var values = columns.ToDictionary(c => c, _ => new List<object>());
        using var cursor = data.GetRowCursor(found);
        var readers = found.Select(column => Reader(cursor, column)).ToArray();
        while (cursor.MoveNext())
            for (int i = 0; i < found.Length; i++)
                values[columns[i]].Add(readers[i]());
        File.WriteAllText(path, JsonSerializer.Serialize(values));
    }

    private static Func<object> Reader(DataViewRow row, DataViewSchema.Column column)
    {
        switch (column.Type)
        {
            case TextDataViewType:
            {
                var get = row.GetGetter<ReadOnlyMemory<char>>(column);
                return () =>
                {
                    ReadOnlyMemory<char> value = default;
                    get(ref value);
                    return value.ToString();
                };
            }
            case VectorDataViewType { ItemType: TextDataViewType, Size: 1 }:
            {
                var get = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
                return () =>
                {
                    VBuffer<ReadOnlyMemory<char>> value = default;
                    get(ref value);
                    return value.GetItemOrDefault(0).ToString();
                };
            }
            case NumberDataViewType n when n.RawType == typeof(float):
            {
                var get = row.GetGetter<float>(column);
                return () =>
                {
                    float value = 0;
                    get(ref value);
                    return new[] { value };
                };
            }
            case VectorDataViewType { ItemType: NumberDataViewType n } when n.RawType == typeof(float):
            {
                var get = row.GetGetter<VBuffer<float>>(column);
                return () =>
                {
                    VBuffer<float> value = default;
                    get(ref value);
                    return value.DenseValues().ToArray();
                };
            }
            default:
                throw new InvalidDataException($"Column '{column.Name}' is {column.Type}; a .json output holds Text (or one Text per row) and float columns.");
        }
    }
}
