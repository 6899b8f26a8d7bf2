// Trains WaveGAN (Donahue, McAuley, Puckette, ICLR 2019) on real drum one-shots (Debian's Hydrogen and LMMS drum
// kits, fetched by examples/data/fetch-drums.sh), then writes generated drums as WAV files, a spectrogram grid of
// real and generated clips, and the ML.NET model.
//
//   dotnet run --project examples/WaveGanDrums -c Release [-- --help]

using GanExamples;
using System.CommandLine;
using WaveGanDrums;

var dataOption = new Option<string?>("--data")
{
    HelpName = "FOLDER",
    Description = "A folder written by examples/data/fetch-drums.sh (it lists its clips in clips.tsv). Default: data/drums, fetched when missing.",
};
var outOption = new Option<string>("--out")
{
    HelpName = "FOLDER",
    Description = "Where the generated WAVs, the spectrogram grid, the model zip and (by default) the checkpoints go.",
    DefaultValueFactory = _ => Path.Combine("out", "wavegan-drums"),
};
var modelSizeOption = new Option<int?>("--model-size")
{
    HelpName = "D",
    Description = $"d, the width of both networks (paper: 64; default {TrainingSettings.Default.ModelSize}, which trains in minutes on two CPU cores).",
};
var batchOption = new Option<int?>("--batch")
{
    HelpName = "N",
    Description = $"Clips per batch (paper: 64; default {TrainingSettings.Default.BatchSize}).",
};
var paperOption = new Option<bool>("--paper")
{
    Description = "The paper's size: d = 64 and batch 64 (19 M + 17 M parameters; about a minute a step on two CPU cores, so use --gpu). " +
        "--model-size and --batch override it.",
};
var epochsOption = new Option<int>("--epochs")
{
    HelpName = "N",
    Description = "Passes of the critic over the clips (five critic batches per generator step). The paper trains for days on a GPU.",
    DefaultValueFactory = _ => TrainingSettings.Default.Epochs,
};
var generateOption = new Option<int>("--generate")
{
    HelpName = "N",
    Description = "Drums to generate as WAV files (the spectrogram grid shows the first eight).",
    DefaultValueFactory = _ => TrainingSettings.Default.Generate,
};
var run = new TrainingRunOptions(TrainingSettings.Default.Seed, "Seed of the initial weights, the batches and the generated drums");

var root = new RootCommand("Trains WaveGAN on real drum one-shots with ML.NET and Microsoft.ML.Gan, and writes the drums it generates.")
{
    dataOption, outOption, modelSizeOption, batchOption, paperOption, epochsOption, generateOption,
};
foreach (var option in run.All) root.Options.Add(option);

return ExampleCommandLine.Invoke(root, args, result =>
{
    string output = result.GetValue(outOption)!;
    bool paper = result.GetValue(paperOption);
    var settings = new TrainingSettings
    {
        DataFolder = result.GetValue(dataOption),
        ModelSize = result.GetValue(modelSizeOption) ?? (paper ? 64 : TrainingSettings.Default.ModelSize),
        BatchSize = result.GetValue(batchOption) ?? (paper ? 64 : TrainingSettings.Default.BatchSize),
        Epochs = result.GetValue(epochsOption),
        Generate = result.GetValue(generateOption),
        UseGpu = result.GetValue(run.Gpu),
        CheckpointDirectory = run.CheckpointDirectory(result, output),
        MaxTrainingTime = run.MaxTrainingTime(result),
        Seed = result.GetValue(run.Seed),
    };
    return ExampleCommandLine.RunChecked(settings.Check(), () => DrumSynthesisJob.Run(settings, output));
});
