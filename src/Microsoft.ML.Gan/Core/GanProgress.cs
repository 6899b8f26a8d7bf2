namespace Microsoft.ML.Gan;

/// <summary>A training report, sent to <c>IProgress&lt;GanProgress&gt;</c> every few steps.</summary>
/// <param name="Epoch">The 1-based epoch in progress.</param>
/// <param name="Step">Steps done so far (all epochs).</param>
/// <param name="TotalSteps">Steps the whole run will take.</param>
/// <param name="Losses">The latest value of each loss, by name (e.g. <c>G_A</c>, <c>D_A</c>, <c>cycle_A</c>).</param>
/// <param name="SamplesPerSecond">Training throughput since the previous report.</param>
/// <param name="Eta">Estimated time to the end of training.</param>
public sealed record GanProgress(int Epoch, long Step, long TotalSteps, IReadOnlyDictionary<string, double> Losses,
    double SamplesPerSecond, TimeSpan Eta)
{
    /// <summary>Fraction of the run done, 0 to 1.</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;
}
