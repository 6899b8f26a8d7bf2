using Microsoft.ML.Data;
using Microsoft.ML.Gan.Tests.Onnx;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.WaveGan;

[TestClass]
public sealed class SpecGanEstimatorTests
{
    internal static WaveGanEstimator.Options Tiny()
    {
        var options = WaveGanEstimatorTests.Tiny();
        options.Architecture = WaveGanArchitecture.SpecGan;
        return options;
    }

    private static WaveGanTransformer Fit(int seed)
    {
        var ml = new MLContext(seed: seed);
        return ml.Transforms.Gan().WaveGan(Tiny()).Fit(WaveGanEstimatorTests.TrainingData(ml));
    }

    [TestMethod]
    public void TrainsGeneratesWaveformsAndScoresSpectrograms()
    {
        var ml = new MLContext(seed: 1);
        var data = WaveGanEstimatorTests.TrainingData(ml);
        using var model = Fit(1);
        Assert.AreEqual(WaveGanArchitecture.SpecGan, model.Architecture);
        Assert.AreEqual(10, model.TrainingClips);
        Assert.AreEqual(1, model.SkippedClips, "The silent clip is skipped, and left out of the moments.");

        var scored = model.Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 16384), scored.Schema["Waveform"].Type);
        var scores = scored.GetColumn<float>("Score").ToArray();
        Assert.AreEqual(11, scores.Length);
        Assert.IsTrue(scores.All(float.IsFinite));
        Assert.AreEqual(model.Score(TestAudio.Sine(220, 16000, 16384 / 16000.0, 0.8f)[0]), scores[0], 1e-5f);
        Assert.AreNotEqual(scores[0], scores[1], "The critic sees each clip's spectrogram.");

        var generated = model.Generate(2);
        var latents = generated.GetColumn<float[]>("Latent").ToArray();
        var waves = generated.GetColumn<float[]>("Waveform").ToArray();
        Assert.IsTrue(waves.All(w => w.Length == 16384 && w.All(float.IsFinite) && w.Any(v => v != 0)));
        CollectionAssert.AreEqual(model.Generate(latents[1]), waves[1], "The latent column drives the generator and Griffin-Lim.");
        CollectionAssert.AreNotEqual(waves[0], waves[1]);
    }

    [TestMethod]
    public void TheSameSeedTrainsTheSameSpecGan()
    {
        using var first = Fit(3);
        using var second = Fit(3);
        using var other = Fit(4);
        CollectionAssert.AreEqual(WaveGanEstimatorTests.Weights(first), WaveGanEstimatorTests.Weights(second));
        CollectionAssert.AreEqual(first.Spectrogram!.Mean.data<float>().ToArray(), second.Spectrogram!.Mean.data<float>().ToArray());
        CollectionAssert.AreEqual(first.Generate(1).GetColumn<float[]>("Waveform").Single(), second.Generate(1).GetColumn<float[]>("Waveform").Single());
        CollectionAssert.AreNotEqual(WaveGanEstimatorTests.Weights(first), WaveGanEstimatorTests.Weights(other));
        CollectionAssert.AreEqual(first.Spectrogram.Std.data<float>().ToArray(), other.Spectrogram!.Std.data<float>().ToArray(),
            "The moments depend on the clips only.");
    }

    [TestMethod]
    public void SpecGanOptionsAreCheckedUpFront()
    {
        var ml = new MLContext(seed: 1);
        foreach (var (change, name, expected) in new (Action<WaveGanEstimator.Options>, string, string)[]
        {
            (o => o.SliceLength = 32768, "SliceLength", "16384 (SpecGAN's only slice length)"),
            (o => o.GriffinLimIterations = -1, "GriffinLimIterations", "0 or more"),
            (o => o.Architecture = (WaveGanArchitecture)7, "Architecture", "WaveGan or SpecGan"),
        })
        {
            var options = Tiny();
            change(options);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().WaveGan(options), name);
            StringAssert.Contains(e.Message, $"WaveGAN option {name}");
            StringAssert.Contains(e.Message, expected);
        }
        var wave = WaveGanEstimatorTests.Tiny();
        wave.SliceLength = 32768;
        ml.Transforms.Gan().WaveGan(wave);
    }

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(0)]
    [DataRow(16)]
    public void SavedSpecGanGeneratesTheSameWaveformsInAProcessWithoutOurAssembly(int iterations)
    {
        var ml = new MLContext(seed: 7);
        var options = Tiny();
        options.GriffinLimIterations = iterations;
        options.DiscriminatorUpdates = 1;
        using var model = ml.Transforms.Gan().WaveGan(options).Fit(WaveGanEstimatorTests.TrainingData(ml));
        var generated = model.Generate(3);
        string zip = Path.Combine(TempDirectory(), "specgan.zip");
        ml.Model.Save(model, generated.Schema, zip);

        var latents = generated.GetColumn<float[]>("Latent").ToArray();
        var ours = generated.GetColumn<float[]>("Waveform").ToArray();
        var theirs = RoundTripProcess.Score(zip, latents, "Latent", "Waveform");

        Assert.AreEqual(3, theirs.Length);
        Assert.IsTrue(theirs.All(w => w.Length == 16384));
        float peak = ours.Max(w => w.Max(Math.Abs));
        float worst = ours.Zip(theirs).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        TestContext.WriteLine($"{iterations} iterations: peak {peak}, largest difference {worst}");
        // ONNX Runtime and libtorch sum the DFTs in other orders; each Griffin-Lim iteration re-derives the phase of
        // near-silent bins from those rounding differences, so 16 iterations agree to about 10⁻³ of the peak, not 10⁻⁶.
        float tolerance = iterations == 0 ? 1e-5f : 5e-3f;
        Assert.IsTrue(worst <= tolerance * peak, $"Largest difference {worst} exceeds {tolerance} of the peak {peak}.");
    }
}
