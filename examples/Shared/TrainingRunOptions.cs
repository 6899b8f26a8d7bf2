using System.CommandLine;

namespace GanExamples;

/// <summary>The command-line options of a training run that every example has: <c>--gpu</c>, <c>--checkpoints</c>, <c>--max-minutes</c>.</summary>
internal sealed class TrainingRunOptions
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

    public Option<double?> MaxMinutes { get; } = new("--max-minutes")
    {
        HelpName = "MINUTES",
        Description = "Stop training after this long, keep the model so far and write a checkpoint that a rerun resumes from.",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Gpu);
        command.Options.Add(Checkpoints);
        command.Options.Add(MaxMinutes);
    }

    /// <summary>The --checkpoints folder, or OUT/checkpoints.</summary>
    public string CheckpointDirectory(ParseResult result, string output) => result.GetValue(Checkpoints) ?? Path.Combine(output, "checkpoints");

    /// <summary>The --max-minutes limit, or null for none.</summary>
    public TimeSpan? MaxTrainingTime(ParseResult result) => result.GetValue(MaxMinutes) is double minutes ? TimeSpan.FromMinutes(minutes) : null;
}
