namespace CycleGanEmoji;

/// <summary>What the command line chooses.</summary>
/// <remarks>
/// The defaults are 1,200 image steps, sized for two CPU cores: measured on one shared with three other trainings,
/// 10.5 min at about 2.4 images/s with OMP_WAIT_POLICY=PASSIVE, about 490 CPU-seconds in all, so roughly 4–5 min on
/// two idle cores. Batch 1 is also the fastest per image there: at 64×64, batches of 4 took several times longer per
/// image on libtorch's CPU kernels.
/// </remarks>
internal sealed record TrainingSettings
{
    public static readonly TrainingSettings Default = new();

    public int Epochs { get; init; } = 6;
    public int ImagesPerDomain { get; init; } = 200;
    public int Size { get; init; } = 64;
    public int ResidualBlocks { get; init; } = 3;
    public int Filters { get; init; } = 16;
    public int BatchSize { get; init; } = 1;
    public bool UseGpu { get; init; }
    /// <summary>libtorch's CPU threads (training uses libtorch's own convolutions at any count; see the README on oneDNN).</summary>
    public int Threads { get; init; } = 1;
    public string CheckpointDirectory { get; init; } = "checkpoints";
    public string? LogDirectory { get; init; }

    /// <summary>A message for the first value out of range, or null.</summary>
    public string? Check() =>
        Epochs < 1 ? $"--epochs is {Epochs}; expected 1 or more."
        : ImagesPerDomain < 0 ? $"--images-per-domain is {ImagesPerDomain}; expected 0 (all) or more."
        : Size < 24 || Size % 4 != 0 ? $"--size is {Size}; expected a multiple of 4, at least 24."
        : ResidualBlocks < 0 ? $"--blocks is {ResidualBlocks}; expected 0 or more."
        : Filters < 1 ? $"--filters is {Filters}; expected 1 or more."
        : BatchSize < 1 ? $"--batch is {BatchSize}; expected 1 or more."
        : Threads < 1 ? $"--threads is {Threads}; expected 1 or more."
        : null;
}
