namespace Microsoft.ML.Gan.Core;

/// <summary>The loop's settings, shared by every GAN's estimator.</summary>
internal sealed record GanTrainingOptions
{
    public string? CheckpointDirectory { get; init; }
    public int CheckpointEvery { get; init; } = 500;
    public string? LogDirectory { get; init; }
    public IProgress<GanProgress>? Progress { get; init; }
    public CancellationToken CancellationToken { get; init; }
    public TimeSpan? MaxTrainingTime { get; init; }
    public int LossReadInterval { get; init; } = 1;
    /// <summary>Turn cuDNN autotuning on for the run (<see cref="GanTrainerOptions.CuDnnAutotuning"/>, resolved).</summary>
    public bool CuDnnAutotuning { get; init; }

    /// <summary>Steps are reported (progress, TensorBoard) at most this often.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(1);
}
