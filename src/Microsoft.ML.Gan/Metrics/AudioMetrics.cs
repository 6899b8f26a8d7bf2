using Microsoft.ML.Gan.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// WaveGAN's evaluation (Donahue et al. 2019, section 5 and the official <c>eval/</c> scripts): the Inception score
/// of a <see cref="DigitClassifier"/>'s predictions, and nearest-neighbour distances between log-mel features that
/// measure the diversity of generated clips (to each other) and how close they come to memorising the training clips.
/// </summary>
public static class AudioMetrics
{
    /// <summary>
    /// The Inception score as the official <c>eval/inception/score.py</c> computes it: the rows are cut, in order, into
    /// <paramref name="splits"/> equal groups; each group's score is <c>exp(mean_i KL(p(y|x_i) ‖ p(y)))</c> with
    /// <c>p(y)</c> the group's mean prediction; the result is the mean and the (population) standard deviation of the
    /// group scores.
    /// </summary>
    /// <param name="probabilities">One row of class probabilities per clip (each row sums to 1).</param>
    /// <param name="splits">Groups (10 in the paper, over 50,000 clips).</param>
    /// <returns>From 1 (every clip predicted alike) to the number of classes (confident and balanced predictions).</returns>
    /// <remarks>A probability of exactly 0 contributes 0 (the limit of <c>p log p</c>), where numpy would give NaN.</remarks>
    /// <exception cref="ArgumentException">The rows are not divisible into <paramref name="splits"/> groups (as the official
    /// script refuses), rows differ in length, or a row holds a negative or non-finite value.</exception>
    public static (double Mean, double StandardDeviation) InceptionScore(IReadOnlyList<float[]> probabilities, int splits = 10)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (splits < 1) throw new ArgumentOutOfRangeException(nameof(splits), splits, "Expected 1 or more splits.");
        if (probabilities.Count == 0 || probabilities.Count % splits != 0)
            throw new ArgumentException($"{probabilities.Count} clips cannot be divided into {splits} equal splits.", nameof(probabilities));
        int classes = probabilities[0].Length;
        for (int i = 0; i < probabilities.Count; i++)
        {
            if (probabilities[i].Length != classes)
                throw new ArgumentException($"Row {i} has {probabilities[i].Length} probabilities; row 0 has {classes}.", nameof(probabilities));
            foreach (float p in probabilities[i])
                if (!(p >= 0) || float.IsInfinity(p))
                    throw new ArgumentException($"Row {i} holds {p}; probabilities must be finite and non-negative.", nameof(probabilities));
        }
        int size = probabilities.Count / splits;
        var scores = new double[splits];
        for (int s = 0; s < splits; s++)
        {
            var marginal = new double[classes];
            for (int i = s * size; i < (s + 1) * size; i++)
                for (int c = 0; c < classes; c++) marginal[c] += probabilities[i][c];
            for (int c = 0; c < classes; c++) marginal[c] /= size;
            double kl = 0;
            for (int i = s * size; i < (s + 1) * size; i++)
                for (int c = 0; c < classes; c++)
                {
                    double p = probabilities[i][c];
                    if (p > 0) kl += p * (Math.Log(p) - Math.Log(marginal[c]));
                }
            scores[s] = Math.Exp(kl / size);
        }
        double mean = scores.Average();
        return (mean, Math.Sqrt(scores.Sum(x => (x - mean) * (x - mean)) / splits));
    }

    /// <summary>
    /// The features the official <c>eval/similarity/feats.py</c> compares: a 128 × 128 log-mel spectrogram (STFT frame
    /// 2,048, hop 128, 128 HTK mel bands 40–7,800 Hz, <c>log(mel + 1e-6)</c>), flattened frame by frame.
    /// </summary>
    /// <param name="clips">Clips of 16,384 samples in [-1, 1].</param>
    /// <remarks>The official script feeds the WAV files' 16-bit integer values, not [-1, 1] floats; the clips are
    /// scaled by 32,767 first so that the 1e-6 floor, and so the distances, are the official ones.</remarks>
    public static float[][] SimilarityFeatures(IReadOnlyList<float[]> clips)
    {
        ArgumentNullException.ThrowIfNull(clips);
        using var mel = new MelSpectrogram(frameLength: 2048, hop: 128);
        var result = new float[clips.Count][];
        const int Batch = 64;
        for (int start = 0; start < clips.Count; start += Batch)
        {
            using var scope = torch.NewDisposeScope();
            using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
            int count = Math.Min(Batch, clips.Count - start);
            var flat = new float[count * DigitClassifier.ClipLength];
            for (int i = 0; i < count; i++)
            {
                var clip = clips[start + i];
                if (clip.Length != DigitClassifier.ClipLength)
                    throw new ArgumentException($"Clip {start + i} has {clip.Length} samples; expected {DigitClassifier.ClipLength}.", nameof(clips));
                clip.CopyTo(flat, i * DigitClassifier.ClipLength);
            }
            var features = mel.Forward(torch.tensor(flat, count, DigitClassifier.ClipLength) * 32767f).flatten(1);
            var values = features.data<float>().ToArray();
            int width = (int)features.shape[1];
            for (int i = 0; i < count; i++) result[start + i] = values.AsSpan(i * width, width).ToArray();
        }
        return result;
    }

    /// <summary>
    /// Mean and standard deviation, over the queries, of the Euclidean distance to the nearest reference vector:
    /// memorisation when the queries are generated clips' <see cref="SimilarityFeatures"/> and the references the
    /// training clips' (small means the generator copies training clips).
    /// </summary>
    public static (double Mean, double StandardDeviation) NearestNeighbourDistance(IReadOnlyList<float[]> queries, IReadOnlyList<float[]> references) =>
        Summarise(Nearest(queries, references, excludeSelf: false));

    /// <summary>
    /// Mean and standard deviation of each vector's Euclidean distance to its nearest other vector of the same set:
    /// the paper's diversity measure on generated clips' <see cref="SimilarityFeatures"/> (small means mode collapse).
    /// </summary>
    /// <remarks>
    /// The official <c>sim.py</c> asks a ball tree for two neighbours and drops the first when its distance is 0, the
    /// query itself; this skips the query by index, which gives the same distances (an exact duplicate elsewhere in
    /// the set still counts, at distance 0).
    /// </remarks>
    public static (double Mean, double StandardDeviation) NearestNeighbourDistanceWithin(IReadOnlyList<float[]> vectors)
    {
        if (vectors is { Count: < 2 }) throw new ArgumentException($"Diversity needs at least 2 vectors; got {vectors.Count}.", nameof(vectors));
        return Summarise(Nearest(vectors, vectors, excludeSelf: true));
    }

    private static double[] Nearest(IReadOnlyList<float[]> queries, IReadOnlyList<float[]> references, bool excludeSelf)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(references);
        if (queries.Count == 0) throw new ArgumentException("No query vectors.", nameof(queries));
        if (references.Count == 0) throw new ArgumentException("No reference vectors.", nameof(references));
        int width = queries[0].Length;
        foreach (var (set, name) in new[] { (queries, nameof(queries)), (references, nameof(references)) })
            for (int i = 0; i < set.Count; i++)
                if (set[i].Length != width)
                    throw new ArgumentException($"Vector {i} of {name} has {set[i].Length} values; query 0 has {width}.", name);
        var best = Enumerable.Repeat(double.PositiveInfinity, queries.Count).ToArray();
        // Chunks of a few hundred vectors keep memory small for training sets of thousands of 16,384-value features;
        // double precision keeps near-duplicates' small distances accurate.
        const int Chunk = 256;
        for (int q0 = 0; q0 < queries.Count; q0 += Chunk)
        {
            int qn = Math.Min(Chunk, queries.Count - q0);
            using var scope = torch.NewDisposeScope();
            var q = Matrix(queries, q0, qn, width);
            for (int r0 = 0; r0 < references.Count; r0 += Chunk)
            {
                using var inner = torch.NewDisposeScope();
                using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
                int rn = Math.Min(Chunk, references.Count - r0);
                var distances = torch.cdist(q, Matrix(references, r0, rn, width));
                var values = distances.data<double>().ToArray();
                for (int i = 0; i < qn; i++)
                    for (int j = 0; j < rn; j++)
                    {
                        if (excludeSelf && q0 + i == r0 + j) continue;
                        best[q0 + i] = Math.Min(best[q0 + i], values[i * rn + j]);
                    }
            }
        }
        return best;
    }

    private static Tensor Matrix(IReadOnlyList<float[]> vectors, int start, int count, int width)
    {
        var flat = new double[count * width];
        for (int i = 0; i < count; i++)
            for (int k = 0; k < width; k++) flat[i * width + k] = vectors[start + i][k];
        return torch.tensor(flat, count, width);
    }

    private static (double Mean, double StandardDeviation) Summarise(double[] distances)
    {
        double mean = distances.Average();
        return (mean, Math.Sqrt(distances.Sum(d => (d - mean) * (d - mean)) / distances.Length));
    }
}
