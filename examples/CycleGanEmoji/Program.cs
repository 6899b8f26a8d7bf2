// Trains a small CycleGAN that turns Google's emoji into Twitter's, inside an ML.NET pipeline, then evaluates it on
// held-out emoji that both vendors draw and saves the model (ML.NET zip and ONNX).
//
//   dotnet run --project examples/CycleGanEmoji -c Release [-- --help]

using System.CommandLine;
using CycleGanEmoji;
using GanExamples;

var dataOption = new Option<string?>("--data")
{
    HelpName = "FOLDER",
    Description = "The emoji folder written by examples/data/fetch-emoji.sh. Default: data/emoji of the repository, fetched when missing.",
};
var outOption = new Option<string>("--out")
{
    HelpName = "FOLDER",
    Description = "Where the grid, the model zip, the ONNX file and (by default) the checkpoints go.",
    DefaultValueFactory = _ => Path.Combine("out", "cyclegan-emoji"),
};
var epochsOption = new Option<int>("--epochs")
{
    HelpName = "N",
    Description = "Epochs in all: the first half at the constant learning rate, the second half decaying to zero.",
    DefaultValueFactory = _ => TrainingSettings.Default.Epochs,
};
var imagesOption = new Option<int>("--images-per-domain")
{
    HelpName = "N",
    Description = "Training images taken from each domain (0: all, about 865 each).",
    DefaultValueFactory = _ => TrainingSettings.Default.ImagesPerDomain,
};
var sizeOption = new Option<int>("--size")
{
    HelpName = "PIXELS",
    Description = "Side of the square images the pipeline resizes to (a multiple of 4, at least 24).",
    DefaultValueFactory = _ => TrainingSettings.Default.Size,
};
var blocksOption = new Option<int>("--blocks")
{
    HelpName = "N",
    Description = "Residual blocks of each generator (paper: 6 at 128x128).",
    DefaultValueFactory = _ => TrainingSettings.Default.ResidualBlocks,
};
var filtersOption = new Option<int>("--filters")
{
    HelpName = "N",
    Description = "Filters of the first layer of the generators and discriminators (paper: 64).",
    DefaultValueFactory = _ => TrainingSettings.Default.Filters,
};
var batchOption = new Option<int>("--batch")
{
    HelpName = "N",
    Description = "Images per step (paper: 1).",
    DefaultValueFactory = _ => TrainingSettings.Default.BatchSize,
};
var gpuOption = new Option<bool>("--gpu")
{
    Description = "Train on CUDA device 0 when the build has CUDA (TorchBackend=cuda); on the CPU otherwise.",
};
var threadsOption = new Option<int>("--threads")
{
    Description = "libtorch CPU threads. Training uses libtorch's own convolutions at any count (oneDNN's gave wrong gradients here; see the README).",
    DefaultValueFactory = _ => TrainingSettings.Default.Threads,
};
var checkpointsOption = new Option<string?>("--checkpoints")
{
    HelpName = "FOLDER",
    Description = "Checkpoint folder; a rerun with the same options resumes from it. Default: OUT/checkpoints.",
};
var logdirOption = new Option<string?>("--logdir")
{
    HelpName = "FOLDER",
    Description = "Folder for TensorBoard event files (losses, learning rates, sample images).",
};

var root = new RootCommand("Trains a CycleGAN that draws Google's emoji in Twitter's style, with ML.NET and Microsoft.ML.Gan.")
{
    dataOption, outOption, epochsOption, imagesOption, sizeOption, blocksOption, filtersOption, batchOption,
    gpuOption, threadsOption, checkpointsOption, logdirOption,
};

return ExampleCommandLine.Invoke(root, args, result =>
{
    string output = result.GetValue(outOption)!;
    var settings = new TrainingSettings
    {
        Epochs = result.GetValue(epochsOption),
        ImagesPerDomain = result.GetValue(imagesOption),
        Size = result.GetValue(sizeOption),
        ResidualBlocks = result.GetValue(blocksOption),
        Filters = result.GetValue(filtersOption),
        BatchSize = result.GetValue(batchOption),
        UseGpu = result.GetValue(gpuOption),
        Threads = result.GetValue(threadsOption),
        CheckpointDirectory = result.GetValue(checkpointsOption) ?? Path.Combine(output, "checkpoints"),
        LogDirectory = result.GetValue(logdirOption),
    };
    return ExampleCommandLine.RunChecked(settings.Check(), () => EmojiTranslationJob.Run(result.GetValue(dataOption), output, settings));
});
