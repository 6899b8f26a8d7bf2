namespace Microsoft.ML.Gan;

/// <summary>
/// The SeqGAN paper's second music metric: the mean squared error between statistics of generated and real pitch
/// sequences (BLEU-4, the first, is <see cref="TextMetrics.Bleu(IReadOnlyList{string}, IReadOnlyList{string}, int, SeqGanTokenizer)"/> over
/// pitch tokens, split with <see cref="SeqGanTokenizer.Whitespace"/>).
/// </summary>
/// <remarks>
/// <para>What the paper says: BLEU models "the fitness of the discrete piano key patterns", and "to model the fitness
/// of the continuous pitch data patterns, the mean squared error (MSE) (Manaris et al. 2007) is used" (Nottingham:
/// MLE 22.38, SeqGAN 20.62). It defines the MSE no further, and the official repository releases only the synthetic
/// experiment. Manaris et al. (2007) judge melodies by statistics of their pitch content compared with a corpus'.
/// Our reading, stated so it can be checked: each sequence is reduced to <see cref="StatisticCount"/> statistics of
/// its pitches treated as numbers (semitones), the statistics are averaged over the generated set and over the real
/// set, and the MSE is the mean over the statistics of the squared difference of the two averages:</para>
/// <list type="number">
/// <item>mean pitch;</item>
/// <item>standard deviation of the pitch (population, within the sequence);</item>
/// <item>mean absolute melodic interval |p[t+1] − p[t]|;</item>
/// <item>pitch range, max − min.</item>
/// </list>
/// <para>Lower is better; 0 when the sets agree on every statistic. The unit is semitones², the paper's numbers are
/// on the Nottingham set and come from a definition that may differ: compare MLE with SeqGAN here, not with the paper.</para>
/// </remarks>
public static class MusicMetrics
{
    /// <summary>How many statistics <see cref="PitchStatistics"/> returns.</summary>
    public const int StatisticCount = 4;

    /// <summary>The statistics of one pitch sequence: mean, standard deviation, mean absolute interval, range.</summary>
    /// <param name="pitches">The pitches (piano keys or MIDI notes: the statistics only use differences and means), at least one.</param>
    /// <returns><see cref="StatisticCount"/> values in semitones.</returns>
    /// <exception cref="ArgumentException">The sequence is empty.</exception>
    public static double[] PitchStatistics(IReadOnlyList<int> pitches)
    {
        ArgumentNullException.ThrowIfNull(pitches);
        if (pitches.Count == 0) throw new ArgumentException("The pitch sequence is empty; expected at least one pitch.", nameof(pitches));
        double mean = pitches.Average();
        double std = Math.Sqrt(pitches.Sum(p => (p - mean) * (p - mean)) / pitches.Count);
        double interval = pitches.Count < 2 ? 0 : Enumerable.Range(1, pitches.Count - 1).Average(i => Math.Abs(pitches[i] - pitches[i - 1]));
        return [mean, std, interval, pitches.Max() - pitches.Min()];
    }

    /// <summary>
    /// The MSE between the mean <see cref="PitchStatistics"/> of the generated sequences and of the real ones.
    /// </summary>
    /// <param name="generated">Generated pitch sequences, at least one, none empty.</param>
    /// <param name="real">Real pitch sequences (e.g. the held-out set), at least one, none empty.</param>
    /// <returns>The mean over the statistics of the squared difference, in semitones².</returns>
    /// <exception cref="ArgumentException">A set is empty or holds an empty sequence (the message names the set and the index).</exception>
    public static double PitchStatisticsMse(IReadOnlyList<IReadOnlyList<int>> generated, IReadOnlyList<IReadOnlyList<int>> real)
    {
        var a = MeanStatistics(generated, nameof(generated));
        var b = MeanStatistics(real, nameof(real));
        return Enumerable.Range(0, StatisticCount).Average(k => (a[k] - b[k]) * (a[k] - b[k]));
    }

    private static double[] MeanStatistics(IReadOnlyList<IReadOnlyList<int>> sequences, string name)
    {
        ArgumentNullException.ThrowIfNull(sequences, name);
        if (sequences.Count == 0) throw new ArgumentException($"There are no {name} sequences; expected at least one.", name);
        var sum = new double[StatisticCount];
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i] is null || sequences[i].Count == 0)
                throw new ArgumentException($"{name} sequence {i} is empty; expected at least one pitch.", name);
            var s = PitchStatistics(sequences[i]);
            for (int k = 0; k < StatisticCount; k++) sum[k] += s[k];
        }
        return sum.Select(v => v / sequences.Count).ToArray();
    }
}
