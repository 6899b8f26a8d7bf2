namespace WaveGanDrums;

/// <summary>What the command line chooses.</summary>
/// <remarks>
/// The defaults are sized for two CPU cores: the paper's architecture, slice (16,384 samples at 16 kHz), phase shuffle,
/// WGAN-GP and optimiser, but an eighth of its width (d = 8 instead of 64), batch 32 instead of 64, and 24 epochs of
/// the 925 non-silent clips, 120 generator steps, where the paper trains for days on a GPU. That took 5 min 19 s on two
/// shared cores here (about 2.5 s a step, one libtorch thread). The paper's size is <c>--paper</c> (d = 64, batch 64),
/// about a minute a step on two CPU cores: use <c>--gpu</c>.
/// </remarks>
internal sealed record TrainingSettings
{
    public static readonly TrainingSettings Default = new();

    /// <summary>The folder written by examples/data/fetch-drums.sh; null to find or fetch data/drums.</summary>
    public string? DataFolder { get; init; }
    /// <summary>d, the width of both networks (paper: 64).</summary>
    public int ModelSize { get; init; } = 8;
    /// <summary>Clips per batch (paper: 64).</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Passes of the critic over the clips (five critic batches per generator step).</summary>
    public int Epochs { get; init; } = 24;
    /// <summary>Generated clips written as WAV files; the spectrogram grid shows up to <see cref="GridColumns"/> of them.</summary>
    public int Generate { get; init; } = 16;
    public const int GridColumns = 8;
    public bool UseGpu { get; init; }
    public string CheckpointDirectory { get; init; } = "checkpoints";
    /// <summary>Training time after which the run stops and keeps the model so far; null for none.</summary>
    public TimeSpan? MaxTrainingTime { get; init; }
    public int Seed { get; init; } = 1;

    /// <summary>A message for the first value out of range, or null.</summary>
    public string? Check() =>
        ModelSize < 1 ? $"--model-size is {ModelSize}; expected 1 or more."
        : BatchSize < 1 ? $"--batch is {BatchSize}; expected 1 or more."
        : Epochs < 1 ? $"--epochs is {Epochs}; expected 1 or more."
        : Generate < 1 ? $"--generate is {Generate}; expected 1 or more."
        : null;
}
