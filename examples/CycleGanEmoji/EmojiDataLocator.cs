using GanExamples;
using Microsoft.ML.Gan;

namespace CycleGanEmoji;

/// <summary>Finds the emoji data set, or fetches it into the repository's data/emoji with the fetch script.</summary>
internal static class EmojiDataLocator
{
    private static readonly FetchedData Data = new("emoji", EmojiDataset.FetchCommand, EmojiDataset.DefaultRelativeFolder, "about 140 MB",
        start => EmojiDataset.FindDefaultFolder(start));

    /// <summary>The data set, or null after printing why there is none.</summary>
    /// <param name="folder">The --data folder; when given it must hold the data (nothing is downloaded into it).</param>
    public static EmojiDataset? Open(string? folder) => Data.Open(folder, EmojiDataset.Open);
}
