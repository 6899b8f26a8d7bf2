using Microsoft.ML.Data;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.Data;

[TestClass]
public sealed class SpectrogramTests
{
    private static float[] Tone(double hz, int samples, float amplitude = 0.5f, int rate = 16000) =>
        Enumerable.Range(0, samples).Select(i => amplitude * (float)Math.Sin(2 * Math.PI * hz * i / rate)).ToArray();

    private static int PeakBin(float[,] s, int frame)
    {
        int best = 0;
        for (int k = 1; k < s.GetLength(0); k++) if (s[k, frame] > s[best, frame]) best = k;
        return best;
    }

    [TestMethod]
    public void ToneOnABinCentrePeaksThereWithTheHannWindowsGain()
    {
        // 1,000 Hz at 16 kHz is bin 16 of a 256-point FFT (62.5 Hz apart).
        var s = Spectrogram.LogMagnitude(Tone(1000, 16384));
        Assert.AreEqual(129, s.GetLength(0), "fftSize / 2 + 1 bins");
        Assert.AreEqual(128, s.GetLength(1), "⌈16,384 / 128⌉ frames, as SpecGAN's pad_end STFT");
        Assert.AreEqual(1000, Spectrogram.BinFrequency(16, 16000), 1e-9);
        for (int t = 0; t < 128; t++) Assert.AreEqual(16, PeakBin(s, t), $"frame {t}");
        // A whole frame of A·sin at a bin centre under a periodic Hann window (sum N/2) has |X| = A · N / 4.
        Assert.AreEqual(Math.Log(0.5 * 256 / 4 + Spectrogram.MagnitudeFloor), s[16, 10], 1e-3);
        // Two bins away the window's main lobe has ended: far below the peak.
        Assert.IsTrue(s[16, 10] - s[19, 10] > 8, $"bin 19 is {s[19, 10]}, the peak {s[16, 10]}");

        var high = Spectrogram.LogMagnitude(Tone(5000, 4000), fftSize: 512, hopLength: 256);
        Assert.AreEqual(257, high.GetLength(0));
        Assert.AreEqual(16, high.GetLength(1), "⌈4,000 / 256⌉");
        Assert.AreEqual(160, PeakBin(high, 5), "5,000 Hz is bin 160 of a 512-point FFT at 16 kHz");
    }

    [TestMethod]
    public void SilenceIsTheFloorNotMinusInfinityAndBadSizesAreRefused()
    {
        var silent = Spectrogram.LogMagnitude(new float[300]);
        Assert.AreEqual(3, silent.GetLength(1), "⌈300 / 128⌉ frames: a short clip still gives whole frames");
        foreach (float v in silent) Assert.AreEqual(Math.Log(Spectrogram.MagnitudeFloor), v, 1e-4);

        Assert.ThrowsExactly<ArgumentException>(() => Spectrogram.LogMagnitude(Array.Empty<float>()));
        var odd = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Spectrogram.LogMagnitude(new float[10], fftSize: 255));
        StringAssert.Contains(odd.Message, "even");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Spectrogram.LogMagnitude(new float[10], hopLength: 300));
    }

    [TestMethod]
    public void GridHasOneCellPerClipLowFrequenciesAtTheBottom()
    {
        string dir = TempDirectory();
        string path = Path.Combine(dir, "spectrograms.png");
        var tone = Tone(1000, 4096);
        var noiseless = new float[4096];
        Spectrogram.SaveGrid(path, new IReadOnlyList<float[]>[] { new[] { tone, tone, noiseless }, new[] { Tone(6000, 4096, 0.01f) } });

        using var png = MLImage.CreateFromFile(path);
        const int cellHeight = 128, cellWidth = 4096 / 128, gap = 2;
        Assert.AreEqual(3 * cellWidth + 2 * gap, png.Width);
        Assert.AreEqual(2 * cellHeight + gap, png.Height);

        var rgb = ImageTensors.ToPlanarRgb(png);
        int plane = png.Width * png.Height;
        float Brightness(int x, int y) => rgb[y * png.Width + x] + rgb[plane + y * png.Width + x] + rgb[2 * plane + y * png.Width + x];
        int toneRow = cellHeight - 1 - 16;
        // The loudest bin of the grid takes the palette's top, magma's pale yellow (0.987, 0.991, 0.750).
        Assert.AreEqual(2 * 0.987f - 1, rgb[toneRow * png.Width + 10], 0.01f);
        Assert.AreEqual(2 * 0.750f - 1, rgb[2 * plane + toneRow * png.Width + 10], 0.01f);
        Assert.IsTrue(Brightness(10, 10) < -2.8f, $"a high bin far from the tone is near black ({Brightness(10, 10)})");
        Assert.IsTrue(Brightness(2 * (cellWidth + gap) + 10, toneRow) < -2.8f, "the silent clip is black on the grid's shared scale");
        // 6,000 Hz is bin 96; the quiet tone is 34 dB down, still above the 80 dB floor.
        float quiet = Brightness(10, cellHeight + gap + cellHeight - 1 - 96);
        Assert.IsTrue(quiet > -2.5f && quiet < 2.5f, $"a tone 34 dB down is mid-scale ({quiet})");

        var uneven = Assert.ThrowsExactly<ArgumentException>(() =>
            Spectrogram.SaveGrid(path, new IReadOnlyList<float[]>[] { new[] { tone }, new[] { new float[100] } }));
        StringAssert.Contains(uneven.Message, "rows[1][0] has 100 samples");
        Assert.ThrowsExactly<ArgumentException>(() => Spectrogram.SaveGrid(path, new IReadOnlyList<float[]>[] { Array.Empty<float[]>() }));
    }
}
