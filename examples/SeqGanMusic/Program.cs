// Trains SeqGAN (Yu et al., 2017) on melodies of Debian's MIDI files as 32 piano-key tokens, as in the paper's music
// experiment, then scores generated melodies (BLEU-4 and the pitch-statistics MSE against the held-out melodies, next
// to real ones) and writes some of them as MIDI files.
//
//   dotnet run --project examples/SeqGanMusic -c Release [-- --help]

using System.CommandLine;
using System.Globalization;
using GanExamples;
using Microsoft.ML;
using Microsoft.ML.Gan;
using Spectre.Console;

var dataOption = new Option<string?>("--data")
{
    HelpName = "FOLDER",
    Description = "A folder of .mid files. Default: data/midi in the repository, fetched with examples/data/fetch-midi.sh (Debian packages) when missing.",
};
var outOption = new Option<string>("--out")
{
    HelpName = "FOLDER",
    Description = "Where the generated melodies (.mid and generated-melodies.txt) and, by default, the checkpoints go.",
    DefaultValueFactory = _ => Path.Combine("out", "seqgan-music"),
};
var mleOption = new Option<int>("--mle-epochs") { HelpName = "N", Description = "Maximum-likelihood epochs (paper: 120).", DefaultValueFactory = _ => 30 };
var adversarialOption = new Option<int>("--adversarial-rounds")
{
    HelpName = "N",
    Description = "Adversarial rounds, each a policy-gradient step with 16 rollouts per prefix and one discriminator epoch (paper: 200).",
    DefaultValueFactory = _ => 2,
};
var samplesOption = new Option<int>("--samples") { HelpName = "N", Description = "Melodies to generate and score.", DefaultValueFactory = _ => 500 };
var midiOption = new Option<int>("--midi-files") { HelpName = "N", Description = "Generated melodies written as .mid files.", DefaultValueFactory = _ => 8 };
var run = new TrainingRunOptions(defaultSeed: 1, "Seed of the weights and the sampling");

var root = new RootCommand("Trains SeqGAN on MIDI melodies with ML.NET and Microsoft.ML.Gan and writes generated melodies as MIDI files.")
{
    dataOption, outOption, mleOption, adversarialOption, samplesOption, midiOption,
};
foreach (var option in run.All) root.Options.Add(option);

return ExampleCommandLine.Invoke(root, args, result =>
{
    string output = result.GetValue(outOption)!;
    int samples = result.GetValue(samplesOption), midiFiles = result.GetValue(midiOption);
    int mleEpochs = result.GetValue(mleOption), adversarialRounds = result.GetValue(adversarialOption);
    string? problem = samples < 1 ? $"--samples is {samples}; expected 1 or more."
        : midiFiles < 0 ? $"--midi-files is {midiFiles}; expected 0 or more."
        : mleEpochs < 0 ? $"--mle-epochs is {mleEpochs}; expected 0 or more."
        : adversarialRounds < 0 ? $"--adversarial-rounds is {adversarialRounds}; expected 0 or more."
        : null;
    if (problem is not null)
    {
        Console.Error.WriteLine($"error: {problem}");
        return ExitCodes.BadInput;
    }
    var fetched = new FetchedData("MIDI", MelodyDataset.FetchCommand, MelodyDataset.DefaultRelativeFolder, "about 60 MB of Debian packages; needs apt-get and dpkg-deb",
        start => MelodyDataset.FindDefaultFolder(start));
    var data = fetched.Open(result.GetValue(dataOption), folder => MelodyDataset.Load(folder));
    if (data is null) return ExitCodes.BadInput;
    AnsiConsole.MarkupLineInterpolated(
        $"Data: {data.FileCount} MIDI files with a melody ({data.Skipped.Count} skipped): {data.Train.Count:N0} training and {data.Test.Count:N0} held-out sequences of {MidiMelody.PaperSequenceLength} keys.");

    var ml = ExampleContext.Create(result.GetValue(run.Seed), result.GetValue(run.Gpu), message => message.StartsWith("SeqGAN", StringComparison.Ordinal));
    var train = ml.Data.LoadFromEnumerable(data.Train.Select(t => new MelodyRow { Text = t }));
    string checkpoints = run.CheckpointDirectory(result, output);
    var progress = new TrainingProgressView(
        p => p.Losses.ContainsKey("G_adv") ? "adversarial training" : p.Losses.ContainsKey("D") ? "discriminator pretraining" : "MLE pretraining",
        p => string.Join("  ", p.Losses.Select(l => FormattableString.Invariant($"{l.Key} {l.Value:F3}"))),
        "building the vocabulary and networks ...");
    var (model, exitCode) = GuardedTraining.Run(token => ml.Transforms.Gan().SeqGan(new SeqGanEstimator.Options
    {
        InputColumnName = nameof(MelodyRow.Text),
        OutputColumnName = "Generated",
        Tokenizer = SeqGanTokenizer.Whitespace,
        SequenceLength = MidiMelody.PaperSequenceLength,
        PretrainEpochs = mleEpochs,
        DiscriminatorPretrainRounds = 2,
        DiscriminatorEpochsPerRound = 1,
        AdversarialRounds = adversarialRounds,
        AdversarialDiscriminatorRounds = 1,
        CheckpointDirectory = checkpoints,
        MaxTrainingTime = run.MaxTrainingTime(result),
        Progress = progress,
        CancellationToken = token,
    }).Fit(train), progress, checkpoints, data.Folder);
    if (model is null) return exitCode;

    using (model)
    {
        var generatedView = model.Generate(samples);
        var generated = ml.Data.CreateEnumerable<MelodyRow>(
            ml.Transforms.CopyColumns(nameof(MelodyRow.Text), "Generated").Fit(generatedView).Transform(generatedView), reuseRowObject: false)
            .Select(r => r.Text).ToList();
        var real = data.Train.Take(samples).ToList();
        List<IReadOnlyList<int>> Pitches(IEnumerable<string> texts) =>
            texts.Select(t => (IReadOnlyList<int>)MidiMelody.ParseTokensLenient(t)).Where(p => p.Count > 0).ToList();
        var references = Pitches(data.Test);
        string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        var table = new Table().AddColumns($"{samples} melodies", $"BLEU-4 vs {data.Test.Count:N0} held-out", "pitch-statistics MSE");
        var generatedPitches = Pitches(generated);
        table.AddRow("generated (SeqGAN)", F(TextMetrics.Bleu(generated, data.Test, 4, SeqGanTokenizer.Whitespace)),
            generatedPitches.Count > 0 ? F(MusicMetrics.PitchStatisticsMse(generatedPitches, references)) : "—");
        table.AddRow("real (training set)", F(TextMetrics.Bleu(real, data.Test, 4, SeqGanTokenizer.Whitespace)),
            F(MusicMetrics.PitchStatisticsMse(Pitches(real), references)));
        AnsiConsole.Write(table);

        AtomicOutput.Write(Path.Combine(output, "generated-melodies.txt"), temporary => File.WriteAllLines(temporary, generated));
        for (int i = 0; i < Math.Min(midiFiles, generatedPitches.Count); i++)
            MidiMelody.Write(Path.Combine(output, $"melody-{i}.mid"), generatedPitches[i]);
        AnsiConsole.MarkupLineInterpolated(
            $"{generated.Count} melodies: [bold]{Path.Combine(output, "generated-melodies.txt")}[/]; {Math.Min(midiFiles, generatedPitches.Count)} as melody-N.mid (quarter notes, 0.4 s each).");
    }
    return ExitCodes.Success;
});

/// <summary>One melody: 32 whitespace-separated piano keys (0 = A0 ... 87 = C8).</summary>
internal sealed class MelodyRow
{
    public string Text { get; set; } = "";
}
