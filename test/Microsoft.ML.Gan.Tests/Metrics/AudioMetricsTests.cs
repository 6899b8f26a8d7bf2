using TorchSharp;

namespace Microsoft.ML.Gan.Tests.Metrics;

[TestClass]
public sealed class AudioMetricsTests
{
    private static float[][] Rows(int count, Func<int, float[]> row) => Enumerable.Range(0, count).Select(row).ToArray();

    [TestMethod]
    public void InceptionScore_UniformPredictions_IsOne()
    {
        var (mean, std) = AudioMetrics.InceptionScore(Rows(50, _ => Enumerable.Repeat(0.1f, 10).ToArray()));
        Assert.AreEqual(1.0, mean, 1e-6);
        Assert.AreEqual(0.0, std, 1e-6);
    }

    [TestMethod]
    public void InceptionScore_ConfidentBalancedPredictions_IsTheClassCount()
    {
        // 10 splits of 10 rows, each split one row per class.
        var (mean, std) = AudioMetrics.InceptionScore(Rows(100, i => Enumerable.Range(0, 10).Select(c => c == i % 10 ? 1f : 0f).ToArray()));
        Assert.AreEqual(10.0, mean, 1e-9);
        Assert.AreEqual(0.0, std, 1e-9);
        // Every row the same confident class: no diversity, score 1.
        Assert.AreEqual(1.0, AudioMetrics.InceptionScore(Rows(20, _ => [0f, 1f, 0f])).Mean, 1e-9);
    }

    [TestMethod]
    public void InceptionScore_TwoSplits_ByHand()
    {
        // Split 1: rows (0.5, 0.5) and (1, 0); p(y) = (0.75, 0.25);
        //   KL = [0.5 ln(0.5/0.75) + 0.5 ln(0.5/0.25) + 1 ln(1/0.75)] / 2 = 0.2157616, score e^KL = 1.2408064.
        // Split 2: rows (1, 0) and (0, 1): score 2. Mean 1.6204032, population std 0.3795968.
        float[][] p = [[0.5f, 0.5f], [1f, 0f], [1f, 0f], [0f, 1f]];
        var (mean, std) = AudioMetrics.InceptionScore(p, splits: 2);
        double first = Math.Exp((0.5 * Math.Log(0.5 / 0.75) + 0.5 * Math.Log(2) + Math.Log(1 / 0.75)) / 2);
        Assert.AreEqual(1.2408064, first, 1e-6);
        Assert.AreEqual((first + 2) / 2, mean, 1e-9);
        Assert.AreEqual((2 - first) / 2, std, 1e-9);
    }

    [TestMethod]
    public void InceptionScore_BadInput_Throws()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => AudioMetrics.InceptionScore(Rows(15, _ => [0.5f, 0.5f])));
        StringAssert.Contains(e.Message, "15 clips cannot be divided into 10 equal splits");
        e = Assert.ThrowsExactly<ArgumentException>(() => AudioMetrics.InceptionScore([[0.5f, 0.5f], [1f]], splits: 1));
        StringAssert.Contains(e.Message, "Row 1 has 1 probabilities");
        e = Assert.ThrowsExactly<ArgumentException>(() => AudioMetrics.InceptionScore([[float.NaN, 1f]], splits: 1));
        StringAssert.Contains(e.Message, "Row 0 holds NaN");
    }

    [TestMethod]
    public void NearestNeighbourDistance_ByHand()
    {
        // (0,0) → (0,1): 1; (6,4) → (6,8): 4 (not (0,1): √45). Mean 2.5, population std 1.5.
        var (mean, std) = AudioMetrics.NearestNeighbourDistance([[0f, 0f], [6f, 4f]], [[0f, 1f], [6f, 8f], [100f, 100f]]);
        Assert.AreEqual(2.5, mean, 1e-9);
        Assert.AreEqual(1.5, std, 1e-9);
    }

    [TestMethod]
    public void NearestNeighbourDistanceWithin_SkipsItselfButNotDuplicates()
    {
        // (0,0) → (3,4): 5; (3,4) ↔ (3,5): 1 each. Mean 7/3.
        var (mean, _) = AudioMetrics.NearestNeighbourDistanceWithin([[0f, 0f], [3f, 4f], [3f, 5f]]);
        Assert.AreEqual(7.0 / 3, mean, 1e-9);
        // A set of copies has collapsed: every clip's nearest other clip is at distance 0.
        Assert.AreEqual(0.0, AudioMetrics.NearestNeighbourDistanceWithin([[1f, 2f], [1f, 2f]]).Mean, 1e-12);
        var e = Assert.ThrowsExactly<ArgumentException>(() => AudioMetrics.NearestNeighbourDistanceWithin([[1f, 2f]]));
        StringAssert.Contains(e.Message, "at least 2");
        e = Assert.ThrowsExactly<ArgumentException>(() => AudioMetrics.NearestNeighbourDistance([[1f, 2f]], [[1f]]));
        StringAssert.Contains(e.Message, "Vector 0 of references has 1 values");
    }

    [TestMethod]
    public void SimilarityFeatures_AreA128By128LogMel_AndSeparateDifferentSounds()
    {
        var features = AudioMetrics.SimilarityFeatures([Sine(440), Sine(440), Sine(3000)]);
        Assert.AreEqual(128 * 128, features[0].Length);
        CollectionAssert.AreEqual(features[0], features[1]);
        var (same, _) = AudioMetrics.NearestNeighbourDistance([features[0]], [features[1]]);
        var (other, _) = AudioMetrics.NearestNeighbourDistance([features[0]], [features[2]]);
        Assert.AreEqual(0.0, same, 1e-9);
        Assert.IsTrue(other > 100, $"distance between a 440 Hz and a 3 kHz tone: {other}");
    }

    [TestMethod]
    public void MelSpectrogram_ToneLandsInTheBandCentredOnIt()
    {
        using var mel = new MelSpectrogram(frameLength: 1024, hop: 128);
        using var features = mel.Forward(torch.tensor(Sine(1000), 1, DigitClassifier.ClipLength));
        CollectionAssert.AreEqual(new long[] { 1, 128, 128 }, features.shape);
        // Band centres are equally spaced in HTK mel between 40 and 7800 Hz; the loudest band in a middle frame is
        // the one whose centre is nearest 1 kHz.
        static double Mel(double f) => 1127 * Math.Log(1 + f / 700);
        double low = Mel(40), high = Mel(7800);
        int expected = Enumerable.Range(0, 128).MinBy(m => Math.Abs(low + (high - low) * (m + 1) / 129 - Mel(1000)));
        var frame = features[0, 64].data<float>().ToArray();
        Assert.AreEqual(expected, DigitClassifier.ArgMax(frame));
        var weights = MelSpectrogram.MelWeights(513, 128, 16000, 40, 7800);
        Assert.IsTrue(weights.Take(128).All(w => w == 0), "the DC bin has no weight");
        Assert.IsTrue(weights.All(w => w is >= 0 and <= 1));
    }

    internal static float[] Sine(double hertz, double amplitude = 0.5) =>
        Enumerable.Range(0, DigitClassifier.ClipLength).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hertz * i / 16000))).ToArray();
}

[TestClass]
public sealed class DigitClassifierTests
{
    [TestMethod]
    public void ParameterCount_MatchesTheOfficialNetwork()
    {
        // BN(128) 256 + conv 1→128 3,328 + 3 × [BN(128) 256 + conv 128→128 409,728] + BN(8192) 16,384 + dense 81,930.
        using var classifier = new DigitClassifier();
        long trainable = classifier.parameters().Sum(p => p.numel());
        Assert.AreEqual(1_331_850L, trainable);
    }

    [TestMethod]
    public void Forward_GivesOneLogitPerClass_AndRejectsOtherLengths()
    {
        torch.manual_seed(1);
        using var classifier = new DigitClassifier(classes: 10);
        classifier.eval();
        using var logits = classifier.forward(torch.randn(3, DigitClassifier.ClipLength) * 0.1f);
        CollectionAssert.AreEqual(new long[] { 3, 10 }, logits.shape);
        var probabilities = classifier.Predict([AudioMetricsTests.Sine(300), AudioMetricsTests.Sine(900)], batchSize: 1);
        Assert.AreEqual(2, probabilities.Length);
        Assert.AreEqual(1.0, probabilities[0].Sum(), 1e-5);
        var e = Assert.ThrowsExactly<ArgumentException>(() => classifier.Predict([new float[16000]]));
        StringAssert.Contains(e.Message, "Clip 0 has 16000 samples; the digit classifier takes 16384");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => classifier.Predict([AudioMetricsTests.Sine(300)], batchSize: 0));

        // Training names the clip by its place in the list (not in a shuffled batch), before any step.
        var clips = Enumerable.Range(0, 8).Select(i => AudioMetricsTests.Sine(200 + 50 * i)).ToList();
        clips[6] = new float[100];
        var before = classifier.parameters().Select(p => p.clone()).ToList();
        var fit = Assert.ThrowsExactly<ArgumentException>(() => classifier.Fit(clips, Enumerable.Range(0, 8).Select(i => i % 10).ToList(), steps: 3, batchSize: 4));
        StringAssert.Contains(fit.Message, "Clip 6 has 100 samples");
        Assert.IsTrue(before.Zip(classifier.parameters()).All(p => p.First.allclose(p.Second, rtol: 0, atol: 0)), "No step ran.");
    }

    [TestMethod]
    public void Fit_LowersTheLoss_AndSaveLoadKeepsThePredictions()
    {
        torch.manual_seed(2);
        using var classifier = new DigitClassifier(classes: 2, batchNormMomentum: 0.5);
        float[][] clips = [AudioMetricsTests.Sine(400), AudioMetricsTests.Sine(420, 0.3), AudioMetricsTests.Sine(3000), AudioMetricsTests.Sine(3100, 0.3)];
        int[] labels = [0, 0, 1, 1];
        var losses = classifier.Fit(clips, labels, steps: 4, batchSize: 4, learningRate: 1e-3, adam: true, seed: 1);
        Assert.AreEqual(4, losses.Count);
        Assert.IsTrue(losses[^1] < losses[0] * 0.5, $"loss {losses[0]} → {losses[^1]}");

        string path = Path.Combine(TestSupport.TempDirectory(), "digits.bin");
        classifier.Save(path);
        using var loaded = DigitClassifier.Load(path, classes: 2);
        var before = classifier.Predict(clips);
        var after = loaded.Predict(clips);
        for (int i = 0; i < clips.Length; i++) CollectionAssert.AreEqual(before[i], after[i]);

        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => DigitClassifier.Load(path + ".none"));
        StringAssert.Contains(missing.Message, "digits.bin.none");
        var wrong = Assert.ThrowsExactly<InvalidDataException>(() => DigitClassifier.Load(path, classes: 10));
        StringAssert.Contains(wrong.Message, "is not a saved 10-class digit classifier");
        var bad = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => classifier.Fit(clips, [0, 0, 1, 2], steps: 1, batchSize: 4));
        StringAssert.Contains(bad.Message, "Label 3 is 2; expected 0 to 1");
    }
}
