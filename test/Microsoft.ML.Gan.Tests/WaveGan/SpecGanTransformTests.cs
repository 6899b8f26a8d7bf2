using Microsoft.ML.Gan.WaveGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.WaveGan;

[TestClass]
public sealed class SpecGanTransformTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// ln(|X| + 10⁻⁶) of TensorFlow's stft(x, 256, 128, pad_end=True), by the textbook DFT in double precision:
    /// [frame, bin], 128 frames × 129 bins.
    /// </summary>
    private static double[,] ReferenceLogMagnitude(float[] clip)
    {
        var padded = new double[16512];
        for (int i = 0; i < clip.Length; i++) padded[i] = clip[i];
        var result = new double[128, 129];
        for (int t = 0; t < 128; t++)
            for (int k = 0; k < 129; k++)
            {
                double re = 0, im = 0;
                for (int n = 0; n < 256; n++)
                {
                    double w = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / 256), angle = 2 * Math.PI * k * n / 256;
                    re += w * padded[t * 128 + n] * Math.Cos(angle);
                    im -= w * padded[t * 128 + n] * Math.Sin(angle);
                }
                result[t, k] = Math.Log(Math.Sqrt(re * re + im * im) + 1e-6);
            }
        return result;
    }

    private static float[] Noise(int seed, float amplitude)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 16384).Select(_ => amplitude * (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static Tensor Clips(params float[][] clips) => stack(clips.Select(c => tensor(c)).ToArray()).unsqueeze(1);

    /// <summary>A test tone: 440 Hz and its third harmonic, with a decaying envelope.</summary>
    private static float[] Tone() => Enumerable.Range(0, 16384).Select(i =>
    {
        double t = i / 16000.0;
        return (float)(Math.Exp(-2 * t) * (0.5 * Math.Sin(2 * Math.PI * 440 * t) + 0.2 * Math.Sin(2 * Math.PI * 1320 * t)));
    }).ToArray();

    [TestMethod]
    public void TheStftIsTensorFlowsWithPadEnd()
    {
        using var _ = NewDisposeScope();
        using var stft = new ShortTimeFourierTransform(CPU);
        var clip = Noise(1, 0.8f);
        var ours = SpecGanTransform.LogMagnitude(stft, Clips(clip));
        CollectionAssert.AreEqual(new long[] { 1, 128, 129 }, ours.shape, "[clip, frame, bin]");
        var reference = ReferenceLogMagnitude(clip);
        var values = ours[0].data<float>().ToArray();
        double worst = 0;
        for (int t = 0; t < 128; t++)
            for (int k = 0; k < 129; k++)
                worst = Math.Max(worst, Math.Abs(values[t * 129 + k] - reference[t, k]));
        Assert.IsTrue(worst < 1e-3, $"Largest log-magnitude difference {worst}.");
    }

    [TestMethod]
    public void TheInverseStftUndoesTheStftExactly()
    {
        using var _ = NewDisposeScope();
        using var stft = new ShortTimeFourierTransform(CPU);
        var x = Clips(Noise(2, 1f)).squeeze(1);
        var back = stft.Inverse(stft.Forward(x, padEnd: true));
        Assert.AreEqual(16512L, back.shape[1]);
        // Samples 128 … 16383 lie under two frames; the first 128 only under the first, whose window starts at 0.
        var error = (back.narrow(1, 128, 16384 - 128) - x.narrow(1, 128, 16384 - 128)).abs().max().item<float>();
        Assert.IsTrue(error < 1e-4f, $"Largest reconstruction error {error}.");
    }

    /// <summary>A linear sweep from <paramref name="from"/> Hz to <paramref name="to"/> Hz over the slice.</summary>
    private static float[] Chirp(double from, double to) => Enumerable.Range(0, 16384).Select(i =>
    {
        double t = i / 16000.0;
        return (float)(0.5 * Math.Sin(2 * Math.PI * (from * t + (to - from) / 2 * t * t * 16000 / 16384)));
    }).ToArray();

    private static double GriffinLimConvergence(ShortTimeFourierTransform stft, float[] clip, int iterations)
    {
        using var _ = NewDisposeScope();
        var x = tensor(clip).unsqueeze(0);
        var magnitude = ShortTimeFourierTransform.Magnitude(stft.Forward(x, padEnd: true));
        return GriffinLim.SpectralConvergence(stft, GriffinLim.Invert(stft, magnitude, iterations).narrow(1, 0, 16384), magnitude);
    }

    [TestMethod]
    public void GriffinLimReconstructsTestTonesAsTheReferenceDoes()
    {
        using var stft = new ShortTimeFourierTransform(CPU);
        // Reference values: griffin_lim_reference.py (NumPy FFT, float64), the official algorithm with this inverse window.
        double chirp = GriffinLimConvergence(stft, Chirp(200, 4000), GriffinLim.OfficialIterations);
        double toneZeroPhase = GriffinLimConvergence(stft, Tone(), 0);
        double tone = GriffinLimConvergence(stft, Tone(), GriffinLim.OfficialIterations);
        TestContext.WriteLine($"spectral convergence after 16 iterations: chirp {chirp:F4}, tone {tone:F4} (zero phase {toneZeroPhase:F4})");
        Assert.IsTrue(chirp < 0.12, $"A sweep keeps a spectral convergence of {chirp} after 16 iterations.");
        Assert.AreEqual(0.0997, chirp, 0.01, "chirp, 16 iterations");
        Assert.AreEqual(0.9754, toneZeroPhase, 0.005, "tone, zero phase");
        // A steady tone is Griffin-Lim's slow case from zero phase: its phase must turn by about π a hop.
        Assert.AreEqual(0.4444, tone, 0.01, "tone, 16 iterations");
    }

    [TestMethod]
    public void MomentsAreEachBinsMeanAndPopulationStdOverAllFrames()
    {
        using var _ = NewDisposeScope();
        var clips = new[] { Noise(3, 1f), Noise(4, 0.25f), Tone() };
        using var transform = SpecGanTransform.FromClips(Clips(clips), CPU, batchSize: 2);
        var references = clips.Select(ReferenceLogMagnitude).ToArray();
        var mean = transform.Mean.data<float>().ToArray();
        var std = transform.Std.data<float>().ToArray();
        Assert.AreEqual(129, mean.Length);
        for (int k = 0; k < 129; k++)
        {
            var values = references.SelectMany(r => Enumerable.Range(0, 128).Select(t => r[t, k])).ToArray();
            double m = values.Average(), s = Math.Sqrt(values.Select(v => (v - m) * (v - m)).Average());
            // Relative as well: the tone leaves bins near 10⁻⁶, whose logarithm magnifies float rounding.
            Assert.AreEqual(m, mean[k], 1e-3 * (1 + Math.Abs(m)), $"mean of bin {k}");
            Assert.AreEqual(s, std[k], 1e-3 * (1 + s), $"std of bin {k}");
        }

        // t_to_f: (log-magnitude − mean) / std / 3, clipped to ±1, Nyquist dropped; frames as rows.
        var image = transform.ToSpectrogram(Clips(clips[1]));
        CollectionAssert.AreEqual(new long[] { 1, 1, 128, 128 }, image.shape);
        var pixels = image.data<float>().ToArray();
        foreach (var (t, k) in new[] { (0, 0), (5, 7), (64, 100), (127, 127), (127, 3) })
        {
            double expected = Math.Clamp((references[1][t, k] - mean[k]) / std[k] / 3, -1, 1);
            Assert.AreEqual(expected, pixels[t * 128 + k], 1e-3, $"frame {t}, bin {k}");
        }
    }

    [TestMethod]
    public void AConstantBinNormalisesToZeroAndInvertsToItsConstant()
    {
        using var _ = NewDisposeScope();
        // Silence: every bin is ln(10⁻⁶) in every frame, so every standard deviation is 0.
        using var transform = SpecGanTransform.FromClips(zeros(2, 1, 16384), CPU);
        Assert.AreEqual(Math.Log(1e-6), transform.Mean.mean().item<float>(), 1e-4);
        Assert.IsTrue((transform.Std == 1).all().item<bool>(), "A zero deviation is replaced by 1.");
        Assert.AreEqual(0f, transform.ToSpectrogram(zeros(1, 1, 16384)).abs().max().item<float>());
        var waveform = transform.ToWaveform(zeros(1, 1, 128, 128));
        CollectionAssert.AreEqual(new long[] { 1, 1, 16384 }, waveform.shape);
        Assert.IsTrue(waveform.abs().max().item<float>() < 1e-4f, "Magnitudes of 10⁻⁶ make a near-silent clip.");
    }

    [TestMethod]
    public void NormalisedSpectrogramsOfTheTrainingSetInvertToTheirSound()
    {
        using var _ = NewDisposeScope();
        // Sweeps over several ranges: the moments spread, so less is clipped at 3σ.
        var clips = Enumerable.Range(0, 8).Select(i => Chirp(100 + 150 * i, 1000 + 400 * i)).ToArray();
        using var transform = SpecGanTransform.FromClips(Clips(clips), CPU);
        var x = Clips(clips[3]);
        var image = transform.ToSpectrogram(x);
        var magnitude = ShortTimeFourierTransform.Magnitude(transform.Stft.Forward(x.squeeze(1), padEnd: true));

        // f_to_t undoes t_to_f wherever the 3σ clip did not bite; Nyquist comes back at its mean.
        var back = transform.ToMagnitude(image);
        var kept = image.squeeze(1).abs() < 0.999f;
        // exp(ln(|X| + 10⁻⁶)): the official inverse keeps the ε.
        var logError = (back.narrow(-1, 0, 128).log() - (magnitude.narrow(-1, 0, 128) + 1e-6).log()).abs();
        Assert.IsTrue(kept.sum().item<long>() > 128 * 128 / 2, "Most of the image is not clipped.");
        Assert.IsTrue(logError.masked_select(kept).max().item<float>() < 1e-3f);
        Assert.IsTrue((back.select(-1, 128) - transform.Mean[128].exp()).abs().max().item<float>() < 1e-3f * transform.Mean[128].exp().item<float>());

        var waveform = transform.ToWaveform(image);
        CollectionAssert.AreEqual(new long[] { 1, 1, 16384 }, waveform.shape);
        double convergence = GriffinLim.SpectralConvergence(transform.Stft, waveform.squeeze(1), magnitude);
        TestContext.WriteLine($"spectral convergence through the normalised spectrogram: {convergence:F4} ({kept.@float().mean().item<float>():P1} of the image unclipped)");
        // Measured 0.19 (Griffin-Lim alone: 0.10 on a sweep), with about 0.4 % of the cells clipped at 3σ.
        Assert.IsTrue(convergence < 0.25, $"Spectral convergence {convergence}.");
    }
}
