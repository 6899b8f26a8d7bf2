using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.WaveGan;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// Trains WaveGAN (Donahue, McAuley, Puckette, ICLR 2019): a generator of raw waveforms against a WGAN-GP critic
/// with phase shuffle. The input is a column of clips (from <see cref="GanCatalog.LoadAudio"/>); the fitted
/// <see cref="WaveGanTransformer"/> turns latent vectors into waveforms and scores audio with the critic.
/// </summary>
/// <remarks>
/// Architecture, losses, update order, optimiser settings and initialisation follow the authors' TensorFlow code
/// (<c>wavegan.py</c>, <c>train_wavegan.py</c>). Clips that are all zeros (silent or empty files) are skipped and
/// counted in the log; the rest are read into memory once. At the paper's size a step (5 critic updates and one
/// generator update, batch 64) takes about a minute on two CPU cores: train small models on a CPU
/// (<see cref="Options.ModelSize"/> 8–16, a smaller <see cref="Options.BatchSize"/>), the paper's on a GPU.
/// <see cref="Options.Architecture"/> = <see cref="WaveGanArchitecture.SpecGan"/> trains the paper's SpecGAN instead
/// (<c>specgan.py</c>, <c>train_specgan.py</c>): the same loss, updates and optimiser on 128 × 128 spectrograms
/// normalised by the training clips' moments; the transformer still outputs waveforms, through Griffin-Lim.
/// </remarks>
public sealed class WaveGanEstimator : IEstimator<WaveGanTransformer>
{
    /// <summary>Options of <see cref="WaveGanEstimator"/>; the defaults are the official code's.</summary>
    public sealed class Options : GanTrainerOptions
    {
        /// <summary>
        /// The column of generated waveforms the transformer adds: a vector of <see cref="SliceLength"/> Single values,
        /// in [−1, 1] from WaveGAN; SpecGAN's come from Griffin-Lim and are not bounded (WAV writing clips, as the official code).
        /// </summary>
        public string OutputColumnName = "Waveform";
        /// <summary>The training clips: a vector of <see cref="SliceLength"/> Single values in [−1, 1] (see <see cref="GanCatalog.LoadAudio"/>). The transformer scores this column when its input has it.</summary>
        public string InputColumnName = "Audio";
        /// <summary>The transformer's latent input: a vector of <see cref="LatentSize"/> Single values, U(−1, 1) in training. Drawn per row when the input lacks it.</summary>
        public string LatentColumnName = "Latent";
        /// <summary>The column the transformer adds when its input has <see cref="InputColumnName"/>: the critic's score (higher: more like the training audio).</summary>
        public string ScoreColumnName = "Score";
        /// <summary>Samples per second of the audio (the clips carry no rate; this is the rate written WAVs and <see cref="GanCatalog.LoadAudio"/> use). Paper: 16,000.</summary>
        public int SampleRate = 16000;
        /// <summary>Samples per clip: 16,384 (paper), 32,768 or 65,536, as the official code supports.</summary>
        public int SliceLength = 16384;
        /// <summary>Size of z (paper: 100).</summary>
        public int LatentSize = 100;
        /// <summary>d, the width of both networks: the generator's last hidden layer and the critic's first have d channels (paper: 64).</summary>
        public int ModelSize = 64;
        /// <summary>Phase shuffle's n: the critic's activations are shifted by −n … n samples (paper: 2; 0 turns it off).</summary>
        public int PhaseShuffle = 2;
        /// <summary>Critic updates per generator update (paper: 5).</summary>
        public int DiscriminatorUpdates = 5;
        /// <summary>λ, the weight of WGAN-GP's gradient penalty (paper: 10).</summary>
        public double GradientPenalty = 10;
        /// <summary>Clips per batch (paper: 64).</summary>
        public int BatchSize = 64;
        /// <summary>Passes of the critic over the clips; a step is <see cref="DiscriminatorUpdates"/> batches. The paper trains for days on a GPU: set a budget.</summary>
        public int Epochs = 100;
        /// <summary>Adam's learning rate for both networks (paper: 1e-4; β = 0.5, 0.9).</summary>
        public double LearningRate = 1e-4;
        /// <summary>
        /// WaveGAN (default) or SpecGAN. SpecGAN needs <see cref="SliceLength"/> 16,384 and ignores
        /// <see cref="PhaseShuffle"/>; <see cref="ModelSize"/>, <see cref="LatentSize"/> and the training options mean
        /// the same for both (the official defaults coincide).
        /// </summary>
        public WaveGanArchitecture Architecture = WaveGanArchitecture.WaveGan;
        /// <summary>SpecGAN only: Griffin-Lim iterations when turning a generated spectrogram into a waveform (official: 16).</summary>
        public int GriffinLimIterations = GriffinLim.OfficialIterations;
        /// <summary>
        /// Train with the networks' forward passes in bfloat16 under libtorch's autocast (PyTorch's <c>torch.autocast</c>
        /// policy: convolutions and dense layers in bfloat16, reductions in float32); the weights, their gradients,
        /// Adam's moments, the losses and the gradient penalty's norm stay float32, and the transformer generates in
        /// float32. Meant for GPUs; on the CPU it runs, more slowly. A first step's critic gradients agree with float32's
        /// (cosine 0.998–0.999 on the CPU). On an H200 it did not speed up the step with cuDNN's convolutions (160.5 ms
        /// against 161.1), but with the critic's convolutions as matrix products it took the step from 104.7 to 90.0 ms
        /// (BENCHMARKS.md, "GPU (H200, 2026-11-27, third GPU session)"). Off by default until the paper's scores have
        /// been checked with it (<c>bench/gpu/wavegan-quality.sh</c>).
        /// </summary>
        public bool MixedPrecision;

        /// <summary>
        /// WaveGAN architecture: while training, the critic computes each strided convolution as one matrix product of
        /// its windows (im2col) with the weights, instead of calling cuDNN's convolution, and, on a GPU, the products
        /// use TF32 (the precision cuDNN's convolutions use by default; libtorch's setting is restored when training
        /// ends). The same convolution: the weights, what is saved and the transformer's scoring do not change, and a
        /// first step's critic gradients agree with the direct form's to 1 − cosine 4.7e-5 on an H200 (1.7e-5 between
        /// two direct runs whose clips differ by one part in a million). It pays where cuDNN is slow, in the gradient
        /// penalty's second derivative: the paper's step took 111 ms on an H200 against 163 ms direct (BENCHMARKS.md,
        /// "GPU (H200, 2026-11-27, third GPU session)"). The windows cost GPU memory: 6,911 MiB in use on the device at
        /// the paper's batch of 64 against 4,061 MiB direct; set false on a small GPU. Null (the default): on a GPU,
        /// not on the CPU (where it is not faster and the direct form keeps earlier runs reproducible). SpecGAN's
        /// critic is unaffected. TF32 is a process-wide setting: while a WaveGAN trains on a GPU this way, every
        /// float32 cuBLAS product in the process uses it (the networks' dense layers too).
        /// </summary>
        public bool? CriticConvolutionsAsMatrixProducts;

        internal Options Clone() => (Options)MemberwiseClone();

        /// <param name="device">Where training runs: it settles the options whose default depends on it.</param>
        internal WaveGanSettings ToSettings(Device device) => new()
        {
            SliceLength = SliceLength, LatentSize = LatentSize, ModelSize = ModelSize, PhaseShuffle = PhaseShuffle,
            DiscriminatorUpdates = DiscriminatorUpdates, GradientPenalty = GradientPenalty, BatchSize = BatchSize,
            Epochs = Epochs, LearningRate = LearningRate, FlatAdam = FlatAdam, Architecture = Architecture,
            MixedPrecision = MixedPrecision, NonBlockingCopies = NonBlockingCopies,
            ConvolutionForm = Architecture == WaveGanArchitecture.WaveGan && (CriticConvolutionsAsMatrixProducts ?? device.type == DeviceType.CUDA)
                ? ConvolutionForm.MatrixProduct : ConvolutionForm.Direct,
        };
    }

    private readonly GanEnvironment _env;
    private readonly Options _options;

    internal WaveGanEstimator(IHostEnvironment env, Options options)
    {
        _env = new GanEnvironment(env, "WaveGan");
        // A copy: the user's object may change after this (the next run's settings), and the checks below and the
        // fitted transformer must see the options as they were here.
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        Validate(_options);
    }

    private static void Validate(Options o)
    {
        void Require(bool ok, string name, object value, string expected) => GanTrainerOptions.Require("WaveGAN", ok, name, value, expected);
        foreach (var (name, value) in new[] { (nameof(o.OutputColumnName), o.OutputColumnName), (nameof(o.InputColumnName), o.InputColumnName),
                     (nameof(o.LatentColumnName), o.LatentColumnName), (nameof(o.ScoreColumnName), o.ScoreColumnName) })
            Require(!string.IsNullOrWhiteSpace(value), name, value, "a column name");
        Require(o.SampleRate >= 1, nameof(o.SampleRate), o.SampleRate, "a positive rate in Hz");
        Require(WaveGanShape.SliceLengths.Contains(o.SliceLength), nameof(o.SliceLength), o.SliceLength, string.Join(", ", WaveGanShape.SliceLengths));
        Require(o.LatentSize >= 1, nameof(o.LatentSize), o.LatentSize, "1 or more");
        Require(o.ModelSize >= 1, nameof(o.ModelSize), o.ModelSize, "1 or more");
        Require(o.PhaseShuffle >= 0, nameof(o.PhaseShuffle), o.PhaseShuffle, "0 or more");
        Require(o.DiscriminatorUpdates >= 1, nameof(o.DiscriminatorUpdates), o.DiscriminatorUpdates, "1 or more");
        Require(o.GradientPenalty >= 0, nameof(o.GradientPenalty), o.GradientPenalty, "0 or more");
        Require(o.BatchSize >= 1, nameof(o.BatchSize), o.BatchSize, "1 or more");
        Require(o.Epochs >= 1, nameof(o.Epochs), o.Epochs, "1 or more");
        Require(o.LearningRate > 0, nameof(o.LearningRate), o.LearningRate, "a positive rate");
        Require(Enum.IsDefined(o.Architecture), nameof(o.Architecture), o.Architecture, string.Join(" or ", Enum.GetNames<WaveGanArchitecture>()));
        if (o.Architecture == WaveGanArchitecture.SpecGan)
            Require(o.SliceLength == SpecGanTransform.SliceLength, nameof(o.SliceLength), o.SliceLength, $"{SpecGanTransform.SliceLength} (SpecGAN's only slice length)");
        Require(o.GriffinLimIterations >= 0, nameof(o.GriffinLimIterations), o.GriffinLimIterations, "0 or more");
        o.CheckTrainerOptions();
    }

    /// <summary>Checks the clip column and returns the schema the transformer produces on the training data.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = inputSchema.FirstOrDefault(c => c.Name == _options.InputColumnName);
        if (input.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_options.InputColumnName}' was not found.");
        if (input.Kind != SchemaShape.Column.VectorKind.Vector || input.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Input column '{_options.InputColumnName}' has type {input.ItemType} ({input.Kind}); expected a vector of {_options.SliceLength} Single values (LoadAudio makes one).");
        return ColumnShapes.With(inputSchema,
            ColumnShapes.Of(_options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, _options.SliceLength)),
            ColumnShapes.Of(_options.ScoreColumnName, NumberDataViewType.Single));
    }

    /// <summary>Reads the clips, trains (or resumes from the checkpoint folder) and returns the fitted transformer.</summary>
    public WaveGanTransformer Fit(IDataView input)
    {
        var (clips, skipped) = ReadClips(input);
        using (clips)
        {
            using (var ch = _env.Host.Start("Data"))
                ch.Info(MessageSensitivity.None, $"{(_options.Architecture == WaveGanArchitecture.SpecGan ? "SpecGAN" : "WaveGAN")}: {clips.shape[0]} clips of {_options.SliceLength} samples" +
                    (skipped > 0 ? $"; {skipped} silent or empty clips skipped." : "."));
            var device = _env.ResolveDevice();
            long seed = _env.NextSeed();
            var settings = _options.ToSettings(device);
            var model = new WaveGanModel(settings, clips, device, seed, _options.CancellationToken);
            try
            {
                bool tf32 = settings.ConvolutionForm == ConvolutionForm.MatrixProduct && device.type == DeviceType.CUDA;
                using (tf32 ? LibTorchContext.Tf32MatrixProductsScope() : null)
                    new GanTrainingLoop(_env.Host, _options.ToLoopOptions()).Run(model, seed);
            }
            catch
            {
                model.Generator.Dispose();
                model.Discriminator.Dispose();
                model.Spectrogram?.Dispose();
                throw;
            }
            finally
            {
                model.Dispose();
            }
            // The forms are for training; the transformer scores and generates with the networks' direct forms.
            if (model.Discriminator is WaveGanDiscriminator critic) critic.ConvolutionForm = ConvolutionForm.Direct;
            if (model.Generator is WaveGanGenerator generator) generator.MatrixProducts = false;
            return new WaveGanTransformer(_env.Environment, _options.Clone(), model.Generator, model.Discriminator, model.Spectrogram,
                (int)clips.shape[0], skipped, new GanRandom(seed).NextSeed());
        }
    }

    /// <summary>The non-silent clips as [N, 1, SliceLength] on the CPU, and how many all-zero clips were skipped.</summary>
    private (Tensor Clips, int Skipped) ReadClips(IDataView data)
    {
        var column = WaveGanTransformer.FindClips(data.Schema, _options.InputColumnName, _options.SliceLength);
        int length = _options.SliceLength;
        var kept = new List<float[]>();
        int skipped = 0;
        using var cursor = data.GetRowCursor(new[] { column });
        var get = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            _options.CancellationToken.ThrowIfCancellationRequested();
            get(ref buffer);
            var values = buffer.DenseValues().ToArray();
            bool silent = true;
            for (int i = 0; i < values.Length; i++)
            {
                // The generator ends in a tanh: clips outside [−1, 1] (e.g. 16-bit PCM values as floats) cannot be
                // matched, and training would go on without saying why. A little headroom allows for rounding.
                if (!float.IsFinite(values[i]) || Math.Abs(values[i]) > 1.001f)
                    throw new InvalidDataException($"Input column '{_options.InputColumnName}', row {cursor.Position}: sample {i} is {values[i]}; " +
                        "expected finite samples in [−1, 1] (LoadAudio scales audio files so).");
                silent &= values[i] == 0;
            }
            if (silent) skipped++;
            else kept.Add(values);
        }
        if (kept.Count == 0)
            throw new InvalidOperationException(
                $"Input column '{_options.InputColumnName}' has no audio to train on: {(skipped == 0 ? "the data has no rows" : $"all {skipped} clips are silent or empty")}.");
        var flat = new float[(long)kept.Count * length];
        for (int i = 0; i < kept.Count; i++) kept[i].CopyTo(flat, (long)i * length);
        return (tensor(flat, new long[] { kept.Count, 1, length }).DetachFromDisposeScope(), skipped);
    }
}
