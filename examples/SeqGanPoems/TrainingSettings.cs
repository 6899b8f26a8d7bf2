namespace SeqGanPoems;

/// <summary>What the command line chooses.</summary>
/// <remarks>
/// The defaults are sized for two CPU cores: the paper's networks (generator embedding and LSTM 32, the 12-window CNN
/// discriminator, 16 rollouts, batch 64) on the first 2,000 training quatrains, with a schedule far shorter than the
/// paper's 120 MLE epochs, 50 discriminator pretraining rounds and 200 adversarial rounds, which need a GPU. On this
/// CPU one adversarial generator step (19 prefixes × 16 rollouts × 64 poems) takes about 30 s.
/// </remarks>
internal sealed record TrainingSettings
{
    public static readonly TrainingSettings Default = new();

    /// <summary>The folder of poet.*.json files; null to find data/poems (fetching it when missing).</summary>
    public string? DataFolder { get; init; }
    /// <summary>Training quatrains used (the first ones); 0 for all (about 15,000).</summary>
    public int Poems { get; init; } = 2_000;
    public int PretrainEpochs { get; init; } = 20;
    public int DiscriminatorPretrainRounds { get; init; } = 2;
    public int AdversarialRounds { get; init; } = 3;
    /// <summary>Poems generated for BLEU and the discriminator's scores; the first few are printed.</summary>
    public int Samples { get; init; } = 500;
    public bool UseGpu { get; init; }
    public string CheckpointDirectory { get; init; } = "checkpoints";
    /// <summary>Training time after which the run stops and keeps the model so far; null for none.</summary>
    public TimeSpan? MaxTrainingTime { get; init; }
    public int Seed { get; init; } = 1;

    /// <summary>A message for the first value out of range, or null.</summary>
    public string? Check() =>
        Poems < 0 ? $"--poems is {Poems}; expected 0 (all) or more."
        : Poems is > 0 and < 64 ? $"--poems is {Poems}; expected at least one batch of 64."
        : PretrainEpochs < 0 ? $"--mle-epochs is {PretrainEpochs}; expected 0 or more."
        : DiscriminatorPretrainRounds < 0 ? $"--d-pretrain-rounds is {DiscriminatorPretrainRounds}; expected 0 or more."
        : AdversarialRounds < 0 ? $"--adversarial-rounds is {AdversarialRounds}; expected 0 or more."
        : PretrainEpochs + DiscriminatorPretrainRounds + AdversarialRounds == 0 ? "--mle-epochs, --d-pretrain-rounds and --adversarial-rounds are all 0; nothing to train."
        : Samples < 2 ? $"--samples is {Samples}; expected 2 or more."
        : null;
}
