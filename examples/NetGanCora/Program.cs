// Trains NetGAN (Bojchevski et al., 2018) on the Cora-ML citation graph, or any edge list, then compares a generated
// graph with the training graph (the paper's statistics), scores the held-out test edges (link prediction), and writes
// the generated graph, a degree-distribution plot and the ML.NET model.
//
//   dotnet run --project examples/NetGanCora -c Release [-- --help]

using System.CommandLine;
using GanExamples;
using NetGanCora;

var edgesOption = new Option<string?>("--edges")
{
    HelpName = "FILE",
    Description = "An undirected edge list: two 0-based node ids a line, separated by spaces, tabs or commas ('#' comments and a " +
        "CSV header allowed). A file of the same name with the extension .labels beside it (node id and class a line; g.labels for g.csv) adds the community densities. Default: Cora-ML.",
};
var outOption = new Option<string>("--out")
{
    HelpName = "FOLDER",
    Description = "Where the generated graph, the plot, the model zip and (by default) the checkpoints go.",
    DefaultValueFactory = _ => Path.Combine("out", "netgan-cora"),
};
var iterationsOption = new Option<int>("--iterations")
{
    HelpName = "N",
    Description = "Training iterations (one generator and three critic steps each). The paper trains for tens of thousands " +
        "(up to 50,000, stopping at an edge overlap of 0.5), hours even on a GPU; the default finishes in a few minutes on two CPU cores.",
    DefaultValueFactory = _ => TrainingSettings.Default.Iterations,
};
var evalOption = new Option<int>("--eval-every")
{
    HelpName = "N",
    Description = "Iterations between evaluations (edge overlap, validation ROC-AUC and AP; paper: 500).",
    DefaultValueFactory = _ => TrainingSettings.Default.EvaluateEvery,
};
var walksOption = new Option<int>("--walks")
{
    HelpName = "N",
    Description = "Generated walks behind each evaluation and behind the final link scores and generated graph (paper: a million and more).",
    DefaultValueFactory = _ => TrainingSettings.Default.Walks,
};
var run = new TrainingRunOptions(TrainingSettings.Default.Seed, "Seed of the split and the initial weights");

var root = new RootCommand("Trains NetGAN on a graph (Cora-ML by default) with ML.NET and Microsoft.ML.Gan, and compares the graphs it generates with the real one.")
{
    edgesOption, outOption, iterationsOption, evalOption, walksOption,
};
foreach (var option in run.All) root.Options.Add(option);

return ExampleCommandLine.Invoke(root, args, result =>
{
    string output = result.GetValue(outOption)!;
    var settings = new TrainingSettings
    {
        EdgesPath = result.GetValue(edgesOption),
        Iterations = result.GetValue(iterationsOption),
        EvaluateEvery = result.GetValue(evalOption),
        Walks = result.GetValue(walksOption),
        UseGpu = result.GetValue(run.Gpu),
        CheckpointDirectory = run.CheckpointDirectory(result, output),
        MaxTrainingTime = run.MaxTrainingTime(result),
        Seed = result.GetValue(run.Seed),
    };
    return ExampleCommandLine.RunChecked(settings.Check(), () => GraphGenerationJob.Run(settings, output));
});
