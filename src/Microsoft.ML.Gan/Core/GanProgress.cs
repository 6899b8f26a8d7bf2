namespace Microsoft.ML.Gan;

/// <summary>A training report, sent to <c>IProgress&lt;GanProgress&gt;</c> every few steps.</summary>
/// <param name="Epoch">The 1-based epoch in progress (while scoring, the last one).</param>
/// <param name="Step">Steps done so far (all epochs); while scoring, units of the scoring done (NetGAN: walks sampled).</param>
/// <param name="TotalSteps">Steps the whole run will take; while scoring, the units it will take.</param>
/// <param name="Losses">The latest value of each loss, by name (e.g. <c>G_A</c>, <c>D_A</c>, <c>cycle_A</c>); while scoring, the last training step's (NetGAN's G and D: NaN if the run resumed had already finished).</param>
/// <param name="SamplesPerSecond">Training throughput since the previous report; while scoring, units per second.</param>
/// <param name="Eta">Estimated time to the end of training, or of the scoring.</param>
public sealed record GanProgress(int Epoch, long Step, long TotalSteps, IReadOnlyDictionary<string, double> Losses,
    double SamplesPerSecond, TimeSpan Eta)
{
    /// <summary>Fraction of the run (or of the scoring) done, 0 to 1.</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;

    /// <summary>Which part of <c>Fit</c> the report is about: training, or the scoring that follows it (NetGAN).</summary>
    public GanStage Stage { get; init; } = GanStage.Training;
}

/// <summary>The parts of a GAN estimator's <c>Fit</c> that report progress.</summary>
public enum GanStage
{
    /// <summary>The training steps.</summary>
    Training,

    /// <summary>
    /// Work after the last training step that can take minutes: NetGAN's link-prediction scores, counted from up to
    /// millions of sampled walks.
    /// </summary>
    Scoring,
}
