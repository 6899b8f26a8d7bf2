using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.WaveGan;

/// <summary>The settings WaveGAN's training needs (the estimator's options, resolved); defaults are the official code's.</summary>
internal sealed record WaveGanSettings
{
    public int SliceLength { get; init; } = 16384;
    public int LatentSize { get; init; } = 100;
    public int ModelSize { get; init; } = 64;
    public int PhaseShuffle { get; init; } = 2;
    public int DiscriminatorUpdates { get; init; } = 5;
    public double GradientPenalty { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    public int Epochs { get; init; } = 1;
    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.9;
    /// <summary><see cref="GanTrainerOptions.FlatAdam"/>; null: off (WaveGAN's steps are not CUDA graphs).</summary>
    public bool? FlatAdam { get; init; }
    public WaveGanArchitecture Architecture { get; init; } = WaveGanArchitecture.WaveGan;
    /// <summary><see cref="WaveGanEstimator.Options.MixedPrecision"/>: the networks' forward passes in bfloat16 under autocast.</summary>
    public bool MixedPrecision { get; init; }
    /// <summary><see cref="GanTrainerOptions.NonBlockingCopies"/> (on by default there; settings built directly, as the benches build them, start with it off).</summary>
    public bool NonBlockingCopies { get; init; }
    /// <summary>How the WaveGAN critic computes its convolutions in training (<see cref="WaveGanEstimator.Options.CriticConvolutionsAsMatrixProducts"/>, settled by device).</summary>
    public ConvolutionForm ConvolutionForm { get; init; }
    /// <summary>
    /// The WaveGAN generator's transposed convolutions as matrix products (<see cref="WaveGanGenerator.MatrixProducts"/>).
    /// For the benches only until a GPU has timed it (<c>bench/gpu/next.sh</c>).
    /// </summary>
    public bool GeneratorMatrixProducts { get; init; }
}

/// <summary>
/// WaveGAN's training as the official <c>train_wavegan.py</c> does it with <c>--wavegan_loss wgan-gp</c>: per step
/// <c>DiscriminatorUpdates</c> critic updates, each on a fresh batch of real clips and of fakes from fresh
/// z ~ U(−1, 1), with loss D(G(z)) − D(x) + λ·GP; then one generator update with loss −D(G(z)). Adam
/// (1e-4, β = 0.5, 0.9) for both. Every call of the critic draws its own phase shifts, as each of the official
/// graph's three critic calls (real, fake, interpolates) does.
/// SpecGAN (<c>train_specgan.py</c>, same loss, update order and optimiser) swaps in the 2-D networks and puts the
/// spectrogram front end (<see cref="SpecGanTransform"/>, moments from all the clips) before the critic's real input.
/// </summary>
/// <remarks>
/// TensorFlow's Adam adds ε to √v̂ before the bias correction of the step size, PyTorch's after; with ε = 1e-8 the two
/// agree to far below float precision of the weights, and <see cref="GanAdam"/> follows PyTorch.
/// An epoch is one pass of the critic over the clips: ⌊clips / (batch × DiscriminatorUpdates)⌋ steps (at least one),
/// in an order drawn per epoch; a batch that runs past the end of the order wraps round to its start.
/// </remarks>
internal sealed class WaveGanModel : IGanModel
{
    private readonly WaveGanSettings _s;
    private readonly Tensor _clips; // [N, 1, SliceLength] on the CPU
    private readonly Device _device;
    private readonly long _dataSeed;
    // Latents and penalty mixing weights, on every device: TorchSharp's Generator is a CPU one, so on a GPU they are
    // drawn on the host and copied (the mixing weights are one number per clip of a critic batch), and a checkpoint's
    // generator state resumes them.
    private readonly Generator _noise;
    private readonly GanRandom _shuffleRandom;
    private readonly GanAdam _optimizerG, _optimizerD;
    private readonly SpecGanTransform? _spectrogram;
    private int[] _epochOrder = Array.Empty<int>();
    private long _stepInEpoch;

    /// <param name="settings">The hyperparameters; their defaults are the official <c>train_wavegan.py</c>'s.</param>
    /// <param name="clips">[N, 1, SliceLength] real clips in [−1, 1], on the CPU; batches move to <paramref name="device"/>.</param>
    /// <param name="device">Where the networks live and train.</param>
    /// <param name="seed">Seeds the weight initialisation, the epoch order, the latent, penalty and phase-shuffle draws
    /// (and, on a GPU, its default generator), so that a CPU run is reproducible.</param>
    /// <param name="cancellation">Stops SpecGAN's pass over the clips for the spectrogram moments.</param>
    public WaveGanModel(WaveGanSettings settings, Tensor clips, Device device, long seed, CancellationToken cancellation = default)
    {
        if (clips.dim() != 3 || clips.shape[1] != 1 || clips.shape[2] != settings.SliceLength)
            throw new ArgumentException($"Expected clips of shape [N, 1, {settings.SliceLength}]; got [{string.Join(", ", clips.shape)}].", nameof(clips));
        if (clips.shape[0] == 0) throw new ArgumentException("There are no clips to train on.", nameof(clips));
        if (settings.MixedPrecision && Autocast.WhyUnavailable is { } why)
            throw new NotSupportedException($"WaveGAN option MixedPrecision is true, but autocast is unavailable: {why}.");
        _s = settings;
        (_clips, _device) = (clips, device);
        var random = new GanRandom(seed);
        _dataSeed = random.NextSeed();
        using var init = new Generator((ulong)random.NextSeed());
        _noise = new Generator((ulong)random.NextSeed());
        if (device.type == DeviceType.CUDA) cuda.manual_seed(random.NextSeed());
        _shuffleRandom = new GanRandom(random.NextSeed());
        if (settings.Architecture == WaveGanArchitecture.SpecGan)
        {
            if (settings.SliceLength != SpecGanTransform.SliceLength)
                throw new ArgumentException($"SpecGAN generates slices of {SpecGanTransform.SliceLength} samples; got {settings.SliceLength}.", nameof(settings));
            _spectrogram = SpecGanTransform.FromClips(clips, device, settings.BatchSize, cancellation);
            Generator = new SpecGanGenerator(settings.LatentSize, settings.ModelSize);
            Discriminator = new SpecGanDiscriminator(settings.ModelSize);
        }
        else
        {
            Generator = new WaveGanGenerator(settings.LatentSize, settings.ModelSize, settings.SliceLength) { MatrixProducts = settings.GeneratorMatrixProducts };
            Discriminator = new WaveGanDiscriminator(settings.ModelSize, settings.SliceLength, settings.PhaseShuffle, _shuffleRandom)
            {
                ConvolutionForm = settings.ConvolutionForm,
            };
        }
        TensorFlowInit.GlorotUniform(Generator, init);
        TensorFlowInit.GlorotUniform(Discriminator, init);
        Generator.to(device);
        Discriminator.to(device);
        _optimizerG = new GanAdam(Generator.parameters(), settings.LearningRate, settings.Beta1, settings.Beta2, flat: settings.FlatAdam ?? false);
        _optimizerD = new GanAdam(Discriminator.parameters(), settings.LearningRate, settings.Beta1, settings.Beta2, flat: settings.FlatAdam ?? false);
        StepsPerEpoch = Math.Max(1, clips.shape[0] / ((long)settings.BatchSize * settings.DiscriminatorUpdates));
    }

    public nn.Module<Tensor, Tensor> Generator { get; }
    public nn.Module<Tensor, Tensor> Discriminator { get; }

    /// <summary>SpecGAN's front end with the training set's moments (null for WaveGAN); the transformer inverts with it.</summary>
    public SpecGanTransform? Spectrogram => _spectrogram;

    public string Kind => _s.Architecture == WaveGanArchitecture.SpecGan ? "SpecGAN" : "WaveGAN";

    public string Fingerprint => FormattableString.Invariant(
        $"clips={_clips.shape[0]}, slice={_s.SliceLength}, latent={_s.LatentSize}, d={_s.ModelSize}, phase_shuffle={_s.PhaseShuffle}, d_updates={_s.DiscriminatorUpdates}, gp={_s.GradientPenalty}, batch={_s.BatchSize}, epochs={_s.Epochs}, lr={_s.LearningRate}, betas={_s.Beta1}/{_s.Beta2}");

    public int Epochs => _s.Epochs;
    public long StepsPerEpoch { get; }
    public int SamplesPerStep => _s.BatchSize;

    public IReadOnlyList<(string Name, double Rate)> LearningRates =>
        new[] { ("G", _optimizerG.LearningRate), ("D", _optimizerD.LearningRate) };

    public void BeginEpoch(int epoch)
    {
        // The order depends only on the data seed and the epoch, so a resumed run sees the same batches.
        _epochOrder = new GanRandom(_dataSeed + epoch).Permutation((int)_clips.shape[0]);
        _stepInEpoch = _optimizerG.StepCount - (epoch - 1) * StepsPerEpoch;
    }

    /// <summary>z ~ U(−1, 1), [count, LatentSize], as the official <c>tf.random_uniform([n, 100], -1, 1)</c>.</summary>
    public Tensor Latent(int count) =>
        HostToDevice.Copy(rand(new long[] { count, _s.LatentSize }, generator: _noise) * 2 - 1, _device, _s.NonBlockingCopies);

    /// <summary>The real clips of critic update <paramref name="update"/> of the current step.</summary>
    internal Tensor RealBatch(int update)
    {
        long first = (_stepInEpoch * _s.DiscriminatorUpdates + update) * _s.BatchSize;
        var indices = new long[_s.BatchSize];
        for (int i = 0; i < indices.Length; i++) indices[i] = _epochOrder[(first + i) % _epochOrder.Length];
        return HostToDevice.Copy(_clips.index_select(0, tensor(indices)), _device, _s.NonBlockingCopies);
    }

    public IReadOnlyList<(string Name, Tensor Value)> TrainStep(GanRandom random)
    {
        using var kernels = _spectrogram is null ? null : SpecGanShape.CpuKernels(_device);
        var criticLosses = new List<Tensor>();
        var penalties = new List<Tensor>();
        for (int k = 0; k < _s.DiscriminatorUpdates; k++)
        {
            // Each update's activations go when it ends, as PyTorch frees them, not when the whole step does
            // (five updates' worth held at once took 11.7 GiB on the GPU at the paper's size against PyTorch's 3.0).
            using var update = NewDisposeScope();
            _optimizerD.ZeroGrad();
            var real = RealBatch(k);
            // The official t_to_f: the critic sees the real clips' normalised spectrograms, with no gradient.
            if (_spectrogram is not null) real = _spectrogram.ToSpectrogram(real);
            Tensor fake;
            using (no_grad()) fake = Generate(Latent(_s.BatchSize));
            var penalty = Losses.GradientPenalty(Critic, real, fake, _noise);
            var loss = Critic(fake).mean() - Critic(real).mean() + _s.GradientPenalty * penalty;
            loss.backward();
            _optimizerD.Step();
            criticLosses.Add(loss.detach().MoveToOuterDisposeScope());
            penalties.Add(penalty.detach().MoveToOuterDisposeScope());
        }
        _stepInEpoch++;

        // The critic's weights get no gradient from the generator's loss (the official G_opt minimises over G_vars only).
        Layers.SetRequiresGrad(false, Discriminator);
        try
        {
            _optimizerG.ZeroGrad();
            var generatorLoss = -Critic(Generate(Latent(_s.BatchSize))).mean();
            generatorLoss.backward();
            _optimizerG.Step();
            return new[] { ("D", stack(criticLosses).mean()), ("G", generatorLoss.detach()), ("GP", stack(penalties).mean()) };
        }
        finally
        {
            Layers.SetRequiresGrad(true, Discriminator);
        }
    }

    // The networks in training (in bfloat16 with MixedPrecision; the gradient penalty's norm stays float32).
    private Tensor Generate(Tensor z) => Layers.Forward(Generator, z, _s.MixedPrecision);

    private Tensor Critic(Tensor x) => Layers.Forward(Discriminator, x, _s.MixedPrecision);

    public void SaveState(Checkpoint checkpoint)
    {
        checkpoint.AddModule("G", Generator);
        checkpoint.AddModule("D", Discriminator);
        checkpoint.AddOptimizer("optimizer_G", _optimizerG);
        checkpoint.AddOptimizer("optimizer_D", _optimizerD);
        checkpoint.Tensors["noise_random"] = _noise.get_state();
        checkpoint.AddRandom("phase_shuffle_random", _shuffleRandom);
        checkpoint.AddDataSeed(_dataSeed);
    }

    public void LoadState(Checkpoint checkpoint)
    {
        checkpoint.CheckDataSeed(_dataSeed);
        checkpoint.LoadModule("G", Generator);
        checkpoint.LoadModule("D", Discriminator);
        checkpoint.LoadOptimizer("optimizer_G", _optimizerG);
        checkpoint.LoadOptimizer("optimizer_D", _optimizerD);
        _noise.set_state(checkpoint.GetTensor("noise_random"));
        checkpoint.LoadRandom("phase_shuffle_random", _shuffleRandom);
    }

    public Tensor? SampleGrid() => null;

    public void Dispose()
    {
        _optimizerG.Dispose();
        _optimizerD.Dispose();
        _noise.Dispose();
        // The networks and SpecGAN's front end outlive training: the transformer generates with G and scores with D.
    }
}
