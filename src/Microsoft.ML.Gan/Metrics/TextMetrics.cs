namespace Microsoft.ML.Gan;

/// <summary>
/// N-gram overlap metrics for generated token sequences (text as characters or words, music as pitch tokens), as the
/// SeqGAN paper reports them: BLEU of each generated sequence against a whole set of real sequences, averaged.
/// </summary>
/// <remarks>
/// <para>The SeqGAN paper says only that BLEU uses the whole test set as references; its official repository releases
/// the synthetic experiment, not the poem evaluation. The protocol here is the one of the authors' group's evaluation
/// platform, which re-implements SeqGAN (Texygen, Zhu et al. 2018, <c>utils/metrics/Bleu.py</c>): NLTK's
/// <c>sentence_bleu(references, candidate, weights, smoothing_function=SmoothingFunction().method1)</c> for every
/// candidate, with <b>all</b> reference sequences as its references and equal weights 1/N over the orders 1..N, then
/// the plain mean over candidates. <see cref="SentenceBleu"/> computes NLTK 3.8's <c>sentence_bleu</c> exactly:</para>
/// <list type="bullet">
/// <item>modified precision p_n: each candidate n-gram's count is clipped to its largest count in any one reference,
/// summed, and divided by the candidate's number of n-grams (at least 1);</item>
/// <item>no unigram in common with any reference: the score is 0;</item>
/// <item>smoothing "method1": a p_n whose clipped count is 0 becomes 0.1 / (number of candidate n-grams), so one
/// missing order does not zero the geometric mean;</item>
/// <item>brevity penalty exp(1 − r / c) when the candidate length c is at most the closest reference length r (ties
/// go to the shorter reference), 1 when c &gt; r.</item>
/// </list>
/// <para>With many references the clip of an n-gram (its largest count in any one reference) does not depend on the
/// candidate, so it is computed once: scoring k candidates against m references costs O((k + m) · length · N), not
/// O(k · m · length · N), and the paper's protocol (every test poem a reference) needs no subsampling.</para>
/// </remarks>
public static class TextMetrics
{
    // NLTK's SmoothingFunction default epsilon, used by method1.
    private const double SmoothingEpsilon = 0.1;

    /// <summary>
    /// BLEU-<paramref name="maxN"/> of each candidate against all references, averaged over the candidates
    /// (the SeqGAN paper's BLEU: BLEU-2 for Chinese poems, BLEU-3 for speeches, BLEU-4 for music).
    /// </summary>
    /// <param name="candidates">The generated sequences, each a list of tokens.</param>
    /// <param name="references">The real sequences, every one a reference for every candidate (e.g. the whole test set).</param>
    /// <param name="maxN">The largest n-gram order; the weights are 1/<paramref name="maxN"/> each.</param>
    /// <returns>The mean sentence BLEU, in [0, 1].</returns>
    /// <exception cref="ArgumentException">No candidates, no references, an empty reference, or <paramref name="maxN"/> below 1.</exception>
    /// <example>
    /// <code>
    /// // Characters as tokens, as for Chinese poems.
    /// var generated = samples.Select(s => (IReadOnlyList&lt;string&gt;)s.Select(c => c.ToString()).ToList()).ToList();
    /// var heldOut = testPoems.Select(s => (IReadOnlyList&lt;string&gt;)s.Select(c => c.ToString()).ToList()).ToList();
    /// double bleu2 = TextMetrics.Bleu(generated, heldOut, maxN: 2);
    /// </code>
    /// </example>
    public static double Bleu(IReadOnlyList<IReadOnlyList<string>> candidates, IReadOnlyList<IReadOnlyList<string>> references, int maxN = 4)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0) throw new ArgumentException("There are no candidate sequences to score.", nameof(candidates));
        var table = new ReferenceTable(references, maxN, nameof(references));
        double sum = 0;
        for (int i = 0; i < candidates.Count; i++)
            sum += table.Score(CheckSequence(candidates[i], i, nameof(candidates)), exclude: -1);
        return sum / candidates.Count;
    }

    /// <summary>
    /// BLEU-<paramref name="maxN"/> of one candidate against its references, exactly as NLTK 3.8's
    /// <c>sentence_bleu</c> with equal weights and <c>SmoothingFunction().method1</c>.
    /// </summary>
    /// <param name="candidate">The candidate's tokens (may be empty: its score is 0).</param>
    /// <param name="references">Its references, at least one, none empty.</param>
    /// <param name="maxN">The largest n-gram order, at least 1.</param>
    /// <returns>The score in [0, 1].</returns>
    /// <exception cref="ArgumentException">No references, an empty reference, or <paramref name="maxN"/> below 1.</exception>
    public static double SentenceBleu(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references, int maxN = 4)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return new ReferenceTable(references, maxN, nameof(references)).Score(CheckSequence(candidate, 0, nameof(candidate)), exclude: -1);
    }

    /// <summary>
    /// Self-BLEU (Zhu et al., Texygen 2018): each sequence scored against all the <i>other</i> sequences of the set,
    /// averaged. On generated samples it measures diversity (higher = more alike, 1 = mode collapse); on a held-out
    /// set of real sequences it is the BLEU a real sample gets against real references, the reference point for
    /// <see cref="Bleu(IReadOnlyList{IReadOnlyList{string}}, IReadOnlyList{IReadOnlyList{string}}, int)"/>.
    /// </summary>
    /// <param name="sequences">At least two sequences, none empty.</param>
    /// <param name="maxN">The largest n-gram order, at least 1.</param>
    /// <returns>The mean sentence BLEU, in [0, 1].</returns>
    /// <exception cref="ArgumentException">Fewer than two sequences, an empty one, or <paramref name="maxN"/> below 1.</exception>
    public static double SelfBleu(IReadOnlyList<IReadOnlyList<string>> sequences, int maxN = 4)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count < 2)
            throw new ArgumentException($"Self-BLEU needs at least two sequences (each is scored against the others); found {sequences.Count}.", nameof(sequences));
        var table = new ReferenceTable(sequences, maxN, nameof(sequences));
        double sum = 0;
        for (int i = 0; i < sequences.Count; i++) sum += table.Score(sequences[i], exclude: i);
        return sum / sequences.Count;
    }

    /// <summary>
    /// <see cref="Bleu(IReadOnlyList{IReadOnlyList{string}}, IReadOnlyList{IReadOnlyList{string}}, int)"/> of texts split
    /// into tokens as SeqGAN splits them: characters for Chinese poems, white space for words or pitch numbers.
    /// </summary>
    /// <param name="candidates">The generated texts.</param>
    /// <param name="references">The real texts, every one a reference for every candidate.</param>
    /// <param name="maxN">The largest n-gram order.</param>
    /// <param name="tokenizer">How to split the texts (as the model was trained).</param>
    /// <example>
    /// <code>
    /// var poems = PoemDataset.Open("data/poems");
    /// double bleu2 = TextMetrics.Bleu(generatedPoems, poems.Test, maxN: 2, SeqGanTokenizer.Characters);
    /// </code>
    /// </example>
    public static double Bleu(IReadOnlyList<string> candidates, IReadOnlyList<string> references, int maxN, SeqGanTokenizer tokenizer) =>
        Bleu(Split(candidates, tokenizer, nameof(candidates)), Split(references, tokenizer, nameof(references)), maxN);

    /// <summary><see cref="SelfBleu(IReadOnlyList{IReadOnlyList{string}}, int)"/> of texts split into tokens as SeqGAN splits them.</summary>
    /// <param name="texts">At least two texts.</param>
    /// <param name="maxN">The largest n-gram order.</param>
    /// <param name="tokenizer">How to split the texts.</param>
    public static double SelfBleu(IReadOnlyList<string> texts, int maxN, SeqGanTokenizer tokenizer) =>
        SelfBleu(Split(texts, tokenizer, nameof(texts)), maxN);

    private static IReadOnlyList<IReadOnlyList<string>> Split(IReadOnlyList<string> texts, SeqGanTokenizer tokenizer, string parameter)
    {
        ArgumentNullException.ThrowIfNull(texts, parameter);
        return texts.Select((t, i) => (IReadOnlyList<string>)Data.TokenColumn.Split(
            (t ?? throw new ArgumentException($"Text {i} of {parameter} is null.", parameter)).AsSpan(), tokenizer)).ToList();
    }

    private static IReadOnlyList<string> CheckSequence(IReadOnlyList<string>? sequence, int index, string parameter)
    {
        if (sequence is null) throw new ArgumentException($"Sequence {index} of {parameter} is null.", parameter);
        for (int t = 0; t < sequence.Count; t++)
            if (sequence[t] is null) throw new ArgumentException($"Sequence {index} of {parameter} has a null token at position {t}.", parameter);
        return sequence;
    }

    // N-grams are keyed by their tokens joined with a separator no tokenizer here produces (a control character), which
    // keeps the table a plain Dictionary<string, …>.
    private static string Key(IReadOnlyList<string> tokens, int start, int n) =>
        n == 1 ? tokens[start] : string.Join('\u001F', Enumerable.Range(start, n).Select(i => tokens[i]));

    /// <summary>
    /// For every n-gram of the references: its largest count in one reference, which reference holds it, and the
    /// second largest count in another reference (what the clip becomes when that reference is left out, for Self-BLEU).
    /// </summary>
    private sealed class ReferenceTable
    {
        private readonly int _maxN;
        private readonly Dictionary<string, Clip>[] _clips;
        // Reference lengths, ascending, with how many references have each (for the brevity penalty's closest length,
        // also when one reference is left out).
        private readonly SortedDictionary<int, int> _lengthCounts = new();
        private readonly int[] _lengths;

        public ReferenceTable(IReadOnlyList<IReadOnlyList<string>> references, int maxN, string parameter)
        {
            ArgumentNullException.ThrowIfNull(references, parameter);
            if (maxN < 1) throw new ArgumentOutOfRangeException(nameof(maxN), maxN, "The largest n-gram order must be at least 1.");
            if (references.Count == 0) throw new ArgumentException("There are no reference sequences.", parameter);
            _maxN = maxN;
            _clips = Enumerable.Range(0, maxN).Select(_ => new Dictionary<string, Clip>()).ToArray();
            _lengths = new int[references.Count];
            var counts = new Dictionary<string, int>();
            for (int r = 0; r < references.Count; r++)
            {
                var reference = CheckSequence(references[r], r, parameter);
                if (reference.Count == 0)
                    throw new ArgumentException($"Reference {r} of {parameter} is empty; references need at least one token.", parameter);
                _lengths[r] = reference.Count;
                _lengthCounts[reference.Count] = _lengthCounts.GetValueOrDefault(reference.Count) + 1;
                for (int n = 1; n <= maxN; n++)
                {
                    counts.Clear();
                    for (int start = 0; start + n <= reference.Count; start++)
                    {
                        var key = Key(reference, start, n);
                        counts[key] = counts.GetValueOrDefault(key) + 1;
                    }
                    var clips = _clips[n - 1];
                    foreach (var (key, count) in counts)
                        clips[key] = clips.TryGetValue(key, out var clip) ? clip.With(count, r) : new Clip(count, r, 0);
                }
            }
        }

        /// <summary>NLTK's sentence_bleu of <paramref name="candidate"/>, leaving reference <paramref name="exclude"/> out (−1: none).</summary>
        public double Score(IReadOnlyList<string> candidate, int exclude)
        {
            int length = candidate.Count;
            var counts = new Dictionary<string, int>();
            double logSum = 0;
            for (int n = 1; n <= _maxN; n++)
            {
                counts.Clear();
                for (int start = 0; start + n <= length; start++)
                {
                    var key = Key(candidate, start, n);
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
                int clipped = 0;
                var clips = _clips[n - 1];
                foreach (var (key, count) in counts)
                    if (clips.TryGetValue(key, out var clip)) clipped += Math.Min(count, clip.Without(exclude));
                int total = Math.Max(1, length - n + 1);
                // NLTK returns 0 outright when no unigram matches, before any smoothing.
                if (n == 1 && clipped == 0) return 0;
                double precision = clipped == 0 ? SmoothingEpsilon / total : (double)clipped / total;
                logSum += Math.Log(precision) / _maxN;
            }
            return BrevityPenalty(length, ClosestReferenceLength(length, exclude)) * Math.Exp(logSum);
        }

        private static double BrevityPenalty(int candidateLength, int referenceLength)
        {
            if (candidateLength > referenceLength) return 1;
            if (candidateLength == 0) return 0;
            return Math.Exp(1 - (double)referenceLength / candidateLength);
        }

        private int ClosestReferenceLength(int candidateLength, int exclude)
        {
            int best = -1;
            foreach (var (referenceLength, count) in _lengthCounts)
            {
                if (exclude >= 0 && _lengths[exclude] == referenceLength && count == 1) continue;
                // Ascending order, so on a tie the shorter length, found first, stays (as NLTK's min over (|r − c|, r)).
                if (best < 0 || Math.Abs(referenceLength - candidateLength) < Math.Abs(best - candidateLength)) best = referenceLength;
            }
            return best;
        }
    }

    /// <summary>An n-gram's largest count in one reference (<see cref="Max"/>, in <see cref="Holder"/>) and the largest in any other.</summary>
    private readonly record struct Clip(int Max, int Holder, int Second)
    {
        public Clip With(int count, int reference) =>
            count > Max ? new Clip(count, reference, Max) : new Clip(Max, Holder, Math.Max(Second, count));

        public int Without(int exclude) => exclude == Holder ? Second : Max;
    }
}
