using Microsoft.ML.Gan.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// Log-magnitude mel spectrograms computed as TensorFlow 1's <c>tf.contrib.signal</c> computes them, the features of
/// the official WaveGAN evaluation (the Inception-score classifier and the nearest-neighbour distances).
/// </summary>
/// <remarks>
/// <c>stft(x, frame, hop, pad_end=True)</c>: a periodic Hann window, an FFT of the frame length (a power of two
/// here), the signal zero-padded at the end so that <c>ceil(length / hop)</c> frames fit; then
/// <c>log(|X| · W + 1e-6)</c> with <c>W</c> from <c>linear_to_mel_weight_matrix</c> (HTK mel scale
/// <c>1127 ln(1 + f / 700)</c>, triangles between the constructor's <c>lowerHertz</c> and <c>upperHertz</c>
/// measured in mel, the DC bin given no weight).
/// </remarks>
internal sealed class MelSpectrogram : IDisposable
{
    private readonly Tensor _window;
    private readonly Tensor _melWeights;

    /// <param name="frameLength">STFT frame and FFT length (1024 for the classifier, 2048 for the distances).</param>
    /// <param name="hop">Samples between frames (128).</param>
    /// <param name="melBins">Mel bands (128).</param>
    /// <param name="sampleRate">Hz (16,000).</param>
    /// <param name="lowerHertz">Lowest band edge (40 Hz).</param>
    /// <param name="upperHertz">Highest band edge (7,800 Hz).</param>
    public MelSpectrogram(int frameLength, int hop, int melBins = 128, int sampleRate = 16000, double lowerHertz = 40, double upperHertz = 7800)
    {
        if (frameLength < 2 || (frameLength & (frameLength - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(frameLength), frameLength, "The frame length must be a power of two (it is also the FFT length).");
        FrameLength = frameLength;
        Hop = hop;
        MelBins = melBins;
        _window = torch.hann_window(frameLength, periodic: true);
        _melWeights = torch.tensor(MelWeights(frameLength / 2 + 1, melBins, sampleRate, lowerHertz, upperHertz), frameLength / 2 + 1, melBins);
    }

    /// <summary>STFT frame length.</summary>
    public int FrameLength { get; }

    /// <summary>Samples between frames.</summary>
    public int Hop { get; }

    /// <summary>Mel bands.</summary>
    public int MelBins { get; }

    /// <summary>Frames for a clip of <paramref name="length"/> samples: <c>ceil(length / hop)</c>, as <c>pad_end=True</c> gives.</summary>
    public int Frames(int length) => (length + Hop - 1) / Hop;

    /// <summary>Log-mel features of waveforms [batch, samples]: [batch, frames, mel bins] on the waveforms' device.</summary>
    public Tensor Forward(Tensor waveforms)
    {
        if (waveforms.dim() != 2) throw new ArgumentException($"Expected waveforms of shape [batch, samples]; got [{string.Join(", ", waveforms.shape)}].", nameof(waveforms));
        using var scope = torch.NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        var magnitude = Spectrogram.Magnitudes(waveforms, FrameLength, Hop, _window); // [batch, frames, bins]
        var mel = torch.matmul(magnitude, _melWeights.to(waveforms.device));
        return (mel + 1e-6).log().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>tf.contrib.signal.linear_to_mel_weight_matrix</c>: [spectrogram bins, mel bins], row-major.
    /// </summary>
    internal static float[] MelWeights(int spectrogramBins, int melBins, int sampleRate, double lowerHertz, double upperHertz)
    {
        static double Mel(double hertz) => 1127.0 * Math.Log(1.0 + hertz / 700.0);
        double nyquist = sampleRate / 2.0;
        double lowMel = Mel(lowerHertz), highMel = Mel(upperHertz);
        var weights = new float[spectrogramBins * melBins];
        // Bin 0 (DC) stays zero: TensorFlow drops it before building the triangles and pads a zero row back.
        for (int bin = 1; bin < spectrogramBins; bin++)
        {
            double binMel = Mel(nyquist * bin / (spectrogramBins - 1));
            for (int m = 0; m < melBins; m++)
            {
                double lower = lowMel + (highMel - lowMel) * m / (melBins + 1);
                double center = lowMel + (highMel - lowMel) * (m + 1) / (melBins + 1);
                double upper = lowMel + (highMel - lowMel) * (m + 2) / (melBins + 1);
                double rising = (binMel - lower) / (center - lower);
                double falling = (upper - binMel) / (upper - center);
                weights[bin * melBins + m] = (float)Math.Max(0, Math.Min(rising, falling));
            }
        }
        return weights;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _window.Dispose();
        _melWeights.Dispose();
    }
}
