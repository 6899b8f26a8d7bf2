// Trains SeqGAN (Yu et al., 2017) on Chinese five-character quatrains, as in the paper's poem experiment, then prints
// generated poems, their BLEU-2 against the held-out poems (every held-out poem a reference, the paper's protocol)
// next to real poems, and the discriminator's scores.
//
//   dotnet run --project examples/SeqGanPoems -c Release [-- --help]

using System.CommandLine;
using GanExamples;
using SeqGanPoems;

var dataOption = new Option<string?>("--data")
{
    HelpName = "FOLDER",
    Description = "A folder of the chinese-poetry collection's poet.*.json files, as examples/data/fetch-poems.sh writes it. " +
        "Default: data/poems in the repository, fetched with that script (npm) when missing.",
};
var outOption = new Option<string>("--out")
{
    HelpName = "FOLDER",
    Description = "Where the generated poems and (by default) the checkpoints go.",
    DefaultValueFactory = _ => Path.Combine("out", "seqgan-poems"),
};
var poemsOption = new Option<int>("--poems")
{
    HelpName = "N",
    Description = "Training quatrains to use (the first N of the training split); 0 for all (about 15,000, as the paper's 16,394).",
    DefaultValueFactory = _ => TrainingSettings.Default.Poems,
};
var mleOption = new Option<int>("--mle-epochs")
{
    HelpName = "N",
    Description = "Maximum-likelihood epochs of the generator before adversarial training (paper: 120).",
    DefaultValueFactory = _ => TrainingSettings.Default.PretrainEpochs,
};
var dPretrainOption = new Option<int>("--d-pretrain-rounds")
{
    HelpName = "N",
    Description = "Discriminator pretraining rounds, each one epoch on fresh generated poems (paper: 50 rounds of 3 epochs).",
    DefaultValueFactory = _ => TrainingSettings.Default.DiscriminatorPretrainRounds,
};
var adversarialOption = new Option<int>("--adversarial-rounds")
{
    HelpName = "N",
    Description = "Adversarial rounds: one policy-gradient generator step with 16 rollouts per prefix, then one discriminator epoch " +
        "(paper: 200 rounds of 1 + 5 × 3 epochs). About 30 s a round on a CPU.",
    DefaultValueFactory = _ => TrainingSettings.Default.AdversarialRounds,
};
var samplesOption = new Option<int>("--samples")
{
    HelpName = "N",
    Description = "Poems to generate for the evaluation (the first 8 are printed, all are written to OUT/generated-poems.txt).",
    DefaultValueFactory = _ => TrainingSettings.Default.Samples,
};
var gpuOption = new Option<bool>("--gpu")
{
    Description = "Train on CUDA device 0 when the build has CUDA (TorchBackend=cuda); on the CPU otherwise.",
};
var checkpointsOption = new Option<string?>("--checkpoints")
{
    HelpName = "FOLDER",
    Description = "Checkpoint folder; a rerun with the same options resumes from it (Ctrl+C writes one). Default: OUT/checkpoints.",
};
var maxMinutesOption = new Option<double?>("--max-minutes")
{
    HelpName = "MINUTES",
    Description = "Stop training after this long, keep the model so far and write a checkpoint that a rerun resumes from.",
};
var seedOption = new Option<int>("--seed")
{
    HelpName = "N",
    Description = "Seed of the initial weights and the sampling; a resumed run needs the seed it started with.",
    DefaultValueFactory = _ => TrainingSettings.Default.Seed,
};

var root = new RootCommand("Trains SeqGAN on Chinese quatrains with ML.NET and Microsoft.ML.Gan, prints generated poems and scores them with BLEU-2.")
{
    dataOption, outOption, poemsOption, mleOption, dPretrainOption, adversarialOption, samplesOption, gpuOption, checkpointsOption,
    maxMinutesOption, seedOption,
};

return ExampleCommandLine.Invoke(root, args, result =>
{
    string output = result.GetValue(outOption)!;
    var settings = new TrainingSettings
    {
        DataFolder = result.GetValue(dataOption),
        Poems = result.GetValue(poemsOption),
        PretrainEpochs = result.GetValue(mleOption),
        DiscriminatorPretrainRounds = result.GetValue(dPretrainOption),
        AdversarialRounds = result.GetValue(adversarialOption),
        Samples = result.GetValue(samplesOption),
        UseGpu = result.GetValue(gpuOption),
        CheckpointDirectory = result.GetValue(checkpointsOption) ?? Path.Combine(output, "checkpoints"),
        MaxTrainingTime = result.GetValue(maxMinutesOption) is double minutes ? TimeSpan.FromMinutes(minutes) : null,
        Seed = result.GetValue(seedOption),
    };
    if (settings.Check() is { } problem)
    {
        Console.Error.WriteLine($"error: {problem}");
        return ExitCodes.BadInput;
    }
    return PoemGenerationJob.Run(settings, output);
});
