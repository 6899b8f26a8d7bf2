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
        "(paper: 200 rounds of 1 + 5 × 3 epochs). A round took 0.5–2 min on the 2 shared CPU cores here.",
    DefaultValueFactory = _ => TrainingSettings.Default.AdversarialRounds,
};
var samplesOption = new Option<int>("--samples")
{
    HelpName = "N",
    Description = "Poems to generate for the evaluation (the first 8 are printed, all are written to OUT/generated-poems.txt).",
    DefaultValueFactory = _ => TrainingSettings.Default.Samples,
};
var run = new TrainingRunOptions(TrainingSettings.Default.Seed, "Seed of the initial weights and the sampling");

var root = new RootCommand("Trains SeqGAN on Chinese quatrains with ML.NET and Microsoft.ML.Gan, prints generated poems and scores them with BLEU-2.")
{
    dataOption, outOption, poemsOption, mleOption, dPretrainOption, adversarialOption, samplesOption,
};
foreach (var option in run.All) root.Options.Add(option);

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
        UseGpu = result.GetValue(run.Gpu),
        CheckpointDirectory = run.CheckpointDirectory(result, output),
        MaxTrainingTime = run.MaxTrainingTime(result),
        Seed = result.GetValue(run.Seed),
    };
    return ExampleCommandLine.RunChecked(settings.Check(), () => PoemGenerationJob.Run(settings, output));
});
