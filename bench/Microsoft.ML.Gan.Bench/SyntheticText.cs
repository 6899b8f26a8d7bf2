namespace Microsoft.ML.Gan.Bench;

/// <summary>A row of <see cref="SyntheticText.Lines"/>: one line of text.</summary>
internal sealed class TextRow
{
    public string Text { get; set; } = "";
}

/// <summary>Deterministic lines of words w0, w1, … drawn uniformly, for the SeqGAN timing and memory commands.</summary>
internal static class SyntheticText
{
    public static List<TextRow> Lines(int lines, int length, int words, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, lines)
            .Select(_ => new TextRow { Text = string.Join(' ', Enumerable.Range(0, length).Select(_ => $"w{random.Next(words)}")) }).ToList();
    }
}
