using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// Log-magnitude spectrograms of waveforms, and a PNG grid of them: the usual way to look at what an audio GAN makes
/// next to the clips it learnt from (a row of real clips, a row of generated ones).
/// </summary>
/// <remarks>
/// The transform is SpecGAN's (Donahue et al. 2019, <c>specgan.py</c>): a short-time Fourier transform with a periodic
/// Hann window of <c>fftSize</c> samples every <c>hopLength</c> samples, the end of the clip zero-padded so that a clip
/// of <c>L</c> samples gives ⌈L / hopLength⌉ frames (TensorFlow's <c>pad_end</c>), then <c>ln(|X| + 10⁻⁶)</c>. At the
/// defaults (256, 128) a 16,384-sample clip gives 128 frames of 129 bins, bin <c>k</c> centred on
/// <c>k · sampleRate / fftSize</c> Hz.
/// </remarks>
public static class Spectrogram
{
    /// <summary>Samples per STFT frame (SpecGAN: 256, 16 ms at 16 kHz).</summary>
    public const int DefaultFftSize = 256;
    /// <summary>Samples between frames (SpecGAN: 128).</summary>
    public const int DefaultHopLength = 128;
    /// <summary>Added to magnitudes before the logarithm, as SpecGAN does, so silence gives ln 10⁻⁶ rather than −∞.</summary>
    public const float MagnitudeFloor = 1e-6f;

    /// <summary>The log-magnitude STFT of one waveform.</summary>
    /// <param name="waveform">Samples (any scale; WaveGAN's are in [−1, 1]). At least one.</param>
    /// <param name="fftSize">Samples per frame, even, at least 2.</param>
    /// <param name="hopLength">Samples between frames, 1 to <paramref name="fftSize"/>.</param>
    /// <returns><c>[bin, frame]</c>: <c>fftSize / 2 + 1</c> frequency bins (0 Hz to the Nyquist frequency) by ⌈length / hopLength⌉ frames.</returns>
    /// <example>
    /// <code>
    /// float[,] s = Spectrogram.LogMagnitude(clip);          // 129 × 128 for a 16,384-sample clip
    /// double hz = Spectrogram.BinFrequency(16, 16000);        // 1,000 Hz
    /// </code>
    /// </example>
    public static float[,] LogMagnitude(ReadOnlySpan<float> waveform, int fftSize = DefaultFftSize, int hopLength = DefaultHopLength)
    {
        CheckSizes(fftSize, hopLength);
        if (waveform.IsEmpty) throw new ArgumentException("The waveform has no samples; a spectrogram needs at least one.", nameof(waveform));
        int frames = (waveform.Length + hopLength - 1) / hopLength;

        using var scope = NewDisposeScope();
        using var window = hann_window(fftSize, periodic: true);
        var magnitudes = Magnitudes(tensor(waveform.ToArray()).unsqueeze(0), fftSize, hopLength, window)[0].t();
        var values = (magnitudes + MagnitudeFloor).log().contiguous().data<float>().ToArray();
        var result = new float[fftSize / 2 + 1, frames];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }

    /// <summary>
    /// STFT magnitudes as TensorFlow's <c>tf.contrib.signal.stft(x, fftSize, hopLength, pad_end=True)</c> computes them
    /// (the official WaveGAN code's transform, for SpecGAN's front end and the evaluation's mel features alike):
    /// frames of <paramref name="fftSize"/> samples every <paramref name="hopLength"/>, the signal zero-padded at the end
    /// so that ⌈length / hop⌉ whole frames fit, windowed, a one-sided DFT. Waveforms [batch, samples] →
    /// [batch, frames, fftSize / 2 + 1], on the waveforms' device.
    /// </summary>
    internal static Tensor Magnitudes(Tensor waveforms, int fftSize, int hopLength, Tensor window)
    {
        int length = (int)waveforms.shape[1];
        int frames = (length + hopLength - 1) / hopLength;
        var padded = nn.functional.pad(waveforms, [0, (frames - 1) * hopLength + fftSize - length]);
        var spectrum = torch.stft(padded, fftSize, hopLength, fftSize, window.to(waveforms.device), center: false, onesided: true, return_complex: true);
        return spectrum.abs().transpose(1, 2);
    }

    /// <summary>The centre frequency in Hz of STFT bin <paramref name="bin"/>: <c>bin · sampleRate / fftSize</c>.</summary>
    public static double BinFrequency(int bin, int sampleRate, int fftSize = DefaultFftSize) => (double)bin * sampleRate / fftSize;

    /// <summary>
    /// Writes rows of waveforms as a PNG grid of their log-magnitude spectrograms (<see cref="LogMagnitude"/>): time runs
    /// left to right, frequency bottom (0 Hz) to top (just under the Nyquist frequency; the Nyquist bin is left out, as
    /// SpecGAN does, so a cell is <c>fftSize / 2</c> pixels high and ⌈length / hopLength⌉ wide).
    /// </summary>
    /// <param name="path">The PNG file; it is replaced atomically (see <see cref="ImageGrid"/>).</param>
    /// <param name="rows">The rows, top to bottom, for example real clips then generated ones; every waveform has the
    /// same length. Rows may differ in length.</param>
    /// <param name="rangeDecibels">The colour scale spans this many decibels below the loudest bin of the whole grid
    /// (one scale for all cells, so real and generated clips compare); quieter bins are black.</param>
    /// <param name="fftSize">Samples per frame (see <see cref="LogMagnitude"/>).</param>
    /// <param name="hopLength">Samples between frames.</param>
    /// <param name="gap">Pixels of grey between neighbouring cells.</param>
    /// <example>
    /// <code>
    /// Spectrogram.SaveGrid("spectrograms.png", new[] { realClips, generatedClips });
    /// </code>
    /// </example>
    public static void SaveGrid(string path, IReadOnlyList<IReadOnlyList<float[]>> rows, double rangeDecibels = 80,
        int fftSize = DefaultFftSize, int hopLength = DefaultHopLength, int gap = 2)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(rows);
        CheckSizes(fftSize, hopLength);
        if (!(rangeDecibels > 0) || double.IsInfinity(rangeDecibels))
            throw new ArgumentOutOfRangeException(nameof(rangeDecibels), rangeDecibels, "The colour range must be a positive number of decibels.");
        int length = -1;
        var spectra = new List<List<float[,]>>(rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            ArgumentNullException.ThrowIfNull(rows[r], $"{nameof(rows)}[{r}]");
            var row = new List<float[,]>(rows[r].Count);
            for (int c = 0; c < rows[r].Count; c++)
            {
                var clip = rows[r][c] ?? throw new ArgumentNullException($"{nameof(rows)}[{r}][{c}]");
                if (length < 0) length = clip.Length;
                else if (clip.Length != length)
                    throw new ArgumentException($"rows[{r}][{c}] has {clip.Length} samples; every waveform must have {length} like the first.", nameof(rows));
                row.Add(LogMagnitude(clip, fftSize, hopLength));
            }
            spectra.Add(row);
        }
        if (length < 0) throw new ArgumentException("The grid has no waveforms.", nameof(rows));

        int height = fftSize / 2, width = spectra.First(r => r.Count > 0)[0].GetLength(1);
        float top = float.NegativeInfinity;
        foreach (var s in spectra.SelectMany(r => r))
            for (int k = 0; k < height; k++)
                for (int t = 0; t < width; t++) top = Math.Max(top, s[k, t]);
        // Decibels of magnitude are 20·log10, so the range in natural-log units is dB · ln 10 / 20.
        float bottom = top - (float)(rangeDecibels * Math.Log(10) / 20);

        var images = spectra.Select(r => (IReadOnlyList<float[]>)r.Select(s => Colour(s, height, width, bottom, top)).ToList()).ToList();
        ImageGrid.Save(path, images, height, width, gap);
    }

    /// <summary>One spectrogram as a planar RGB image in [−1, 1], low frequencies at the bottom.</summary>
    private static float[] Colour(float[,] spectrum, int height, int width, float bottom, float top)
    {
        int plane = height * width;
        var image = new float[3 * plane];
        for (int k = 0; k < height; k++)
        {
            int y = height - 1 - k;
            for (int t = 0; t < width; t++)
            {
                float level = Math.Clamp((spectrum[k, t] - bottom) / (top - bottom), 0f, 1f);
                var (r, g, b) = Palette(level);
                int i = y * width + t;
                (image[i], image[plane + i], image[2 * plane + i]) = (2 * r - 1, 2 * g - 1, 2 * b - 1);
            }
        }
        return image;
    }

    // A few stops of matplotlib's "magma" (black, purple, red, orange, pale yellow): perceptually ordered, and quiet
    // bins stay dark, so a clip's decay reads at a glance.
    private static readonly (float R, float G, float B)[] Stops =
    {
        (0.001f, 0.000f, 0.014f), (0.232f, 0.060f, 0.438f), (0.550f, 0.161f, 0.506f),
        (0.868f, 0.288f, 0.409f), (0.994f, 0.624f, 0.427f), (0.987f, 0.991f, 0.750f),
    };

    private static (float R, float G, float B) Palette(float level)
    {
        float x = level * (Stops.Length - 1);
        int i = Math.Min((int)x, Stops.Length - 2);
        float f = x - i;
        var (a, b) = (Stops[i], Stops[i + 1]);
        return (a.R + f * (b.R - a.R), a.G + f * (b.G - a.G), a.B + f * (b.B - a.B));
    }

    private static void CheckSizes(int fftSize, int hopLength)
    {
        if (fftSize < 2 || fftSize % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(fftSize), fftSize, "The FFT size must be an even number of samples, at least 2.");
        if (hopLength < 1 || hopLength > fftSize)
            throw new ArgumentOutOfRangeException(nameof(hopLength), hopLength, $"The hop must be 1 to {fftSize} (the FFT size) samples.");
    }
}
