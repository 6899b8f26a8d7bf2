using System.Diagnostics;
using GanExamples;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using Spectre.Console;

namespace CycleGanEmoji;

/// <summary>Data → pipeline → training → test-set grid and metrics → saved model.</summary>
internal static class EmojiTranslationJob
{
    private const string PathColumn = "Image";
    private const string DomainColumn = "IsTwitter";
    private const string ImageColumn = "Emoji";
    private const string TranslatedColumn = "Translated";
    private const string TruthPathColumn = "TwitterImage";
    private const string TruthColumn = "Truth";
    private const int GridColumns = 12;

    /// <summary>The model's input: only the path, so the saved zip asks for nothing else.</summary>
    private sealed class PathRow
    {
        public string Image { get; set; } = "";
    }

    private sealed class TestRow
    {
        public string Image { get; set; } = "";
        public string TwitterImage { get; set; } = "";
    }

    public static int Run(string? dataFolder, string output, TrainingSettings settings)
    {
        var emoji = EmojiDataLocator.Open(dataFolder);
        if (emoji is null) return ExitCodes.BadInput;

        TorchSharp.torch.set_num_threads(settings.Threads);
        // A fixed seed: a rerun must draw the same subset and initial weights to resume from the checkpoint.
        var ml = ExampleContext.Create(seed: 1, settings.UseGpu);

        var rows = TrainingRows(emoji, settings.ImagesPerDomain);
        int countA = rows.Count(r => !r.IsTwitter), countB = rows.Count - countA;
        AnsiConsole.MarkupLineInterpolated($"Data: [bold]{emoji.Folder}[/], training on {countA} Google and {countB} other Twitter emoji (unpaired), {emoji.TestNames.Count} held out.");
        AnsiConsole.MarkupLineInterpolated($"Model: {settings.Size}×{settings.Size}, {settings.ResidualBlocks} residual blocks, {settings.Filters} filters, batch {settings.BatchSize}, {settings.Epochs} epochs.");

        var progress = new TrainingProgressView(p => $"epoch {p.Epoch}/{settings.Epochs}", Summary, "reading images, building networks ...");
        var clock = Stopwatch.StartNew();
        var (model, exitCode) = GuardedTraining.Run(token => ml.Transforms.LoadImages(ImageColumn, imageFolder: null, inputColumnName: PathColumn)
            .Append(ml.Transforms.ResizeImages(ImageColumn, settings.Size, settings.Size))
            .Append(ml.Transforms.Gan().CycleGan(new CycleGanEstimator.Options
            {
                InputColumnName = ImageColumn,
                DomainColumnName = DomainColumn,
                OutputColumnName = TranslatedColumn,
                Direction = CycleGanDirection.AToB,
                Epochs = (settings.Epochs + 1) / 2,
                DecayEpochs = settings.Epochs / 2,
                BatchSize = settings.BatchSize,
                ResidualBlocks = settings.ResidualBlocks,
                GeneratorFilters = settings.Filters,
                DiscriminatorFilters = settings.Filters,
                CheckpointDirectory = settings.CheckpointDirectory,
                LogDirectory = settings.LogDirectory,
                Progress = progress,
                CancellationToken = token,
            }))
            .Fit(ml.Data.LoadFromEnumerable(rows)), progress, settings.CheckpointDirectory, emoji.Folder);
        if (model is null) return exitCode;
        AnsiConsole.MarkupLineInterpolated($"Training took {clock.Elapsed:mm\\:ss}.");

        using (model)
        {
            Directory.CreateDirectory(output);
            string grid = Path.Combine(output, "test-grid.png");
            string zip = Path.Combine(output, "cyclegan-emoji.zip");
            string onnx = Path.Combine(output, "google-to-twitter.onnx");

            var scores = Evaluate(ml, model, emoji, settings.Size, grid);
            var inputSchema = ml.Data.LoadFromEnumerable(Array.Empty<PathRow>()).Schema;
            AtomicOutput.Write(zip, temporary => ml.Model.Save(model, inputSchema, temporary));
            model.LastTransformer.ExportOnnx(onnx);

            var table = new Table().AddColumns($"{emoji.TestNames.Count} held-out emoji vs Twitter's", "L1 ↓", "SSIM ↑");
            table.AddRow("identity (Google's image as is)", $"{scores.IdentityL1:F4}", $"{scores.IdentitySsim:F4}");
            table.AddRow("CycleGAN Google → Twitter", $"{scores.TranslationL1:F4}", $"{scores.TranslationSsim:F4}");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"Grid (inputs, translations, reconstructions, Twitter's): [bold]{grid}[/]");
            AnsiConsole.MarkupLineInterpolated($"ML.NET model (input: column '{PathColumn}', an image path): [bold]{zip}[/]");
            AnsiConsole.MarkupLineInterpolated($"ONNX generator (input '{ImageColumn}': N×4×{settings.Size}×{settings.Size}, planes A, R, G, B of 0…255): [bold]{onnx}[/]");
        }
        return ExitCodes.Success;
    }

    private static string Summary(GanProgress p)
    {
        double Loss(string name) => p.Losses.TryGetValue(name, out var v) ? v : double.NaN;
        return $"G {Loss("G_A"):F2}/{Loss("G_B"):F2}  D {Loss("D_A"):F2}/{Loss("D_B"):F2}  " +
            $"cycle {Loss("cycle_A"):F2}/{Loss("cycle_B"):F2}  {p.SamplesPerSecond:F1} img/s  ETA {p.Eta:h\\:mm\\:ss}";
    }

    /// <summary>The unpaired training rows, the first <paramref name="perDomain"/> of each domain (0: all).</summary>
    private static List<EmojiImage> TrainingRows(EmojiDataset emoji, int perDomain)
    {
        var all = emoji.GetTrainingImages(seed: 0);
        if (perDomain == 0) return all.ToList();
        return all.Where(r => !r.IsTwitter).Take(perDomain).Concat(all.Where(r => r.IsTwitter).Take(perDomain)).ToList();
    }

    private sealed record Scores(double IdentityL1, double IdentitySsim, double TranslationL1, double TranslationSsim);

    /// <summary>
    /// Translates every held-out Google emoji through the fitted pipeline, scores it against Twitter's drawing of the
    /// same emoji, and writes the grid for a spread of them.
    /// </summary>
    private static Scores Evaluate(MLContext ml, TransformerChain<CycleGanTransformer> model, EmojiDataset emoji, int size, string gridPath)
    {
        var pairs = emoji.GetTestPairs();
        var test = ml.Data.LoadFromEnumerable(pairs.Select(p => new TestRow { Image = p.GooglePath, TwitterImage = p.TwitterPath }));
        var truth = ml.Transforms.LoadImages(TruthColumn, imageFolder: null, inputColumnName: TruthPathColumn)
            .Append(ml.Transforms.ResizeImages(TruthColumn, size, size))
            .Fit(test);
        var scored = truth.Transform(model.Transform(test));

        var inputs = new List<float[]>();
        var translations = new List<float[]>();
        var truths = new List<float[]>();
        using (var cursor = scored.GetRowCursor(new[] { scored.Schema[ImageColumn], scored.Schema[TranslatedColumn], scored.Schema[TruthColumn] }))
        {
            var getters = new[] { ImageColumn, TranslatedColumn, TruthColumn }.Select(c => cursor.GetGetter<MLImage>(scored.Schema[c])).ToArray();
            while (cursor.MoveNext())
            {
                float[] Read(int i)
                {
                    MLImage image = null!;
                    getters[i](ref image);
                    using (image) return ImageTensors.ToPlanarRgb(image);
                }
                inputs.Add(Read(0));
                translations.Add(Read(1));
                truths.Add(Read(2));
            }
        }

        double Mean(Func<int, double> metric) => Enumerable.Range(0, inputs.Count).Average(metric);
        var scores = new Scores(
            Mean(i => ImageMetrics.MeanAbsoluteError(inputs[i], truths[i])),
            Mean(i => ImageMetrics.StructuralSimilarity(inputs[i], truths[i], size, size)),
            Mean(i => ImageMetrics.MeanAbsoluteError(translations[i], truths[i])),
            Mean(i => ImageMetrics.StructuralSimilarity(translations[i], truths[i], size, size)));

        // Evenly spread: split.tsv is sorted by code point, so neighbours tend to be near-identical faces or flags.
        var shown = Enumerable.Range(0, Math.Min(GridColumns, inputs.Count)).Select(i => i * inputs.Count / Math.Min(GridColumns, inputs.Count)).ToList();
        var generator = model.LastTransformer;
        ImageGrid.Save(gridPath, new IReadOnlyList<float[]>[]
        {
            shown.Select(i => inputs[i]).ToList(),
            shown.Select(i => translations[i]).ToList(),
            shown.Select(i => generator.Translate(translations[i], CycleGanDirection.BToA)).ToList(),
            shown.Select(i => truths[i]).ToList(),
        }, size, size);
        return scores;
    }
}
