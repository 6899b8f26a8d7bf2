using Microsoft.ML.Data;
using NAudio.Wave;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.WaveGan;

[TestClass]
public sealed class AudioFileTests
{
    private const float Pcm16 = 1f / 32767;

    /// <summary>The lag (in samples, within ±<paramref name="range"/>) at which <paramref name="b"/> best matches <paramref name="a"/>, and that correlation.</summary>
    private static (int Lag, double Correlation) BestLag(float[] a, float[] b, int from, int length, int range)
    {
        (int, double) best = (0, double.NegativeInfinity);
        for (int lag = -range; lag <= range; lag++)
        {
            double dot = 0, na = 0, nb = 0;
            for (int i = from; i < from + length; i++)
            {
                dot += a[i] * b[i + lag];
                na += a[i] * a[i];
                nb += b[i + lag] * b[i + lag];
            }
            double c = dot / Math.Sqrt(na * nb);
            if (c > best.Item2) best = (lag, c);
        }
        return best;
    }

    [TestMethod]
    public void MonoWavAtTheRateIsPeakNormalisedAndZeroPadded()
    {
        string dir = TempDirectory();
        var sine = TestAudio.Sine(440, 16000, 0.5, 0.5f);
        var clip = AudioFile.Load(TestAudio.Write(Path.Combine(dir, "a.wav"), 16000, sine), 16000, 16384);
        Assert.AreEqual(16384, clip.Length);
        float peak = sine[0].Max(Math.Abs);
        for (int i = 0; i < 8000; i++) Assert.AreEqual(sine[0][i] / peak, clip[i], 2 * Pcm16 / peak, $"sample {i}");
        Assert.AreEqual(1f, clip.Max(Math.Abs), 1e-6f, "The peak is 1.");
        Assert.IsTrue(clip.Skip(8000).All(v => v == 0), "A clip shorter than the slice is padded with zeros at the end.");

        // A longer file keeps its first slice (normalised by the whole file's peak).
        var ramp = new[] { Enumerable.Range(0, 20000).Select(i => i / 40000f).ToArray() };
        var first = AudioFile.Load(TestAudio.Write(Path.Combine(dir, "b.wav"), 16000, ramp, ieeeFloat: true), 16000, 16384);
        Assert.AreEqual(16383 / 19999f, first[^1], 1e-6f);
    }

    [TestMethod]
    public void StereoIsMixedDownToTheMeanOfTheChannels()
    {
        string dir = TempDirectory();
        var stereo = TestAudio.Sine(300, 16000, 0.25, 0.6f, 0.2f);
        var (mono, rate) = AudioFile.ReadMono(TestAudio.Write(Path.Combine(dir, "s.wav"), 16000, stereo));
        Assert.AreEqual(16000, rate);
        Assert.AreEqual(4000, mono.Length);
        for (int i = 0; i < mono.Length; i++) Assert.AreEqual((stereo[0][i] + stereo[1][i]) / 2, mono[i], 3 * Pcm16, $"sample {i}");
    }

    [TestMethod]
    public void OtherRatesAreResampledKeepingPitchAndTiming()
    {
        string dir = TempDirectory();
        var sine = TestAudio.Sine(1000, 44100, 1.0, 0.9f);
        var clip = AudioFile.Load(TestAudio.Write(Path.Combine(dir, "r.wav"), 44100, sine), 16000, 16384);
        Assert.IsTrue(clip.Skip(16000).All(v => v == 0), "1 s at 16 kHz is 16,000 samples, then padding.");
        var expected = TestAudio.Sine(1000, 16000, 1.0, 1f)[0];
        var (lag, correlation) = BestLag(expected, clip, 1000, 14000, 20);

        Assert.IsTrue(correlation > 0.999, $"The resampled clip is the same 1 kHz sine (correlation {correlation:F5}).");
        Assert.AreEqual(0, lag, "The resampler does not delay the signal.");
        Assert.AreEqual(1f, clip.Max(Math.Abs), 1e-6f);
    }

    [TestMethod]
    public void ResamplerKeepsThePassbandAndRemovesWhatTheNewRateCannotHold()
    {
        var up = Microsoft.ML.Gan.Data.SincResampler.Resample(TestAudio.Sine(1000, 8000, 0.5, 0.9f)[0], 8000, 16000);
        Assert.AreEqual(8000, up.Length);
        Assert.AreEqual(0.9f, up.Skip(1000).Take(6000).Max(), 0.005f, "Unit gain in the passband.");
        var down = Microsoft.ML.Gan.Data.SincResampler.Resample(TestAudio.Sine(7000, 22050, 0.5, 0.9f)[0], 22050, 8000);
        Assert.AreEqual(4000, down.Length);
        Assert.IsTrue(down.Skip(500).Take(3000).Max(Math.Abs) < 0.01f, "7 kHz is above the 4 kHz Nyquist frequency of 8 kHz: filtered out, not aliased.");
    }

    [TestMethod]
    public void OggVorbisIsDecodedMixedAndResampled()
    {
        var (mono, rate) = AudioFile.ReadMono(TestAudio.OggSine);
        Assert.AreEqual(22050, rate);
        Assert.AreEqual(11025, mono.Length, 10);
        var expected = TestAudio.Sine(440, 22050, 0.5, 0.6f)[0];
        var (lag, correlation) = BestLag(expected, mono, 500, 10000, 5);
        Assert.AreEqual(0, lag);
        Assert.IsTrue(correlation > 0.99, $"Lossy, but the same sine (correlation {correlation:F4}).");
        var clip = AudioFile.Load(TestAudio.OggSine, 16000, 16384);
        Assert.IsTrue(clip.Take(7900).Any(v => v != 0) && clip.Skip(8001).All(v => v == 0), "0.5 s at 16 kHz, then padding.");
    }

    [TestMethod]
    public void AiffDecodesLikeTheSameSamplesInAWav()
    {
        // Hydrogen's drum kits ship AIFF one-shots; stereo at 22.05 kHz exercises the mix-down and the resampler too.
        string dir = TempDirectory();
        var stereo = TestAudio.Sine(330, 22050, 0.3, 0.7f, 0.1f);
        var (mono, rate) = AudioFile.ReadMono(TestAudio.WriteAiff(Path.Combine(dir, "hit.aiff"), 22050, stereo));
        Assert.AreEqual(22050, rate);
        Assert.AreEqual(stereo[0].Length, mono.Length);
        for (int i = 0; i < mono.Length; i++) Assert.AreEqual((stereo[0][i] + stereo[1][i]) / 2, mono[i], 3 * Pcm16, $"sample {i}");

        var fromAiff = AudioFile.Load(Path.Combine(dir, "hit.aiff"));
        var fromWav = AudioFile.Load(TestAudio.Write(Path.Combine(dir, "hit.wav"), 22050, stereo));
        CollectionAssert.AreEqual(fromWav, fromAiff);

        string cut = Path.Combine(dir, "cut.aiff");
        File.WriteAllBytes(cut, File.ReadAllBytes(Path.Combine(dir, "hit.aiff"))[..16]);
        var damaged = Assert.ThrowsExactly<InvalidDataException>(() => AudioFile.Load(cut));
        StringAssert.Contains(damaged.Message, cut);
        StringAssert.Contains(damaged.Message, "could not be decoded as AIFF");
    }

    [TestMethod]
    public void SilentAndEmptyFilesGiveZerosNotNaN()
    {
        string dir = TempDirectory();
        var silent = AudioFile.Load(TestAudio.Write(Path.Combine(dir, "silent.wav"), 16000, new[] { new float[3000] }));
        Assert.IsTrue(silent.All(v => v == 0));
        var empty = AudioFile.Load(TestAudio.Write(Path.Combine(dir, "empty.wav"), 8000, new[] { Array.Empty<float>() }));
        Assert.IsTrue(empty.All(v => v == 0));
    }

    [TestMethod]
    public void UnreadableFilesAreNamedInTheError()
    {
        string dir = TempDirectory();
        string missing = Path.Combine(dir, "missing.wav");
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => AudioFile.Load(missing)).Message, missing);

        string text = Path.Combine(dir, "notes.wav");
        File.WriteAllText(text, "these are not samples");
        var notAudio = Assert.ThrowsExactly<InvalidDataException>(() => AudioFile.Load(text));
        StringAssert.Contains(notAudio.Message, text);
        StringAssert.Contains(notAudio.Message, "not a WAV, AIFF or OGG file");

        string tiny = Path.Combine(dir, "tiny.wav");
        File.WriteAllBytes(tiny, new byte[] { 1, 2 });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => AudioFile.Load(tiny)).Message, tiny);

        // A real WAV header whose format chunk is cut off.
        string good = TestAudio.Write(Path.Combine(dir, "good.wav"), 16000, TestAudio.Sine(440, 16000, 0.1, 0.5f));
        string corrupt = Path.Combine(dir, "corrupt.wav");
        File.WriteAllBytes(corrupt, File.ReadAllBytes(good)[..20]);
        var damaged = Assert.ThrowsExactly<InvalidDataException>(() => AudioFile.Load(corrupt));
        StringAssert.Contains(damaged.Message, corrupt);
        StringAssert.Contains(damaged.Message, "could not be decoded as WAV");

        string ogg = Path.Combine(dir, "corrupt.ogg");
        File.WriteAllBytes(ogg, File.ReadAllBytes(TestAudio.OggSine)[..200]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => AudioFile.Load(ogg)).Message, ogg);
    }

    [TestMethod]
    public void WavWriterQuantisesAsTheOfficialCode()
    {
        string path = Path.Combine(TempDirectory(), "out", "w.wav");
        AudioFile.WriteWav(path, new[] { 0f, 0.5f, -0.5f, 1f, -1f, 1.7f, -3f, float.NaN, 0.99999f }, 22050);
        using (var reader = new WaveFileReader(path))
        {
            Assert.AreEqual(16, reader.WaveFormat.BitsPerSample);
            Assert.AreEqual(1, reader.WaveFormat.Channels);
            Assert.AreEqual(22050, reader.WaveFormat.SampleRate);
            var bytes = new byte[reader.Length];
            reader.ReadExactly(bytes);
            var pcm = Enumerable.Range(0, bytes.Length / 2).Select(i => BitConverter.ToInt16(bytes, 2 * i)).ToArray();
            CollectionAssert.AreEqual(new short[] { 0, 16383, -16383, 32767, -32767, 32767, -32767, 0, 32766 }, pcm);
        }
        var (back, rate) = AudioFile.ReadMono(path);
        Assert.AreEqual(22050, rate);
        Assert.AreEqual(0.5f, back[1], 1e-4f);
    }

    public sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    [TestMethod]
    public void LoadAudioIsATransformOfAnyPipelineAndWriteWavsWritesItsRows()
    {
        string dir = TempDirectory();
        TestAudio.Write(Path.Combine(dir, "low.wav"), 16000, TestAudio.Sine(200, 16000, 0.2, 0.3f));
        TestAudio.Write(Path.Combine(dir, "high.wav"), 8000, TestAudio.Sine(800, 8000, 0.2, 0.7f, 0.7f));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = "low.wav" }, new PathRow { Path = "high.wav" } });
        var pipeline = ml.Transforms.Gan().LoadAudio("Audio", dir, "Path", sampleRate: 16000, sliceLength: 4000)
            .Append(ml.Transforms.CopyColumns("Copy", "Audio"));
        var shape = pipeline.GetOutputSchema(ShapeOf<PathRow>(ml));
        var loaded = pipeline.Fit(data).Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 4000), loaded.Schema["Audio"].Type);
        Assert.IsTrue(shape.Any(c => c.Name == "Audio" && c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single));
        var clips = loaded.GetColumn<float[]>("Copy").ToArray();
        Assert.AreEqual(2, clips.Length);
        Assert.AreEqual(1f, clips[0].Max(Math.Abs), 1e-6f);
        Assert.IsTrue(clips[1].Skip(3201).All(v => v == 0), "0.2 s at 16 kHz after resampling from 8 kHz.");

        var written = AudioFile.WriteWavs(loaded, "Audio", Path.Combine(dir, "out"), 16000, "x");
        CollectionAssert.AreEqual(new[] { "x00000.wav", "x00001.wav" }, written.Select(Path.GetFileName).ToArray());
        Assert.AreEqual(4000, AudioFile.ReadMono(written[1]).Samples.Length);
    }

    [TestMethod]
    public void LoadAudioNamesTheColumnRowAndFile()
    {
        string dir = TempDirectory();
        TestAudio.Write(Path.Combine(dir, "ok.wav"), 16000, TestAudio.Sine(200, 16000, 0.1, 0.3f));
        File.WriteAllText(Path.Combine(dir, "bad.wav"), "nope");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = "ok.wav" }, new PathRow { Path = "bad.wav" } });
        var loaded = ml.Transforms.Gan().LoadAudio("Audio", dir, "Path").Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => loaded.GetColumn<float[]>("Audio").ToArray());
        StringAssert.Contains(e.Message, "'Path', row 1");
        StringAssert.Contains(e.Message, Path.Combine(dir, "bad.wav"));

        var numbers = ml.Data.LoadFromEnumerable(new[] { new { Path = 3f } }.Select(r => new NumberRow { Path = r.Path }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().LoadAudio("Audio", null, "Path").Fit(numbers)).Message, "expected text");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().LoadAudio("Audio", null, "Nope").Fit(data)).Message, "'Nope' was not found");
    }

    public sealed class NumberRow
    {
        public float Path { get; set; }
    }
}
