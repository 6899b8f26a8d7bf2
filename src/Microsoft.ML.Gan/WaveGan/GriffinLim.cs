using static TorchSharp.torch;

namespace Microsoft.ML.Gan.WaveGan;

/// <summary>
/// The short-time Fourier transform SpecGAN uses, TensorFlow's <c>tf.contrib.signal.stft(x, 256, 128)</c>: frames of
/// 256 samples every 128, a periodic Hann window, a 256-point real DFT (129 bins). Both directions are a matrix product
/// with a fixed windowed-DFT basis (real parts in the first 129 columns, imaginary parts in the next 129), and the hop
/// of half a frame makes framing and overlap-add a reshape of 128-sample blocks, so the same arithmetic runs in
/// TorchSharp and, as MatMul, Slice, Concat and Add, in any ONNX runtime.
/// </summary>
/// <remarks>
/// The inverse uses the window of TensorFlow's <c>inverse_stft_window_fn(128)</c>, Hann divided by the overlapping
/// frames' summed squared windows, so that an unmodified spectrogram inverts exactly (away from the first and last
/// half frame, which only one frame covers).
/// </remarks>
internal sealed class ShortTimeFourierTransform : IDisposable
{
    public const int FrameLength = 256;
    public const int FrameStep = FrameLength / 2;
    public const int Bins = FrameLength / 2 + 1;

    public ShortTimeFourierTransform(Device device)
    {
        using var scope = NewDisposeScope(); // the host copies of the bases, on a GPU
        var window = Enumerable.Range(0, FrameLength).Select(n => 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / FrameLength)).ToArray();
        var synthesisWindow = new double[FrameLength];
        for (int n = 0; n < FrameLength; n++)
        {
            double overlap = 0;
            for (int m = n % FrameStep; m < FrameLength; m += FrameStep) overlap += window[m] * window[m];
            synthesisWindow[n] = window[n] / overlap;
        }
        var analysis = new float[FrameLength * 2 * Bins];
        var synthesis = new float[2 * Bins * FrameLength];
        for (int k = 0; k < Bins; k++)
        {
            // A real inverse DFT counts each bin between DC and Nyquist twice (its conjugate twin is not stored).
            double twice = k == 0 || k == Bins - 1 ? 1 : 2;
            for (int n = 0; n < FrameLength; n++)
            {
                // n·k mod N keeps the angle small, so the basis is exact to float precision.
                double angle = 2 * Math.PI * ((long)n * k % FrameLength) / FrameLength;
                double cos = Math.Cos(angle), sin = Math.Sin(angle);
                analysis[n * 2 * Bins + k] = (float)(window[n] * cos);
                analysis[n * 2 * Bins + Bins + k] = (float)(-window[n] * sin);
                synthesis[k * FrameLength + n] = (float)(synthesisWindow[n] * twice * cos / FrameLength);
                synthesis[(Bins + k) * FrameLength + n] = (float)(-synthesisWindow[n] * twice * sin / FrameLength);
            }
        }
        AnalysisBasis = tensor(analysis, new long[] { FrameLength, 2 * Bins }).to(device).DetachFromDisposeScope();
        SynthesisBasis = tensor(synthesis, new long[] { 2 * Bins, FrameLength }).to(device).DetachFromDisposeScope();
    }

    /// <summary>[FrameLength, 2·Bins]: a frame times this is (real parts, imaginary parts) of its windowed DFT.</summary>
    public Tensor AnalysisBasis { get; }

    /// <summary>[2·Bins, FrameLength]: (real, imaginary) times this is the windowed inverse DFT of a frame.</summary>
    public Tensor SynthesisBasis { get; }

    /// <summary>Frames of a signal of <paramref name="samples"/> zero-padded at the end, as <c>pad_end=True</c> does.</summary>
    public static long PaddedFrames(long samples) => (samples + FrameStep - 1) / FrameStep;

    /// <summary>Samples that <paramref name="frames"/> frames span: the length <see cref="Inverse"/> returns.</summary>
    public static long SpannedSamples(long frames) => (frames - 1) * FrameStep + FrameLength;

    /// <summary>
    /// [batch, length] → [batch, frames, 2·Bins]: the frames that fit in the signal (TensorFlow's <c>pad_end=False</c>);
    /// <paramref name="padEnd"/> first appends zeros so that every sample starts a frame's hop (<c>pad_end=True</c>).
    /// </summary>
    public Tensor Forward(Tensor x, bool padEnd = false)
    {
        if (padEnd)
        {
            long length = x.shape[^1];
            x = nn.functional.pad(x, new[] { 0L, SpannedSamples(PaddedFrames(length)) - length });
        }
        return x.unfold(-1, FrameLength, FrameStep).matmul(AnalysisBasis);
    }

    /// <summary>[batch, frames, 2·Bins] → [batch, (frames + 1)·FrameStep]: inverse DFTs, windowed and overlap-added.</summary>
    public Tensor Inverse(Tensor spectrum)
    {
        var frames = spectrum.matmul(SynthesisBasis);
        // With a hop of half a frame, output block j is the first half of frame j plus the second half of frame j − 1.
        var halves = frames.chunk(2, -1);
        var blocks = nn.functional.pad(halves[0], new[] { 0L, 0, 0, 1 }) + nn.functional.pad(halves[1], new[] { 0L, 0, 1, 0 });
        return blocks.flatten(-2);
    }

    /// <summary>|X| of a [batch, frames, 2·Bins] spectrum: [batch, frames, Bins].</summary>
    public static Tensor Magnitude(Tensor spectrum)
    {
        var parts = spectrum.chunk(2, -1);
        return (parts[0].square() + parts[1].square()).sqrt();
    }

    public void Dispose()
    {
        AnalysisBasis.Dispose();
        SynthesisBasis.Dispose();
    }
}

/// <summary>
/// Griffin-Lim phase estimation (Griffin and Lim 1984) as SpecGAN's <c>invert_spectra_griffin_lim</c> runs it: start
/// from zero phase; each iteration inverts the spectrum, transforms the waveform again and keeps its phase with the
/// given magnitudes (X ← |X| · X̂ / max(10⁻⁸, |X̂|)); the last spectrum is inverted.
/// </summary>
/// <remarks>
/// The official code inverts with <c>inverse_stft</c>'s default window, plain Hann, which scales a consistent
/// spectrogram's waveform by 1 − ½·sin²(2πn/256), between 0.5 and 1 (a 125 Hz ripple at 16 kHz). Here the inverse is
/// TensorFlow's documented exact one (<see cref="ShortTimeFourierTransform"/>): Griffin-Lim's least-squares estimate.
/// </remarks>
internal static class GriffinLim
{
    /// <summary>The official code's iterations (<c>--specgan_ngl</c>).</summary>
    public const int OfficialIterations = 16;

    private const double PhaseFloor = 1e-8;

    /// <param name="stft">The transform the magnitudes came from.</param>
    /// <param name="magnitude">[batch, frames, Bins] magnitudes.</param>
    /// <param name="iterations">Phase updates before the last inversion (0: zero phase).</param>
    /// <returns>[batch, (frames − 1)·128 + 256] samples.</returns>
    public static Tensor Invert(ShortTimeFourierTransform stft, Tensor magnitude, int iterations)
    {
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "Griffin-Lim needs 0 or more iterations.");
        var spectrum = cat(new[] { magnitude, zeros_like(magnitude) }, -1);
        for (int i = 0; i < iterations; i++)
        {
            var estimate = stft.Forward(stft.Inverse(spectrum));
            var ratio = magnitude / ShortTimeFourierTransform.Magnitude(estimate).clamp_min(PhaseFloor);
            spectrum = estimate * cat(new[] { ratio, ratio }, -1);
        }
        return stft.Inverse(spectrum);
    }

    /// <summary>
    /// Spectral convergence, ‖ |STFT(x)| − M ‖ / ‖ M ‖ (Frobenius norms over each whole spectrogram), averaged over the
    /// batch: how far the magnitudes of the reconstruction <paramref name="waveform"/> ([batch, length], transformed
    /// with <c>pad_end</c>) are from the target ones <paramref name="magnitude"/> ([batch, frames, Bins]).
    /// </summary>
    public static double SpectralConvergence(ShortTimeFourierTransform stft, Tensor waveform, Tensor magnitude)
    {
        using var scope = NewDisposeScope();
        var reconstructed = ShortTimeFourierTransform.Magnitude(stft.Forward(waveform, padEnd: true));
        var error = (reconstructed - magnitude).flatten(1).square().sum(1).sqrt() / magnitude.flatten(1).square().sum(1).sqrt();
        return error.mean().item<float>();
    }
}
