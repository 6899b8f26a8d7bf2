namespace Microsoft.ML.Gan.RoundTrip;

/// <summary>
/// The exchange format between a test and this program: little-endian int32 row count, int32 row length, then
/// row count × row length float32 values, row after row. Rows all have one length.
/// </summary>
internal static class RowFile
{
    /// <summary>Reads every row.</summary>
    public static float[][] Read(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int count = reader.ReadInt32(), length = reader.ReadInt32();
        if (count < 0 || length < 0) throw new InvalidDataException($"{path}: negative row count {count} or length {length}.");
        var rows = new float[count][];
        for (int r = 0; r < count; r++)
        {
            rows[r] = new float[length];
            for (int i = 0; i < length; i++) rows[r][i] = reader.ReadSingle();
        }
        return rows;
    }

    /// <summary>Writes <paramref name="rows"/>, which must share one length.</summary>
    public static void Write(string path, IReadOnlyList<float[]> rows)
    {
        int length = rows.Count == 0 ? 0 : rows[0].Length;
        if (rows.Any(r => r.Length != length))
            throw new InvalidDataException($"Rows differ in length ({string.Join(", ", rows.Select(r => r.Length).Distinct())}); the format needs one.");
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(rows.Count);
        writer.Write(length);
        foreach (var row in rows)
            foreach (var v in row) writer.Write(v);
    }
}
