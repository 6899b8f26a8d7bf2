using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;
using static TorchSharp.torch;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.WaveGan;

[TestClass]
public sealed class WaveGanEstimatorTests
{
    public sealed class ClipRow
    {
        public float[] Audio { get; set; } = Array.Empty<float>();
    }

    /// <summary>Rows of clips in a column 'Audio' declared as a vector of <paramref name="length"/> values.</summary>
    internal static IDataView Clips(MLContext ml, IEnumerable<float[]> clips, int length = 16384)
    {
        var definition = SchemaDefinition.Create(typeof(ClipRow));
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return ml.Data.LoadFromEnumerable(clips.Select(c => new ClipRow { Audio = c }).ToList(), definition);
    }

    /// <summary>Ten sine clips of different pitches and one silent one.</summary>
    internal static IDataView TrainingData(MLContext ml) =>
        Clips(ml, Enumerable.Range(0, 10).Select(i => TestAudio.Sine(220 + 110 * i, 16000, 16384 / 16000.0, 0.8f)[0]).Append(new float[16384]));

    internal static WaveGanEstimator.Options Tiny(string? checkpoints = null) => new()
    {
        LatentSize = 8,
        ModelSize = 2,
        BatchSize = 2,
        Epochs = 1,
        CheckpointDirectory = checkpoints,
    };

    internal static float[] Weights(WaveGanTransformer t) =>
        t.Generator.parameters().Concat(t.Discriminator.parameters()).SelectMany(p => p.data<float>().ToArray()).ToArray();

    // PublicationOnly: a Fit that throws is not remembered, so one transient failure fails one test, not every test that
    // shares the model (CI retries a run only when a single test failed).
    private static readonly Lazy<WaveGanTransformer> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        return ml.Transforms.Gan().WaveGan(Tiny()).Fit(TrainingData(ml));
    }, LazyThreadSafetyMode.PublicationOnly);

    [ClassCleanup]
    public static void DisposeTrained()
    {
        if (Trained.IsValueCreated) Trained.Value.Dispose();
    }

    [TestMethod]
    public void TheEstimatorAndItsModelKeepTheOptionsAsTheyWereGiven()
    {
        // A user reusing one Options object for the next run must not change a fitted model, nor slip an unchecked
        // value past the estimator's checks.
        var ml = new MLContext(seed: 1);
        var options = Tiny();
        var estimator = ml.Transforms.Gan().WaveGan(options);
        options.LatentSize = 0; // invalid, after the estimator checked it
        options.OutputColumnName = "Other";
        using var model = estimator.Fit(TrainingData(ml));
        options.LatentSize = 50;
        Assert.AreEqual(8, model.LatentSize);
        Assert.AreEqual("Waveform", model.OutputColumnName);
        var waves = model.Generate(2).GetColumn<float[]>("Waveform").ToArray();
        Assert.AreEqual(2, waves.Length);
        Assert.IsTrue(waves.All(w => w.Length == 16384 && w.All(float.IsFinite)));
    }

    [TestMethod]
    public void TheCriticsConvolutionsAreMatrixProductsOnAGpuUnlessToldOtherwise()
    {
        // Settling the option needs no GPU: only the device's type is read.
        var gpu = new Device(DeviceType.CUDA, 0);
        foreach (var (option, onCpu, onGpu) in new (bool?, ConvolutionForm, ConvolutionForm)[]
                 {
                     (null, ConvolutionForm.Direct, ConvolutionForm.MatrixProduct),
                     (false, ConvolutionForm.Direct, ConvolutionForm.Direct),
                     (true, ConvolutionForm.MatrixProduct, ConvolutionForm.MatrixProduct),
                 })
        {
            var options = new WaveGanEstimator.Options { CriticConvolutionsAsMatrixProducts = option };
            Assert.AreEqual(onCpu, options.ToSettings(CPU).ConvolutionForm, $"option {option?.ToString() ?? "null"} on the CPU");
            Assert.AreEqual(onGpu, options.ToSettings(gpu).ConvolutionForm, $"option {option?.ToString() ?? "null"} on a GPU");
            // SpecGAN's critic is 2-D: the option does not apply (and so brings no TF32 either).
            options.Architecture = WaveGanArchitecture.SpecGan;
            Assert.AreEqual(ConvolutionForm.Direct, options.ToSettings(gpu).ConvolutionForm, $"SpecGAN, option {option?.ToString() ?? "null"}");
        }
    }

    [TestMethod]
    public void TheFittedTransformerScoresWithTheDirectConvolutions()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny();
        options.CriticConvolutionsAsMatrixProducts = true;
        using var model = ml.Transforms.Gan().WaveGan(options).Fit(TrainingData(ml));
        Assert.AreEqual(ConvolutionForm.Direct, ((WaveGanDiscriminator)model.Discriminator).ConvolutionForm, "the forms are for training only");
    }

    [TestMethod]
    public void TheTf32ScopeTurnsMatrixProductsToTf32AndBackOff()
    {
        Assert.IsFalse(backends.cuda.matmul.allow_tf32, "libtorch's default");
        using (var scope = LibTorchContext.Tf32MatrixProductsScope())
        {
            Assert.IsNotNull(scope);
            Assert.IsTrue(backends.cuda.matmul.allow_tf32);
            Assert.IsNull(LibTorchContext.Tf32MatrixProductsScope(), "already on: nothing to undo, so an inner scope cannot turn it off early");
        }
        Assert.IsFalse(backends.cuda.matmul.allow_tf32, "off again");
    }

    [TestMethod]
    public void MixedPrecisionReachesTrainingAndTheModelStillGenerates()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny();
        options.MixedPrecision = true;
        using var model = ml.Transforms.Gan().WaveGan(options).Fit(TrainingData(ml));
        var weights = Weights(model);
        Assert.IsTrue(weights.All(float.IsFinite));
        CollectionAssert.AreNotEqual(Weights(Trained.Value), weights, "the same seed in float32 trains other weights");
        var clip = model.Generate(new float[options.LatentSize]);
        Assert.AreEqual(options.SliceLength, clip.Length);
        Assert.IsTrue(clip.All(v => v >= -1 && v <= 1));
    }

    [TestMethod]
    public void TrainsGeneratesAndScores()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainingData(ml);
        var model = Trained.Value;
        Assert.AreEqual(10, model.TrainingClips);
        Assert.AreEqual(1, model.SkippedClips, "The silent clip is skipped.");

        var scored = model.Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 16384), scored.Schema["Waveform"].Type);
        var scores = scored.GetColumn<float>("Score").ToArray();
        Assert.AreEqual(11, scores.Length);
        Assert.IsTrue(scores.All(float.IsFinite));
        var first = model.Score(TestAudio.Sine(220, 16000, 16384 / 16000.0, 0.8f)[0]);
        Assert.AreEqual(first, scores[0], 1e-5f, "The score column is the critic's score, without phase shuffle.");

        // Rows without a latent column get one drawn from the row position: reading twice gives the same waveform.
        var waves = scored.GetColumn<float[]>("Waveform").Take(2).ToArray();
        CollectionAssert.AreEqual(waves[0], scored.GetColumn<float[]>("Waveform").First());
        CollectionAssert.AreNotEqual(waves[0], waves[1]);
        Assert.IsTrue(waves.All(w => w.Length == 16384 && w.All(v => v is >= -1 and <= 1)));

        var generated = model.Generate(3);
        var latents = generated.GetColumn<float[]>("Latent").ToArray();
        var generatedWaves = generated.GetColumn<float[]>("Waveform").ToArray();
        Assert.AreEqual(3, generatedWaves.Length);
        Assert.IsTrue(latents.All(z => z.Length == 8 && z.All(v => v is >= -1 and < 1)));
        CollectionAssert.AreEqual(model.Generate(latents[1]), generatedWaves[1], "The latent column drives the generator.");
        CollectionAssert.AreNotEqual(latents[0], model.Generate(1).GetColumn<float[]>("Latent").First(), "Each call draws new latents.");
    }

    [TestMethod]
    [DataRow(WaveGanArchitecture.WaveGan, "WaveGAN")]
    [DataRow(WaveGanArchitecture.SpecGan, "SpecGAN")]
    public void ResumingFromACheckpointGivesTheSameWeightsAsAnUninterruptedRun(WaveGanArchitecture architecture, string kind)
    {
        // Two steps of two critic updates each; the run is stopped after the first and resumed.
        WaveGanEstimator.Options Options(string? folder = null)
        {
            var options = Tiny(folder);
            (options.Epochs, options.DiscriminatorUpdates, options.Architecture) = (2, 2, architecture);
            return options;
        }
        var ml = new MLContext(seed: 5);
        using var straight = ml.Transforms.Gan().WaveGan(Options()).Fit(TrainingData(ml));

        string folder = TempDirectory();
        var interrupted = Options(folder);
        using var cancel = TestSupport.CancelAtStep(interrupted, 1);
        var ml2 = new MLContext(seed: 5);
        Assert.ThrowsExactly<OperationCanceledException>(() => ml2.Transforms.Gan().WaveGan(interrupted).Fit(TrainingData(ml2)));
        Assert.AreEqual(1, Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), kind).GetLong("step"));

        var ml3 = new MLContext(seed: 5);
        long firstReported = -1;
        var resumedOptions = Options(folder);
        resumedOptions.ProgressInterval = TimeSpan.Zero;
        resumedOptions.Progress = new SyncProgress(p => { if (firstReported < 0) firstReported = p.Step; });
        using var resumed = ml3.Transforms.Gan().WaveGan(resumedOptions).Fit(TrainingData(ml3));
        Assert.AreEqual(2, firstReported, "The resumed run starts after the checkpoint's step.");
        CollectionAssert.AreEqual(Weights(straight), Weights(resumed));
    }

    [TestMethod]
    public void BadOptionsAreRefusedUpFront()
    {
        var ml = new MLContext(seed: 1);
        foreach (var (change, name) in new (Action<WaveGanEstimator.Options>, string)[]
        {
            (o => o.SliceLength = 16000, "SliceLength"),
            (o => o.BatchSize = 0, "BatchSize"),
            (o => o.LatentSize = 0, "LatentSize"),
            (o => o.PhaseShuffle = -1, "PhaseShuffle"),
            (o => o.DiscriminatorUpdates = 0, "DiscriminatorUpdates"),
            (o => o.GradientPenalty = -1, "GradientPenalty"),
            (o => o.Epochs = 0, "Epochs"),
            (o => o.LearningRate = 0, "LearningRate"),
            (o => o.InputColumnName = " ", "InputColumnName"),
        })
        {
            var options = Tiny();
            change(options);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().WaveGan(options), name);
            StringAssert.Contains(e.Message, $"WaveGAN option {name}");
        }
    }

    [TestMethod]
    public void BadInputGetsAnErrorNamingTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Transforms.Gan().WaveGan(Tiny());
        var shortClips = Clips(ml, new[] { new float[16000] }, 16000);
        var wrongLength = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(shortClips));
        StringAssert.Contains(wrongLength.Message, "'Audio' holds 16000 samples per row; WaveGAN's SliceLength is 16384");

        var variable = ml.Data.LoadFromEnumerable(new[] { new ClipRow { Audio = new float[16384] } });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(variable)).Message, "vectors of varying length");

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().WaveGan("Waveform", "Sound").Fit(shortClips));
        StringAssert.Contains(missing.Message, "'Sound' was not found");

        var silent = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(Clips(ml, new[] { new float[16384], new float[16384] })));
        StringAssert.Contains(silent.Message, "all 2 clips are silent or empty");

        var nan = new float[16384];
        nan[7] = float.NaN;
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => estimator.Fit(Clips(ml, new[] { nan }))).Message, "row 0: sample 7 is NaN");

        // 16-bit PCM values given as floats, not scaled to [−1, 1].
        var pcm = Enumerable.Range(0, 16384).Select(i => (float)Math.Round(12000 * Math.Sin(i / 10.0))).ToArray();
        var loud = Assert.ThrowsExactly<InvalidDataException>(() => estimator.Fit(Clips(ml, new[] { new float[16384], pcm }))).Message;
        StringAssert.Contains(loud, "Input column 'Audio', row 1: sample 1 is 1198");
        StringAssert.Contains(loud, "expected finite samples in [−1, 1]");
    }

    [TestMethod]
    public void TheTransformerChecksItsLatentAndClipColumns()
    {
        var ml = new MLContext(seed: 1);
        var model = Trained.Value;
        AssertOutputSchemaIsTransforms(model, TrainingData(ml)); // with clips: a waveform and a score column
        var wrongLatent = ml.Data.LoadFromEnumerable(new[] { new { Latent = new float[3] } }.Select(r => new LatentRow { Latent = r.Latent }));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(wrongLatent));
        StringAssert.Contains(e.Message, "Latent column 'Latent'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(Clips(ml, new[] { new float[100] }, 100)));
        Assert.ThrowsExactly<ArgumentException>(() => model.Generate(new float[3]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate(0));
    }

    public sealed class LatentRow
    {
        public float[] Latent { get; set; } = Array.Empty<float>();
    }
}
