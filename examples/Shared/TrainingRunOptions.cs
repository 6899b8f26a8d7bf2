using System.CommandLine;

namespace GanExamples;

/// <summary>The command-line options of a training run that the example programs share: GPU, checkpoints, time limit, seed.</summary>
/// <param name="defaultSeed">The seed when --seed is not given.</param>
/// <param name="seedDescription">What the seed fixes in this program.</param>
internal sealed class TrainingRunOptions(int defaultSeed, string seedDescription)
{
    public Option<bool> Gpu { get; } = new("--gpu")
    {
        Description = "Train on CUDA device 0 when the build has CUDA (TorchBackend=cuda); on the CPU otherwise.",
    };

    public Option<string?> Checkpoints { get; } = new("--checkpoints")
    {
        HelpName = "FOLDER",
        Description = "Checkpoint folder; a rerun with the same options resumes from it (Ctrl+C writes one). Default: OUT/checkpoints.",
    };

    public Option<double?> MaxMinutes { get; } = WithPositiveMinutes(new("--max-minutes")
    {
        HelpName = "MINUTES",
        Description = "Stop training after this long, keep the model so far and write a checkpoint that a rerun resumes from.",
    });

    public Option<int> Seed { get; } = new("--seed")
    {
        HelpName = "N",
        Description = seedDescription + "; a resumed run needs the seed it started with.",
        DefaultValueFactory = _ => defaultSeed,
    };

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [Gpu, Checkpoints, MaxMinutes, Seed];

    /// <summary>The checkpoint folder: --checkpoints, or OUTPUT/checkpoints.</summary>
    public string CheckpointDirectory(ParseResult result, string output) => result.GetValue(Checkpoints) ?? Path.Combine(output, "checkpoints");

    private static Option<double?> WithPositiveMinutes(Option<double?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is double minutes && !(minutes > 0 && minutes <= TimeSpan.MaxValue.TotalMinutes))
                result.AddError($"{option.Name} is {minutes}; expected a number of minutes above 0.");
        });
        return option;
    }

    /// <summary>--max-minutes as a time span, or null.</summary>
    public TimeSpan? MaxTrainingTime(ParseResult result) => result.GetValue(MaxMinutes) is double minutes ? TimeSpan.FromMinutes(minutes) : null;
}
