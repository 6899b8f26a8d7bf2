namespace Microsoft.ML.Gan.Tests.Metrics;

/// <summary>
/// BLEU on cases small enough to work out by hand (the expected values in each comment), with NLTK 3.8's
/// <c>sentence_bleu(..., smoothing_function=SmoothingFunction().method1)</c> as the definition.
/// </summary>
[TestClass]
public sealed class TextMetricsTests
{
    private static IReadOnlyList<string> T(string spaced) => spaced.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static IReadOnlyList<IReadOnlyList<string>> Set(params string[] spaced) => spaced.Select(T).ToList();

    [TestMethod]
    public void IdenticalSequenceScoresOne()
    {
        Assert.AreEqual(1.0, TextMetrics.SentenceBleu(T("a b c d e"), Set("a b c d e"), maxN: 4), 1e-12);
    }

    [TestMethod]
    public void CountsAreClippedToTheReference()
    {
        // Papineni et al.'s example: 7 candidate "the", at most 2 in the reference → p1 = 2/7; c = 7 > r = 6, no penalty.
        double bleu1 = TextMetrics.SentenceBleu(T("the the the the the the the"), Set("the cat is on the mat"), maxN: 1);
        Assert.AreEqual(2.0 / 7, bleu1, 1e-12);
    }

    [TestMethod]
    public void ShortCandidatesPayTheBrevityPenalty()
    {
        // p1 = 2/2, p2 = 1/1, c = 2 < r = 4 → BP = exp(1 − 4/2) = e^−1.
        Assert.AreEqual(Math.Exp(-1), TextMetrics.SentenceBleu(T("a b"), Set("a b c d"), maxN: 2), 1e-12);
        // Longer than the reference: no penalty, only the precision (p1 = 4/6, p2 = 3/5 → sqrt(0.4)).
        Assert.AreEqual(Math.Sqrt(4.0 / 6 * 3.0 / 5), TextMetrics.SentenceBleu(T("a b c d x y"), Set("a b c d"), maxN: 2), 1e-12);
    }

    [TestMethod]
    public void ClipsAreTheLargestCountInAnyOneReference()
    {
        // "a a b": the two a's are clipped by "a a d e" (2), b by "a b c" (1) → p1 = 1; "a a" and "a b" each in one
        // reference → p2 = 1; closest reference length 3 → BP = 1. Neither reference alone gives 1.
        var references = Set("a b c", "a a d e");
        Assert.AreEqual(1.0, TextMetrics.SentenceBleu(T("a a b"), references, maxN: 2), 1e-12);
        // Against "a b c" alone: p1 = 2/3, p2 = 1/2.
        Assert.AreEqual(Math.Sqrt(2.0 / 3 * 0.5), TextMetrics.SentenceBleu(T("a a b"), Set("a b c"), maxN: 2), 1e-12);
        // Against "a a d e" alone: p1 = 2/3, p2 = 1/2, and c = 3 < r = 4 → BP = exp(1 − 4/3).
        Assert.AreEqual(Math.Exp(1 - 4.0 / 3) * Math.Sqrt(2.0 / 3 * 0.5), TextMetrics.SentenceBleu(T("a a b"), Set("a a d e"), maxN: 2), 1e-12);
    }

    [TestMethod]
    public void BrevityPenaltyUsesTheClosestReferenceLengthAndTheShorterOnATie()
    {
        // c = 3, references of length 2 and 4 are equally close: NLTK takes 2, so c > r and there is no penalty.
        Assert.AreEqual(1.0, TextMetrics.SentenceBleu(T("a b c"), Set("a b c d", "a b"), maxN: 2), 1e-12);
        // c = 3 against lengths 4 and 6: r = 4, BP = exp(1 − 4/3); p1 = 1, p2 = 1.
        Assert.AreEqual(Math.Exp(1 - 4.0 / 3), TextMetrics.SentenceBleu(T("a b c"), Set("x a b c y z", "a b c d"), maxN: 2), 1e-12);
    }

    [TestMethod]
    public void AMissingOrderIsSmoothedByMethodOne()
    {
        // p1 = 4/4; no bigram of "a b c d" is in "a c b d" → p2 = 0.1 / 3 (epsilon over the 3 candidate bigrams).
        Assert.AreEqual(Math.Sqrt(0.1 / 3), TextMetrics.SentenceBleu(T("a b c d"), Set("a c b d"), maxN: 2), 1e-12);
        // A candidate shorter than the order has no n-grams of it: p3 = 0.1 / 1; p1 = 1, p2 = 1, BP = exp(1 − 3/2).
        Assert.AreEqual(Math.Exp(1 - 1.5) * Math.Pow(0.1, 1.0 / 3), TextMetrics.SentenceBleu(T("a b"), Set("a b c"), maxN: 3), 1e-12);
    }

    [TestMethod]
    public void NoUnigramInCommonScoresZero()
    {
        Assert.AreEqual(0.0, TextMetrics.SentenceBleu(T("x y z"), Set("a b c", "d e f"), maxN: 2));
        Assert.AreEqual(0.0, TextMetrics.SentenceBleu(T(""), Set("a b c"), maxN: 2));
    }

    [TestMethod]
    public void CorpusBleuIsTheMeanOfSentenceBleuAgainstAllReferences()
    {
        var references = Set("a b c d", "b c d e");
        var candidates = Set("a b c d", "a c b d", "x y");
        // 1, then p1 = 1, p2 = 0.1/3 (no bigram of "a c b d" in either reference) → sqrt(1/30), then 0.
        Assert.AreEqual((1 + Math.Sqrt(0.1 / 3) + 0) / 3, TextMetrics.Bleu(candidates, references, maxN: 2), 1e-12);
    }

    [TestMethod]
    public void SelfBleuLeavesEachSequenceOutOfItsOwnReferences()
    {
        // "a b" against {"a b", "c d"} → 1 (twice); "c d" against {"a b", "a b"} → 0. With itself in, all three would be 1.
        Assert.AreEqual(2.0 / 3, TextMetrics.SelfBleu(Set("a b", "a b", "c d"), maxN: 2), 1e-12);
        // Leaving a sequence out also lowers the clip it held: "a a" against "a b" alone → p1 = 1/2, and so does "a b".
        Assert.AreEqual(0.5, TextMetrics.SelfBleu(Set("a a", "a b"), maxN: 1), 1e-12);
        // ... and the reference lengths: "a b" against "a b c d" alone pays BP = e^−1, "a b c d" against "a b" gets p1 = 2/4.
        Assert.AreEqual((Math.Exp(-1) + 0.5) / 2, TextMetrics.SelfBleu(Set("a b", "a b c d"), maxN: 1), 1e-12);
    }

    [TestMethod]
    public void SelfBleuMatchesBleuAgainstTheOthersComputedDirectly()
    {
        var random = new Random(3);
        var sequences = Enumerable.Range(0, 30)
            .Select(_ => (IReadOnlyList<string>)Enumerable.Range(0, random.Next(3, 9)).Select(_ => ((char)('a' + random.Next(5))).ToString()).ToList())
            .ToList();
        double direct = Enumerable.Range(0, sequences.Count)
            .Average(i => TextMetrics.SentenceBleu(sequences[i], sequences.Where((_, j) => j != i).ToList(), maxN: 3));
        Assert.AreEqual(direct, TextMetrics.SelfBleu(sequences, maxN: 3), 1e-12);
    }

    [TestMethod]
    public void TextsAreSplitAsSeqGanSplitsThem()
    {
        // Characters: "春風" and "春雨" share 春 → p1 = 1/2 against "春雨" alone; with both references p1 = 1.
        Assert.AreEqual(0.5, TextMetrics.Bleu(["春風"], ["春雨"], maxN: 1, SeqGanTokenizer.Characters), 1e-12);
        Assert.AreEqual(1.0, TextMetrics.Bleu(["春風"], ["春雨", "秋風"], maxN: 1, SeqGanTokenizer.Characters), 1e-12);
        // White space: pitch numbers as words; "60 62 64" against "60 62 65": p1 = 2/3, p2 = 1/2.
        Assert.AreEqual(Math.Sqrt(2.0 / 3 * 0.5), TextMetrics.Bleu(["60 62 64"], ["60 62 65"], maxN: 2, SeqGanTokenizer.Whitespace), 1e-12);
        Assert.AreEqual(2.0 / 3, TextMetrics.SelfBleu(["春風", "春風", "秋雨"], maxN: 2, SeqGanTokenizer.Characters), 1e-12);
    }

    [TestMethod]
    public void BadInputIsRejectedWithTheReason()
    {
        var ok = Set("a b");
        var noRefs = Assert.ThrowsExactly<ArgumentException>(() => TextMetrics.Bleu(ok, Set(), maxN: 2));
        StringAssert.Contains(noRefs.Message, "no reference");
        var emptyRef = Assert.ThrowsExactly<ArgumentException>(() => TextMetrics.Bleu(ok, Set("a", ""), maxN: 2));
        StringAssert.Contains(emptyRef.Message, "Reference 1");
        Assert.ThrowsExactly<ArgumentException>(() => TextMetrics.Bleu(Set(), ok, maxN: 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TextMetrics.Bleu(ok, ok, maxN: 0));
        var one = Assert.ThrowsExactly<ArgumentException>(() => TextMetrics.SelfBleu(ok, maxN: 2));
        StringAssert.Contains(one.Message, "at least two");
    }
}
