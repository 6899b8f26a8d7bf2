using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Gan;

/// <summary>
/// The SeqGAN poem example's data: Chinese five-character quatrains (四句 × 五言) from the <c>chinese-poetry</c>
/// collection (Tang and Song poems, traditional characters), as <c>examples/data/fetch-poems.sh</c> writes it.
/// Each quatrain is one 20-character text row, the shape of the SeqGAN paper's poem set (16,394 quatrains there).
/// </summary>
/// <remarks>
/// <para>The folder holds the collection's <c>poet.*.json</c> files: JSON arrays of records
/// <c>{"author", "paragraphs": [...], "title"}</c>. A poem is a quatrain when its paragraphs, joined and split at
/// the full-width comma and full stop (<c>，</c> <c>。</c>), give exactly four lines of five characters, every one a
/// letter (so poems with a lost character, written <c>□</c>, or other punctuation inside a line are left out). The
/// punctuation is dropped: a row is the 20 characters. A quatrain that appears more than once (the same poem under two
/// authors or in both collections) is kept once. The full collection gives 16,780 distinct quatrains (17,118 before
/// removing repeats and poems with lost characters).</para>
/// <para>The split is fixed by the text alone: a quatrain is held out for test when the first four bytes of the MD5 of
/// its UTF-8 text, read as a big-endian number, are divisible by 10 (about 10%), so it depends neither on the machine
/// nor on the order of the files, and a repeated poem cannot be on both sides.</para>
/// </remarks>
public sealed class PoemDataset
{
    /// <summary>The command that downloads the collection, relative to the repository root.</summary>
    public const string FetchCommand = "examples/data/fetch-poems.sh";

    /// <summary>The folder the fetch script writes to by default, relative to the repository root.</summary>
    public const string DefaultRelativeFolder = "data/poems";

    /// <summary>The file names the data set reads in its folder.</summary>
    public const string FilePattern = "poet.*.json";

    /// <summary>Lines in a quatrain.</summary>
    public const int LinesPerPoem = 4;

    /// <summary>Characters in a line.</summary>
    public const int CharactersPerLine = 5;

    /// <summary>Characters in a quatrain row (<see cref="LinesPerPoem"/> × <see cref="CharactersPerLine"/>): SeqGAN's sequence length for poems.</summary>
    public const int PoemLength = LinesPerPoem * CharactersPerLine;

    private static readonly char[] LineEnds = ['，', '。'];

    private PoemDataset(string folder, IReadOnlyList<string> train, IReadOnlyList<string> test, int files, int poems)
    {
        (Folder, Train, Test, FileCount, PoemCount) = (folder, train, test, files, poems);
    }

    /// <summary>The data set's folder, as a full path.</summary>
    public string Folder { get; }

    /// <summary>The training quatrains, 20 characters each, in the order they first appear in the files (sorted by name).</summary>
    public IReadOnlyList<string> Train { get; }

    /// <summary>The held-out quatrains, never in <see cref="Train"/>, in the same order.</summary>
    public IReadOnlyList<string> Test { get; }

    /// <summary>How many <c>poet.*.json</c> files were read.</summary>
    public int FileCount { get; }

    /// <summary>How many poems the files hold, quatrains or not.</summary>
    public int PoemCount { get; }

    /// <summary>Reads every <c>poet.*.json</c> file of a folder and keeps the distinct five-character quatrains.</summary>
    /// <param name="folder">The folder <c>examples/data/fetch-poems.sh</c> wrote; see <see cref="FindDefaultFolder"/>.</param>
    /// <exception cref="DirectoryNotFoundException">The folder is missing.</exception>
    /// <exception cref="FileNotFoundException">The folder has no <c>poet.*.json</c> file.</exception>
    /// <exception cref="InvalidDataException">A file is not a JSON array of poem records, or no file holds a quatrain.</exception>
    /// <example>
    /// <code>
    /// var poems = PoemDataset.Open(PoemDataset.FindDefaultFolder() ?? "data/poems");
    /// IDataView train = poems.LoadTrainingData(mlContext);          // one Text column of 20-character rows
    /// var pipeline = mlContext.Transforms.Gan().SeqGan("Generated", "Text", tokenizer: SeqGanTokenizer.Characters);
    /// </code>
    /// </example>
    public static PoemDataset Open(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"The poem data set folder '{full}' does not exist. {HowToFetch(full)}");
        var files = Directory.GetFiles(full, FilePattern).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new FileNotFoundException(
                $"The poem data set folder '{full}' has no {FilePattern} file: it is empty or was not written by the fetch script. {HowToFetch(full)}",
                Path.Combine(full, FilePattern));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var train = new List<string>();
        var test = new List<string>();
        int poems = 0;
        foreach (var file in files)
        {
            foreach (var paragraphs in ReadPoems(file))
            {
                poems++;
                if (ToQuatrain(paragraphs) is not { } quatrain || !seen.Add(quatrain)) continue;
                (IsHeldOut(quatrain) ? test : train).Add(quatrain);
            }
        }
        if (train.Count == 0)
            throw new InvalidDataException(
                $"The {files.Count} {FilePattern} file(s) in '{full}' hold {poems} poems but no five-character quatrain " +
                $"({LinesPerPoem} lines of {CharactersPerLine} characters between '，' and '。') in the training split.");
        return new PoemDataset(full, train, test, files.Count, poems);
    }

    /// <summary>
    /// Looks for <c>data/poems</c> with a <c>poet.*.json</c> file in <paramref name="startDirectory"/> and its parents,
    /// so examples, benchmarks and notebooks run from anywhere in the repository find the fetched data.
    /// </summary>
    /// <param name="startDirectory">Where to start; the current directory by default.</param>
    /// <returns>The folder's full path, or <see langword="null"/> when none is found.</returns>
    public static string? FindDefaultFolder(string? startDirectory = null)
    {
        for (var dir = new DirectoryInfo(startDirectory ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DefaultRelativeFolder);
            if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, FilePattern).Any()) return candidate;
        }
        return null;
    }

    /// <summary>
    /// The quatrain of a poem's paragraphs: the 20 characters of its four five-character lines, or
    /// <see langword="null"/> when the poem is not a five-character quatrain.
    /// </summary>
    /// <param name="paragraphs">The poem's paragraphs (lines or couplets with their punctuation, e.g. <c>床前明月光，疑是地上霜。</c>).</param>
    public static string? ToQuatrain(IEnumerable<string> paragraphs)
    {
        ArgumentNullException.ThrowIfNull(paragraphs);
        var lines = string.Concat(paragraphs).Trim().Split(LineEnds);
        // The last line ends with a full stop, which leaves one empty piece after it.
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        if (count != LinesPerPoem) return null;
        var quatrain = new StringBuilder(PoemLength);
        for (int i = 0; i < LinesPerPoem; i++)
        {
            int characters = 0;
            foreach (var rune in lines[i].EnumerateRunes())
            {
                if (!Rune.IsLetter(rune)) return null;
                characters++;
            }
            if (characters != CharactersPerLine) return null;
            quatrain.Append(lines[i]);
        }
        return quatrain.ToString();
    }

    /// <summary>
    /// A quatrain row written with its punctuation: <c>床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。</c>. A shorter text (a
    /// generated poem that ended early) fills the lines it has; characters beyond 20 are kept on the last line.
    /// </summary>
    /// <param name="text">A quatrain row, e.g. a generated sequence.</param>
    public static string FormatQuatrain(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var characters = text.EnumerateRunes().Select(r => r.ToString()).ToList();
        var result = new StringBuilder(text.Length + LinesPerPoem);
        for (int line = 0; line < LinesPerPoem; line++)
        {
            int take = line == LinesPerPoem - 1 ? int.MaxValue : CharactersPerLine;
            result.Append(string.Concat(characters.Skip(line * CharactersPerLine).Take(take)));
            result.Append(line % 2 == 0 ? '，' : '。');
        }
        return result.ToString();
    }

    /// <summary>The training rows: one Text column named <c>Text</c>, a quatrain of 20 characters a row.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="maxRows">At most this many rows (the first ones); 0 for all.</param>
    public IDataView LoadTrainingData(MLContext mlContext, int maxRows = 0) => Load(mlContext, Train, maxRows);

    /// <summary>The held-out rows, in the same form as <see cref="LoadTrainingData"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="maxRows">At most this many rows (the first ones); 0 for all.</param>
    public IDataView LoadTestData(MLContext mlContext, int maxRows = 0) => Load(mlContext, Test, maxRows);

    /// <summary>Whether a quatrain belongs to the held-out split (about one in ten, by a hash of its text).</summary>
    /// <param name="quatrain">The quatrain's text.</param>
    public static bool IsHeldOut(string quatrain)
    {
        ArgumentNullException.ThrowIfNull(quatrain);
        var hash = MD5.HashData(Encoding.UTF8.GetBytes(quatrain));
        uint head = (uint)(hash[0] << 24 | hash[1] << 16 | hash[2] << 8 | hash[3]);
        return head % 10 == 0;
    }

    private static IDataView Load(MLContext mlContext, IReadOnlyList<string> rows, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        var take = maxRows == 0 ? rows : rows.Take(maxRows);
        return mlContext.Data.LoadFromEnumerable(take.Select(t => new PoemRow { Text = t }).ToList());
    }

    /// <summary>Each record's paragraphs, with errors that name the file and the record.</summary>
    private static IEnumerable<string[]> ReadPoems(string file)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(file);
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} is not valid JSON (line {e.LineNumber + 1}): {e.Message} {HowToFetch(Path.GetDirectoryName(file)!)}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{file}: expected a JSON array of poems ({{\"author\", \"paragraphs\": [...], \"title\"}}), found a JSON {root.ValueKind}.");
            var poems = new List<string[]>(root.GetArrayLength());
            int index = 0;
            foreach (var record in root.EnumerateArray())
            {
                if (record.ValueKind != JsonValueKind.Object
                    || !record.TryGetProperty("paragraphs", out var paragraphs)
                    || paragraphs.ValueKind != JsonValueKind.Array
                    || paragraphs.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
                    throw new InvalidDataException(
                        $"{file}, poem {index}: expected an object with \"paragraphs\", an array of strings; found {Describe(record)}.");
                poems.Add(paragraphs.EnumerateArray().Select(p => p.GetString()!).ToArray());
                index++;
            }
            return poems;
        }
    }

    private static string Describe(JsonElement record)
    {
        var text = record.GetRawText();
        return text.Length <= 80 ? text : text[..80] + "…";
    }

    private static string HowToFetch(string folder) =>
        $"Download the collection with '{FetchCommand} {folder}' from the repository root (needs npm; about 85 MB).";
}

/// <summary>One row of <see cref="PoemDataset.LoadTrainingData"/>: a quatrain.</summary>
public sealed class PoemRow
{
    /// <summary>The quatrain's 20 characters, without punctuation.</summary>
    public string Text { get; set; } = "";
}
