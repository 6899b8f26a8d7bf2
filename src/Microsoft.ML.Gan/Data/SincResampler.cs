namespace Microsoft.ML.Gan.Data;

/// <summary>
/// Band-limited resampling by a Kaiser-windowed sinc (the method of resampy, which the official loader reaches through
/// librosa), evaluated from a precomputed table. The filter is symmetric, so the output is not delayed: the resamplers
/// of NAudio (WDL) and NWaves shift a 44.1 → 16 kHz signal by 1.3 and 2.1 output samples (measured), which would move
/// every clip against the official loader's.
/// </summary>
internal static class SincResampler
{
    private const int ZeroCrossings = 32;
    private const int Resolution = 512;
    private const double Beta = 9.0;
    // The cut-off, as a fraction of the lower Nyquist frequency: a little below it, so the window's transition band
    // stays clear of aliasing (resampy's kaiser_best: 0.9475).
    private const double Rolloff = 0.945;

    /// <summary>h(u) at u = i / Resolution zero crossings from the centre, i = 0 … ZeroCrossings · Resolution.</summary>
    private static readonly double[] Filter = BuildFilter();

    private static double[] BuildFilter()
    {
        var h = new double[ZeroCrossings * Resolution + 2];
        double norm = BesselI0(Beta);
        for (int i = 0; i < h.Length; i++)
        {
            double u = (double)i / Resolution;
            double r = u / ZeroCrossings;
            double window = r >= 1 ? 0 : BesselI0(Beta * Math.Sqrt(1 - r * r)) / norm;
            double x = Math.PI * Rolloff * u;
            h[i] = Rolloff * (u == 0 ? 1 : Math.Sin(x) / x) * window;
        }
        return h;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200 && term > 1e-17 * sum; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
        }
        return sum;
    }

    /// <summary><paramref name="samples"/> at <paramref name="from"/> Hz resampled to <paramref name="to"/> Hz: round(n · to / from) samples.</summary>
    public static float[] Resample(float[] samples, int from, int to)
    {
        if (from <= 0 || to <= 0) throw new ArgumentOutOfRangeException(nameof(from), $"Sample rates must be positive; got {from} and {to}.");
        if (samples.Length == 0 || from == to) return samples;
        var output = new float[(int)Math.Round((double)samples.Length * to / from)];
        double step = (double)from / to;
        // Downsampling lowers the cut-off to the new Nyquist frequency, which widens the filter in input samples.
        double scale = Math.Min(1.0, (double)to / from);
        double reach = ZeroCrossings / scale;
        for (int m = 0; m < output.Length; m++)
        {
            double t = m * step;
            int first = Math.Max(0, (int)Math.Ceiling(t - reach)), last = Math.Min(samples.Length - 1, (int)Math.Floor(t + reach));
            double sum = 0;
            for (int k = first; k <= last; k++)
            {
                double position = Math.Abs(t - k) * scale * Resolution;
                int i = (int)position;
                if (i >= Filter.Length - 1) continue;
                double fraction = position - i;
                sum += samples[k] * (Filter[i] + fraction * (Filter[i + 1] - Filter[i]));
            }
            output[m] = (float)(scale * sum);
        }
        return output;
    }
}
