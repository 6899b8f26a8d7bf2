using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Data;

/// <summary>
/// Reads a column of token sequences: Text split by a <see cref="SeqGanTokenizer"/>, a vector of Text (tokens
/// already split, e.g. by <c>TokenizeIntoWords</c>), or a vector of keys (e.g. <c>MapValueToKey</c>; a key becomes
/// its key value when the column has them, else its number).
/// </summary>
internal static class TokenColumn
{
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
                var keys = row.GetGetter<VBuffer<uint>>(column);
                return () =>
                {
                    VBuffer<uint> value = default;
                    keys(ref value);
                    // Key 0 is ML.NET's missing value: it is left out, as an empty token would be.
                    return value.DenseValues().Where(k => k != 0)
                        .Select(k => keyNames is not null && k <= keyNames.Length ? keyNames[k - 1] : k.ToString(System.Globalization.CultureInfo.InvariantCulture))
                        .ToArray();
                };
        }
    }

    private static string[]? KeyNames(DataViewSchema.Column column)
    {
        const string keyValues = "KeyValues";
        if (column.Annotations.Schema.GetColumnOrNull(keyValues) is null) return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Annotations.GetValue(keyValues, ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

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
