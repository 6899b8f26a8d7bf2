using Microsoft.ML.Gan.Core;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.WaveGan;

/// <summary>
/// SpecGAN's spectrogram front end and its inverse, as the official <c>train_specgan.py</c> (<c>t_to_f</c>,
/// <c>f_to_t</c>, <c>moments</c>): 16,384 samples → STFT (frame 256, hop 128, padded at the end: 128 frames × 129
/// bins) → ln(|X| + 10⁻⁶) → each bin standardised by the training set's mean and standard deviation of that bin,
/// divided by 3 and clipped to [−1, 1] → the Nyquist bin dropped: a [1, 128, 128] image (rows: frames, columns:
/// bins). Back: the Nyquist bin restored at its mean, the scaling undone, exp, and Griffin-Lim to 16,384 samples.
/// </summary>
/// <remarks>
/// The moments are over every frame of every training clip (the official <c>moments</c> step, NumPy's population
/// standard deviation). A bin whose log-magnitude never varies has a standard deviation of 0, which the official code
/// would divide by; here such a bin (below 10⁻⁶, rounding error) gets 1, so it normalises to 0 and inverts to its constant.
/// </remarks>
internal sealed class SpecGanTransform : IDisposable
{
    public const int SliceLength = 16384;
    /// <summary>Rows of the image: frames of the padded slice.</summary>
    public const int Frames = 128;
    /// <summary>Columns of the image: the STFT's bins without Nyquist.</summary>
    public const int Bins = ShortTimeFourierTransform.Bins - 1;
    public const double ClipDeviations = 3;
    public const double LogEpsilon = 1e-6;
    /// <summary>Below this a bin's standard deviation is rounding error: the bin is constant.</summary>
    private const double ConstantDeviation = 1e-6;

    private readonly ShortTimeFourierTransform _stft;

    /// <param name="mean">[129] mean log-magnitude of each bin over the training set.</param>
    /// <param name="std">[129] its standard deviation (0 is replaced by 1).</param>
    public SpecGanTransform(Tensor mean, Tensor std)
    {
        if (mean.shape.Length != 1 || mean.shape[0] != ShortTimeFourierTransform.Bins || !std.shape.SequenceEqual(mean.shape))
            throw new ArgumentException($"Expected per-bin moments of shape [{ShortTimeFourierTransform.Bins}]; got [{string.Join(", ", mean.shape)}] and [{string.Join(", ", std.shape)}].");
        using var scope = NewDisposeScope();
        Mean = mean.to(float32).clone().DetachFromDisposeScope();
        Std = where(std < ConstantDeviation, ones_like(std), std).to(float32).DetachFromDisposeScope();
        _stft = new ShortTimeFourierTransform(mean.device);
    }

    /// <summary>[129] mean log-magnitude per bin.</summary>
    public Tensor Mean { get; }
    /// <summary>[129] standard deviation of the log-magnitude per bin.</summary>
    public Tensor Std { get; }
    internal ShortTimeFourierTransform Stft => _stft;

    /// <summary>
    /// The official <c>moments</c> step over [N, 1, 16384] clips (any device), <paramref name="batchSize"/> clips at a
    /// time on <paramref name="device"/>; sums are kept in double precision.
    /// </summary>
    public static SpecGanTransform FromClips(Tensor clips, Device device, int batchSize = 64, CancellationToken cancellation = default)
    {
        CheckWaveforms(clips, nameof(clips));
        using var stft = new ShortTimeFourierTransform(device);
        using var scope = NewDisposeScope();
        var sum = zeros(ShortTimeFourierTransform.Bins, dtype: float64, device: device);
        var sumOfSquares = zeros_like(sum);
        long count = clips.shape[0];
        for (long first = 0; first < count; first += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            using var batchScope = NewDisposeScope();
            using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
            var logMagnitude = LogMagnitude(stft, clips.narrow(0, first, Math.Min(batchSize, count - first)).to(device)).to(float64);
            sum.add_(logMagnitude.sum(new long[] { 0, 1 }));
            sumOfSquares.add_(logMagnitude.square().sum(new long[] { 0, 1 }));
        }
        double frames = (double)count * Frames;
        var mean = sum / frames;
        var std = (sumOfSquares / frames - mean.square()).clamp_min(0).sqrt();
        return new SpecGanTransform(mean, std);
    }

    /// <summary>ln(|STFT(x)| + 10⁻⁶) of [N, 1, 16384] clips, padded at the end: [N, 128 frames, 129 bins].</summary>
    public static Tensor LogMagnitude(ShortTimeFourierTransform stft, Tensor clips)
    {
        var magnitude = ShortTimeFourierTransform.Magnitude(stft.Forward(clips.squeeze(1), padEnd: true));
        return (magnitude + LogEpsilon).log();
    }

    /// <summary>The official <c>t_to_f</c>: [N, 1, 16384] clips → [N, 1, 128, 128] normalised spectrograms in [−1, 1].</summary>
    public Tensor ToSpectrogram(Tensor clips)
    {
        CheckWaveforms(clips, nameof(clips));
        using var scope = NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        using var _ = no_grad();
        var normalised = (LogMagnitude(_stft, clips).narrow(-1, 0, Bins) - Mean.narrow(0, 0, Bins)) / Std.narrow(0, 0, Bins) / ClipDeviations;
        return normalised.clamp(-1, 1).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>The official <c>f_to_t</c>: [N, 1, 128, 128] normalised spectrograms → [N, 1, 16384] clips.</summary>
    public Tensor ToWaveform(Tensor spectrograms, int iterations = GriffinLim.OfficialIterations)
    {
        if (spectrograms.dim() != 4 || spectrograms.shape[1] != 1 || spectrograms.shape[2] != Frames || spectrograms.shape[3] != Bins)
            throw new ArgumentException($"Expected spectrograms of shape [N, 1, {Frames}, {Bins}]; got [{string.Join(", ", spectrograms.shape)}].", nameof(spectrograms));
        using var scope = NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        using var _ = no_grad();
        var waveform = GriffinLim.Invert(_stft, ToMagnitude(spectrograms), iterations).narrow(1, 0, SliceLength);
        return waveform.unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>The first half of <c>f_to_t</c>: [N, 1, 128, 128] normalised spectrograms → [N, 128 frames, 129 bins] magnitudes.</summary>
    public Tensor ToMagnitude(Tensor spectrograms)
    {
        // The Nyquist bin comes back as a normalised 0: its training mean.
        var normalised = nn.functional.pad(spectrograms.squeeze(1), new[] { 0L, 1 });
        return (normalised * ClipDeviations * Std + Mean).exp();
    }

    private static void CheckWaveforms(Tensor clips, string name)
    {
        if (clips.dim() != 3 || clips.shape[1] != 1 || clips.shape[2] != SliceLength)
            throw new ArgumentException($"Expected clips of shape [N, 1, {SliceLength}]; got [{string.Join(", ", clips.shape)}].", name);
    }

    public void Dispose()
    {
        Mean.Dispose();
        Std.Dispose();
        _stft.Dispose();
    }
}
