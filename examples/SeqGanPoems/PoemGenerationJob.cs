using System.Diagnostics;
using System.Globalization;
using GanExamples;
using Microsoft.ML;
using Microsoft.ML.Gan;
using Spectre.Console;

namespace SeqGanPoems;

/// <summary>Quatrains → SeqGAN → sample poems, BLEU-2 against the held-out poems, the discriminator's scores.</summary>
internal static class PoemGenerationJob
{
    private const string GeneratedColumn = "Generated";
    private const string ScoreColumn = "Score";

    private static readonly FetchedData Data = new("poem", PoemDataset.FetchCommand, PoemDataset.DefaultRelativeFolder, "about 85 MB",
        start => PoemDataset.FindDefaultFolder(start));

    public static int Run(TrainingSettings settings, string output)
    {
        var poems = Data.Open(settings.DataFolder, PoemDataset.Open);
        if (poems is null) return ExitCodes.BadInput;
        int used = settings.Poems == 0 ? poems.Train.Count : Math.Min(settings.Poems, poems.Train.Count);
        AnsiConsole.MarkupLineInterpolated(
            $"Data: [bold]{poems.Folder}[/]: {poems.PoemCount:N0} poems, {poems.Train.Count:N0} training and {poems.Test.Count:N0} held-out five-character quatrains; training on {used:N0}.");
        string limit = settings.MaxTrainingTime is { } time ? $", for at most {time.TotalMinutes:0.#} min" : "";
        AnsiConsole.MarkupLineInterpolated(
            $"Training: {settings.PretrainEpochs} MLE epochs, {settings.DiscriminatorPretrainRounds} discriminator pretraining rounds, {settings.AdversarialRounds} adversarial rounds{limit}.");

        var ml = ExampleContext.Create(settings.Seed, settings.UseGpu, message => message.StartsWith("SeqGAN", StringComparison.Ordinal));
        var train = poems.LoadTrainingData(ml, used);
        var progress = new TrainingProgressView(Phase, Summary, "reading the poems, building the vocabulary and networks ...");
        var clock = Stopwatch.StartNew();
        var (model, exitCode) = GuardedTraining.Run(token => ml.Transforms.Gan().SeqGan(new SeqGanEstimator.Options
        {
            InputColumnName = nameof(PoemRow.Text),
            OutputColumnName = GeneratedColumn,
            ScoreColumnName = ScoreColumn,
            Tokenizer = SeqGanTokenizer.Characters,
            SequenceLength = PoemDataset.PoemLength,
            PretrainEpochs = settings.PretrainEpochs,
            DiscriminatorPretrainRounds = settings.DiscriminatorPretrainRounds,
            DiscriminatorEpochsPerRound = 1,
            AdversarialRounds = settings.AdversarialRounds,
            AdversarialDiscriminatorRounds = 1,
            CheckpointDirectory = settings.CheckpointDirectory,
            MaxTrainingTime = settings.MaxTrainingTime,
            Progress = progress,
            CancellationToken = token,
        }).Fit(train), progress, settings.CheckpointDirectory, poems.Folder);
        if (model is null) return exitCode;
        AnsiConsole.MarkupLineInterpolated($"Training took {clock.Elapsed:mm\\:ss}; vocabulary of {model.Vocabulary.Count:N0} characters.");

        using (model)
        {
            var generated = ml.Data.CreateEnumerable<PoemRow>(RenameToText(ml, model.Generate(settings.Samples)), reuseRowObject: false)
                .Select(r => r.Text).ToList();
            var rule = new Rule("Generated quatrains") { Justification = Justify.Left };
            AnsiConsole.Write(rule);
            foreach (var poem in generated.Take(8)) AnsiConsole.WriteLine("  " + PoemDataset.FormatQuatrain(poem));
            AnsiConsole.Write(EvaluationTable(ml, model, poems, generated, used));

            Directory.CreateDirectory(output);
            string samplesFile = Path.Combine(output, "generated-poems.txt");
            AtomicOutput.Write(samplesFile, temporary => File.WriteAllLines(temporary, generated.Select(PoemDataset.FormatQuatrain)));
            AnsiConsole.MarkupLineInterpolated($"{generated.Count} generated quatrains: [bold]{samplesFile}[/]");
            string zip = Path.Combine(output, "seqgan-poems.zip");
            AtomicOutput.Write(zip, temporary => ml.Model.Save(model, train.Schema, temporary));
            AnsiConsole.MarkupLineInterpolated($"ML.NET model (column {nameof(PoemRow.Text)}: Text → {GeneratedColumn}, {ScoreColumn}, ONNX inside): [bold]{zip}[/]");
        }
        return ExitCodes.Success;
    }

    private static string Phase(GanProgress p) =>
        p.Losses.ContainsKey("G_adv") ? "adversarial training" : p.Losses.ContainsKey("D") ? "discriminator pretraining" : "MLE pretraining";

    private static string Summary(GanProgress p) =>
        string.Join("  ", p.Losses.Select(l => FormattableString.Invariant($"{l.Key} {l.Value:F3}"))) +
        FormattableString.Invariant($"  {p.SamplesPerSecond:F0} poems/s  ETA {p.Eta:h\\:mm\\:ss}");

    private static IDataView RenameToText(MLContext ml, IDataView generated) =>
        ml.Transforms.CopyColumns(nameof(PoemRow.Text), GeneratedColumn).Fit(generated).Transform(generated);

    /// <summary>
    /// BLEU-2 with every held-out poem as a reference (the paper's protocol) for the generated poems and, as the bar to
    /// reach, for as many real training poems; Self-BLEU-2 within each set of the same size (higher: the poems repeat
    /// each other more); and the discriminator's mean probability of "real" for each.
    /// </summary>
    private static Table EvaluationTable(MLContext ml, SeqGanTransformer model, PoemDataset poems, List<string> generated, int used)
    {
        var real = poems.Train.Take(generated.Count).ToList();
        double MeanScore(IEnumerable<string> texts) => texts.Average(t => (double)model.Score(t));
        string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        var table = new Table().AddColumns($"{generated.Count} poems", $"BLEU-2 vs {poems.Test.Count:N0} held-out poems", "Self-BLEU-2", "D: P(real)");
        table.AddRow("generated (SeqGAN)", F(TextMetrics.Bleu(generated, poems.Test, 2, SeqGanTokenizer.Characters)),
            F(TextMetrics.SelfBleu(generated.Where(g => g.Length > 0).ToList(), 2, SeqGanTokenizer.Characters)), F(MeanScore(generated)));
        table.AddRow(used >= generated.Count ? "real (training set)" : "real (training set, partly unseen)",
            F(TextMetrics.Bleu(real, poems.Test, 2, SeqGanTokenizer.Characters)),
            F(TextMetrics.SelfBleu(real, 2, SeqGanTokenizer.Characters)), F(MeanScore(real)));
        var heldOut = poems.Test.Take(generated.Count).ToList();
        table.AddRow("real (held out)", "—", F(TextMetrics.SelfBleu(heldOut, 2, SeqGanTokenizer.Characters)), F(MeanScore(heldOut)));
        return table;
    }
}
