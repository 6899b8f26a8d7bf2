namespace Microsoft.ML.Gan;

/// <summary>
/// The CycleGAN example's default data: the same emoji drawn by two vendors, 64 × 64 PNG, Google's
/// (Noto, domain A) and Twitter's (Twemoji, domain B), as <c>examples/data/fetch-emoji.sh</c> writes them.
/// </summary>
/// <remarks>
/// <para>The folder holds <c>google/NAME.png</c>, <c>twitter/NAME.png</c> for the same names and
/// <c>split.tsv</c> (<c>NAME&lt;TAB&gt;train|test</c>; about 10% test, fixed by a hash of the name).</para>
/// <para>Both vendors draw the same names, so every name is a ground-truth pair. CycleGAN must not learn from
/// pairs: <see cref="LoadTrainingData"/> shuffles the training names and gives the first half only as Google
/// images and the other half only as Twitter images, so no emoji is seen in both styles during training (at the
/// cost of half the images of each domain). The held-out names (<see cref="GetTestPairs"/>) are never in training
/// and give paired evaluation, the idea behind the CycleGAN paper's FCN score.</para>
/// </remarks>
public sealed class EmojiDataset
{
    /// <summary>The command that downloads the data set, relative to the repository root.</summary>
    public const string FetchCommand = "examples/data/fetch-emoji.sh";

    /// <summary>The folder the fetch script writes to by default, relative to the repository root.</summary>
    public const string DefaultRelativeFolder = "data/emoji";

    /// <summary>The name of the file that lists every name with its split.</summary>
    public const string SplitFileName = "split.tsv";

    /// <summary>The sub-folder of domain A (<c>IsTwitter = false</c>).</summary>
    public const string GoogleFolderName = "google";

    /// <summary>The sub-folder of domain B (<c>IsTwitter = true</c>).</summary>
    public const string TwitterFolderName = "twitter";

    private EmojiDataset(string folder, IReadOnlyList<string> trainNames, IReadOnlyList<string> testNames)
    {
        Folder = folder;
        TrainNames = trainNames;
        TestNames = testNames;
    }

    /// <summary>The data set's folder, as a full path.</summary>
    public string Folder { get; }

    /// <summary>The file names (e.g. <c>1f600.png</c>) of the training split, in <c>split.tsv</c>'s order.</summary>
    public IReadOnlyList<string> TrainNames { get; }

    /// <summary>The file names of the held-out test split, in <c>split.tsv</c>'s order.</summary>
    public IReadOnlyList<string> TestNames { get; }

    /// <summary>Opens and checks a data set folder: <c>split.tsv</c> present and every listed image present in both vendors.</summary>
    /// <param name="folder">The folder <c>examples/data/fetch-emoji.sh</c> wrote; see <see cref="FindDefaultFolder"/>.</param>
    /// <exception cref="DirectoryNotFoundException">The folder is missing.</exception>
    /// <exception cref="FileNotFoundException"><c>split.tsv</c> or a listed image is missing.</exception>
    /// <exception cref="InvalidDataException"><c>split.tsv</c> is malformed or lists no training image.</exception>
    /// <example>
    /// <code>
    /// var emoji = EmojiDataset.Open(EmojiDataset.FindDefaultFolder() ?? "data/emoji");
    /// IDataView train = emoji.LoadTrainingData(mlContext);   // columns Image (path), IsTwitter
    /// foreach (var pair in emoji.GetTestPairs()) { /* translate pair.GooglePath, compare with pair.TwitterPath */ }
    /// </code>
    /// </example>
    public static EmojiDataset Open(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException(
                $"The emoji data set folder '{full}' does not exist. {HowToFetch(full)}");
        var splitPath = Path.Combine(full, SplitFileName);
        if (!File.Exists(splitPath))
            throw new FileNotFoundException(
                $"The emoji data set folder '{full}' has no {SplitFileName}: it is empty or was not written by the fetch script. {HowToFetch(full)}",
                splitPath);

        var train = new List<string>();
        var test = new List<string>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(splitPath))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (fields.Length != 2 || fields[0].Length == 0 || Path.GetFileName(fields[0]) != fields[0])
                throw new InvalidDataException(
                    $"{splitPath}, line {lineNumber}: expected 'NAME<TAB>train' or 'NAME<TAB>test', found '{line}'.");
            switch (fields[1])
            {
                case "train": train.Add(fields[0]); break;
                case "test": test.Add(fields[0]); break;
                default:
                    throw new InvalidDataException(
                        $"{splitPath}, line {lineNumber}: the split is '{fields[1]}'; expected 'train' or 'test'.");
            }
        }
        if (train.Count == 0)
            throw new InvalidDataException($"{splitPath} lists no training image. {HowToFetch(full)}");

        foreach (var vendor in new[] { GoogleFolderName, TwitterFolderName })
        {
            var missing = train.Concat(test).Where(n => !File.Exists(Path.Combine(full, vendor, n))).ToList();
            if (missing.Count > 0)
                throw new FileNotFoundException(
                    $"{missing.Count} of the {train.Count + test.Count} images listed in {SplitFileName} are missing from " +
                    $"'{Path.Combine(full, vendor)}', the first '{missing[0]}'. {HowToFetch(full)}",
                    Path.Combine(full, vendor, missing[0]));
        }
        return new EmojiDataset(full, train, test);
    }

    /// <summary>
    /// Looks for <c>data/emoji/split.tsv</c> in <paramref name="startDirectory"/> and its parents, so examples,
    /// benchmarks and notebooks run from anywhere in the repository find the fetched data.
    /// </summary>
    /// <param name="startDirectory">Where to start; the current directory by default.</param>
    /// <returns>The folder's full path, or <see langword="null"/> when none is found.</returns>
    public static string? FindDefaultFolder(string? startDirectory = null)
    {
        for (var dir = new DirectoryInfo(startDirectory ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DefaultRelativeFolder);
            if (File.Exists(Path.Combine(candidate, SplitFileName))) return candidate;
        }
        return null;
    }

    /// <summary>The unpaired training data: each training name in exactly one of the two domains.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="seed">Seeds the shuffle that decides which names are Google's and which Twitter's.</param>
    /// <returns>
    /// An <see cref="IDataView"/> with the columns <c>Image</c> (<see cref="string"/>, the PNG's full path) and
    /// <c>IsTwitter</c> (<see cref="bool"/>: <see langword="false"/> = Google = domain A, <see langword="true"/> =
    /// Twitter = domain B). The Google rows come first; with an odd count Twitter has one image more.
    /// </returns>
    public IDataView LoadTrainingData(MLContext mlContext, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Data.LoadFromEnumerable(GetTrainingImages(seed));
    }

    /// <summary>The rows of <see cref="LoadTrainingData"/>, for code that does not go through an <see cref="IDataView"/>.</summary>
    /// <param name="seed">Seeds the shuffle that decides which names are Google's and which Twitter's.</param>
    public IReadOnlyList<EmojiImage> GetTrainingImages(int seed = 0)
    {
        var names = TrainNames.ToArray();
        // Random(seed) is a fixed algorithm for a given seed, so the domain assignment is reproducible across runs and machines.
        new Random(seed).Shuffle(names);
        int half = names.Length / 2;
        return names
            .Select((name, i) => i < half
                ? new EmojiImage { Image = Path.Combine(Folder, GoogleFolderName, name), IsTwitter = false }
                : new EmojiImage { Image = Path.Combine(Folder, TwitterFolderName, name), IsTwitter = true })
            .ToList();
    }

    /// <summary>The held-out ground-truth pairs, never used in training, in <c>split.tsv</c>'s order.</summary>
    public IReadOnlyList<EmojiPair> GetTestPairs() =>
        TestNames.Select(n => new EmojiPair(n, Path.Combine(Folder, GoogleFolderName, n), Path.Combine(Folder, TwitterFolderName, n)))
            .ToList();

    private static string HowToFetch(string folder) =>
        $"Download it with '{FetchCommand} {folder}' from the repository root (needs npm; about 140 MB).";
}

/// <summary>One row of <see cref="EmojiDataset.LoadTrainingData"/>.</summary>
public sealed class EmojiImage
{
    /// <summary>The PNG's full path.</summary>
    public string Image { get; set; } = "";

    /// <summary><see langword="false"/> for Google's style (domain A), <see langword="true"/> for Twitter's (domain B).</summary>
    public bool IsTwitter { get; set; }
}

/// <summary>One emoji in both styles: a ground-truth pair for evaluating a translation.</summary>
/// <param name="Name">The file name, e.g. <c>1f600.png</c>.</param>
/// <param name="GooglePath">The full path of Google's image (domain A).</param>
/// <param name="TwitterPath">The full path of Twitter's image (domain B).</param>
public sealed record EmojiPair(string Name, string GooglePath, string TwitterPath);
