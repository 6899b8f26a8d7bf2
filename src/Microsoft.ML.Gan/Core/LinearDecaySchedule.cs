namespace Microsoft.ML.Gan.Core;

/// <summary>
/// CycleGAN's learning-rate policy <c>linear</c>: the base rate for <c>constantEpochs</c>, then a linear decay over
/// <c>decayEpochs</c>. The official code updates the rate at the start of each epoch with
/// factor(e) = 1 − max(0, e + 1 − constantEpochs) / (decayEpochs + 1) for the 1-based epoch e, so the last epoch runs at 0.
/// With no decay epochs that formula would also zero the last constant epoch; there is no decay phase then, and the
/// rate stays constant.
/// </summary>
internal sealed record LinearDecaySchedule(double BaseRate, int ConstantEpochs, int DecayEpochs)
{
    public int TotalEpochs => ConstantEpochs + DecayEpochs;

    /// <summary>The rate used throughout the 1-based epoch <paramref name="epoch"/>.</summary>
    public double RateAt(int epoch) => DecayEpochs == 0
        ? BaseRate
        : BaseRate * (1.0 - Math.Max(0, epoch + 1 - ConstantEpochs) / (double)(DecayEpochs + 1));
}
