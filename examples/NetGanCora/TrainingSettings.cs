namespace NetGanCora;

/// <summary>What the command line chooses.</summary>
/// <remarks>
/// The defaults are sized for two CPU cores: the paper's networks and batch, but far fewer iterations and generated
/// walks than the paper's tens of thousands of iterations and millions of walks, which need a GPU (about 160 ms an
/// iteration on an H100, BENCHMARKS.md). On two idle cores here an iteration took about 1 s and sampling 2,000 walks
/// over Cora-ML's 2,810 nodes several seconds; the default run took 2.3–2.6 min. It shows the pipeline, not the paper's
/// edge overlap or link prediction, which stay at chance after so few iterations.
/// </remarks>
internal sealed record TrainingSettings
{
    public static readonly TrainingSettings Default = new();

    /// <summary>The edge list; null for the Cora-ML graph that travels with the program.</summary>
    public string? EdgesPath { get; init; }
    public int Iterations { get; init; } = 100;
    public int EvaluateEvery { get; init; } = 50;
    /// <summary>Generated walks behind each evaluation and behind the final link scores.</summary>
    public int Walks { get; init; } = 2_000;
    public bool UseGpu { get; init; }
    public string CheckpointDirectory { get; init; } = "checkpoints";
    /// <summary>Training time after which the run stops and keeps the model so far; null for none.</summary>
    public TimeSpan? MaxTrainingTime { get; init; }
    public int Seed { get; init; } = 1;

    /// <summary>A message for the first value out of range, or null.</summary>
    public string? Check() =>
        Iterations < 1 ? $"--iterations is {Iterations}; expected 1 or more."
        : EvaluateEvery < 1 ? $"--eval-every is {EvaluateEvery}; expected 1 or more."
        : Walks < 1 ? $"--walks is {Walks}; expected 1 or more."
        : null;
}
