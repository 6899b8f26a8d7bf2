using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Data;

/// <summary>
/// Reads a column of token sequences: Text split by a <see cref="SeqGanTokenizer"/>, a vector of Text (tokens
/// already split, e.g. by <c>TokenizeIntoWords</c>), or a vector of keys of any raw type (e.g. <c>MapValueToKey</c>, or a
/// <c>TextLoader</c> key column; a key becomes its key value as text when the column has key values of any type, else
/// its number).
/// </summary>
internal static class TokenColumn
{
    private const string KeyValues = "KeyValues";

    /// <summary>Checks that <paramref name="name"/> exists and holds text or keys; returns it.</summary>
    public static DataViewSchema.Column Find(DataViewSchema schema, string name)
    {
        var column = ImageColumn.Find(schema, name, "Input");
        bool ok = column.Type is TextDataViewType
                  || column.Type is VectorDataViewType { ItemType: TextDataViewType or KeyDataViewType };
        if (!ok)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Input column '{name}' has type {column.Type}; expected Text, a vector of Text (tokens) or a vector of keys.");
        return column;
    }

    /// <summary>A reader of the current row's tokens.</summary>
    public static Func<string[]> Reader(DataViewRow row, DataViewSchema.Column column, SeqGanTokenizer tokenizer)
    {
        switch (column.Type)
        {
            case TextDataViewType:
                var text = row.GetGetter<ReadOnlyMemory<char>>(column);
                return () =>
                {
                    ReadOnlyMemory<char> value = default;
                    text(ref value);
                    return Split(value.Span, tokenizer);
                };
            case VectorDataViewType { ItemType: TextDataViewType }:
                var tokens = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
                return () =>
                {
                    VBuffer<ReadOnlyMemory<char>> value = default;
                    tokens(ref value);
                    return value.DenseValues().Select(t => t.ToString()).Where(t => !string.IsNullOrWhiteSpace(t)).ToArray();
                };
            default:
                var keyNames = KeyNames(column);
                var keys = Generic<Func<ulong[]>>(nameof(KeyReader), ((VectorDataViewType)column.Type).ItemType.RawType, row, column);
                return () =>
                    // Key 0 is ML.NET's missing value: it is left out, as an empty token would be.
                    keys().Where(k => k != 0)
                        .Select(k => keyNames is not null && k <= (ulong)keyNames.Length ? keyNames[k - 1] : k.ToString(CultureInfo.InvariantCulture))
                        .ToArray();
        }
    }

    /// <summary>Keys are Byte, UInt16, UInt32 or UInt64 (a TextLoader key column is UInt64); read as UInt64.</summary>
    private static Func<ulong[]> KeyReader<T>(DataViewRow row, DataViewSchema.Column column) where T : IBinaryInteger<T>
    {
        var get = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> value = default;
        return () =>
        {
            get(ref value);
            return value.DenseValues().Select(k => ulong.CreateTruncating(k)).ToArray();
        };
    }

    /// <summary>The key values as text, or null when the column has none; MapValueToKey over numbers gives numeric ones.</summary>
    private static string[]? KeyNames(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(KeyValues) is not { Type: VectorDataViewType type }) return null;
        return Generic<string[]>(nameof(KeyValueTexts), type.ItemType.RawType, column.Annotations);
    }

    private static string[] KeyValueTexts<T>(DataViewSchema.Annotations annotations)
    {
        VBuffer<T> values = default;
        annotations.GetValue(KeyValues, ref values);
        return values.DenseValues().Select(v => v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : v?.ToString() ?? "").ToArray();
    }

    /// <summary>Calls the generic method <paramref name="name"/> of this class for the raw type ML.NET reports at run time.</summary>
    private static TResult Generic<TResult>(string name, Type type, params object[] arguments) =>
        (TResult)typeof(TokenColumn).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type).Invoke(null, arguments)!;

    /// <summary>Characters: one token per Unicode scalar (so CJK text and emoji stay whole); Whitespace: the runs between white space.</summary>
    public static string[] Split(ReadOnlySpan<char> text, SeqGanTokenizer tokenizer)
    {
        if (tokenizer == SeqGanTokenizer.Whitespace)
            return text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var tokens = new List<string>(text.Length);
        foreach (var rune in text.EnumerateRunes()) tokens.Add(rune.ToString());
        // A text of white space only has nothing to learn from, whatever the tokenizer.
        return tokens.All(string.IsNullOrWhiteSpace) ? Array.Empty<string>() : tokens.ToArray();
    }

    /// <summary>Tokens back to text: concatenated for characters, joined by spaces for words.</summary>
    public static string Join(IEnumerable<string> tokens, SeqGanTokenizer tokenizer) =>
        tokenizer == SeqGanTokenizer.Characters ? string.Concat(tokens) : string.Join(' ', tokens);

    /// <summary>Every row's tokens; rows without any token are counted and left out.</summary>
    public static (List<string[]> Sequences, long Rows, long EmptyRows) ReadAll(IDataView data, string name, SeqGanTokenizer tokenizer, CancellationToken cancellation)
    {
        var column = Find(data.Schema, name);
        var sequences = new List<string[]>();
        long rows = 0, empty = 0;
        using var cursor = data.GetRowCursor(new[] { column });
        var read = Reader(cursor, column, tokenizer);
        while (cursor.MoveNext())
        {
            if ((rows & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            rows++;
            var tokens = read();
            if (tokens.Length == 0) empty++;
            else sequences.Add(tokens);
        }
        return (sequences, rows, empty);
    }
}
