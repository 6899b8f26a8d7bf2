using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.NetGan;

/// <summary>The settings NetGAN's training needs (the estimator's options, resolved).</summary>
internal sealed record NetGanSettings
{
    public int WalkLength { get; init; } = 16;
    public int BatchSize { get; init; } = 128;
    public int NoiseSize { get; init; } = 16;
    public int GeneratorHiddenSize { get; init; } = 40;
    public int DiscriminatorHiddenSize { get; init; } = 30;
    public int EmbeddingSize { get; init; } = 128;
    public double LearningRate { get; init; } = 3e-4;
    public int DiscriminatorSteps { get; init; } = 3;
    public double GradientPenaltyWeight { get; init; } = 10;
    public double GeneratorL2 { get; init; } = 1e-7;
    public double DiscriminatorL2 { get; init; } = 5e-5;
    public double TemperatureStart { get; init; } = 5.0;
    public double TemperatureMin { get; init; } = 0.5;
    public double TemperatureDecay { get; init; } = 5e-5;
    public int MaxIterations { get; init; } = 50_000;
    public int EvaluateEvery { get; init; } = 500;
    /// <summary><see cref="GanTrainerOptions.FlatAdam"/>; null: on where the iterations are CUDA graphs.</summary>
    public bool? FlatAdam { get; init; }

    /// <summary>
    /// Whether a critic update scores fake, real and mixed walks in one LSTM pass (<see cref="NetGanModel.CriticLoss"/>)
    /// or in three. Null: one on a GPU, where the step is bound by kernel launches, three on the CPU, where one pass
    /// measured 3–6 % slower (the penalty's first backward then runs over all three batches).
    /// </summary>
    public bool? CriticInOnePass { get; init; }

    /// <summary>
    /// Whether a GPU replays each iteration as one CUDA graph (<see cref="CudaGraphStep"/>) instead of launching its
    /// kernels one by one. Null: on a GPU whose libtorch exports the graph API. True on the CPU is an error.
    /// </summary>
    public bool? CudaGraphs { get; init; }

    /// <summary>
    /// Keep a copy of the generator at each evaluation whose validation ROC-AUC + AP is the best so far, for
    /// <see cref="NetGanModel.RestoreBestGenerator"/> after training: the official code's VAL criterion saves the
    /// session at each new best and restores it when training ends.
    /// </summary>
    public bool KeepBestGenerator { get; init; }

    /// <summary>The training graph's <see cref="Graph.Fingerprint"/>, part of the checkpoint's fingerprint.</summary>
    public string DataFingerprint { get; init; } = "";

    /// <summary>
    /// How the critic's generated walks are drawn: both ways draw from the hard generator's distribution. Null: by the
    /// inverse distribution on the CPU, where the Gumbel noise over N nodes was a large share of an iteration, and
    /// as argmax over Gumbel noise on a GPU (the hard generator's own draws; the way the CUDA-graph iteration was
    /// measured with).
    /// </summary>
    public NodeDraw? CriticWalkDraw { get; init; }
}

/// <summary>One evaluation of the generator during training.</summary>
internal sealed record NetGanEvaluation(long Iteration, double EdgeOverlap, double ValidationAuc, double ValidationAveragePrecision);

/// <summary>
/// NetGAN's training as the official <c>netgan.py</c> does it: per iteration one generator step, then
/// <c>DiscriminatorSteps</c> critic steps on fresh real walks, WGAN-GP with L2 on the weights; Adam (β = 0.5, 0.9).
/// Every <c>EvaluateEvery</c> iterations it samples walks at τ = 0.5, builds the score matrix, and lets the stopping
/// criterion decide; the Gumbel temperature is updated at those evaluations, max(τ₀·exp(−decay·it), τ_min).
/// </summary>
internal sealed class NetGanModel : IGanModel
{
    private readonly NetGanSettings _s;
    private readonly Func<int, GanRandom, Tensor> _realWalks;
    private readonly Func<NetGanModel, long, NetGanEvaluation?> _evaluate;
    private readonly Func<IReadOnlyList<NetGanEvaluation>, bool> _stop;
    private readonly Device _device;
    private readonly Generator _noise;
    // Gumbel and gradient-penalty draws: _noise itself on the CPU. On a GPU, libtorch draws only with a CUDA generator,
    // which TorchSharp cannot create (its Generator is always a CPU one), and moving [batch, N] uniforms from the CPU
    // every step would dominate the step; so there they come from the device's default generator, seeded once.
    private readonly Generator? _sampling;
    private readonly GanAdam _optimizerG, _optimizerD;
    private readonly bool _criticInOnePass;
    private readonly NodeDraw _criticWalkDraw;
    private readonly List<NetGanEvaluation> _evaluations = new();
    // With KeepBestGenerator: the generator's state at the best evaluation so far, and that evaluation's iteration.
    private Tensor[]? _best;
    private long _bestIteration;
    // With CUDA graphs: the iteration as a graph, and the real walks it reads, [DiscriminatorSteps, batch, length].
    private readonly CudaGraphStep? _graph;
    private readonly Tensor? _realWalksOnDevice;
    private double _temperature;

    /// <param name="settings">The hyperparameters; their defaults are the official <c>netgan.py</c>'s.</param>
    /// <param name="nodes">N, the number of nodes of the graph (ids 0 … N − 1): the size of the walks' one-hot vectors.</param>
    /// <param name="realWalks">Given a batch size and the loop's random source, a [batch, WalkLength] int64 tensor of random walks on the training graph.</param>
    /// <param name="evaluate">Evaluates the generator (edge overlap, validation link prediction); null when it cannot.</param>
    /// <param name="stop">Given the evaluations so far, whether training should end.</param>
    /// <param name="device">Where the networks live and train; the real walks are moved there.</param>
    /// <param name="seed">Seeds the weight initialisation and the noise, Gumbel and penalty draws (and, on a GPU, its
    /// default generator, from which they are drawn there), so that a CPU run is reproducible.</param>
    public NetGanModel(NetGanSettings settings, int nodes, Func<int, GanRandom, Tensor> realWalks,
        Func<NetGanModel, long, NetGanEvaluation?> evaluate, Func<IReadOnlyList<NetGanEvaluation>, bool> stop, Device device, long seed)
    {
        bool graphs = UsesCudaGraphs(settings, device);
        _s = settings;
        (_realWalks, _evaluate, _stop, _device) = (realWalks, evaluate, stop, device);
        Nodes = nodes;
        var random = new GanRandom(seed);
        using var init = new Generator((ulong)random.NextSeed());
        _noise = new Generator((ulong)random.NextSeed());
        _sampling = device.type == DeviceType.CPU ? _noise : null;
        if (device.type == DeviceType.CUDA) cuda.manual_seed(random.NextSeed());
        Generator = new NetGanGenerator(nodes, settings.NoiseSize, settings.GeneratorHiddenSize, settings.EmbeddingSize);
        Discriminator = new NetGanDiscriminator(nodes, settings.DiscriminatorHiddenSize, settings.EmbeddingSize);
        TensorFlowInit.GlorotUniform(Generator, init);
        TensorFlowInit.GlorotUniform(Discriminator, init);
        Generator.to(device);
        Discriminator.to(device);
        _optimizerG = new GanAdam(Generator.parameters(), settings.LearningRate, 0.5, 0.9, flat: settings.FlatAdam ?? graphs, capturable: graphs);
        _optimizerD = new GanAdam(Discriminator.parameters(), settings.LearningRate, 0.5, 0.9, flat: settings.FlatAdam ?? graphs, capturable: graphs);
        Temperature = settings.TemperatureStart;
        _criticInOnePass = settings.CriticInOnePass ?? device.type == DeviceType.CUDA;
        _criticWalkDraw = settings.CriticWalkDraw ?? (device.type == DeviceType.CUDA ? NodeDraw.GumbelMax : NodeDraw.InverseCdf);
        if (graphs)
        {
            _realWalksOnDevice = zeros(new long[] { settings.DiscriminatorSteps, settings.BatchSize, settings.WalkLength },
                ScalarType.Int64, device).DetachFromDisposeScope();
            var walks = _realWalksOnDevice;
            _graph = new CudaGraphStep(() =>
            {
                var (g, d) = Iteration(walks);
                return [g, d];
            });
        }
    }

    /// <summary>
    /// The model's source of real walks drawn by <paramref name="walker"/>: a [batch, WalkLength] int64 tensor a call.
    /// The walker draws exactly the batch the model asks for.
    /// </summary>
    public static Func<int, GanRandom, Tensor> RealWalksFrom(RandomWalker walker) => (batch, random) =>
    {
        if (batch != walker.BatchSize)
            throw new ArgumentException($"The model asks for batches of {batch} walks; the walker draws {walker.BatchSize}.", nameof(batch));
        return tensor(walker.NextBatch(random).Select(v => (long)v).ToArray(), new long[] { batch, walker.WalkLength });
    };

    /// <summary>Whether training on <paramref name="device"/> replays iterations as CUDA graphs (<see cref="NetGanSettings.CudaGraphs"/>).</summary>
    internal static bool UsesCudaGraphs(NetGanSettings settings, Device device) =>
        CudaGraphStep.Wanted("NetGAN", settings.CudaGraphs, onByDefault: true, device);

    public NetGanGenerator Generator { get; }
    public NetGanDiscriminator Discriminator { get; }
    public int Nodes { get; }
    /// <summary>The Gumbel-softmax temperature of the generator's steps (a captured iteration is captured again when it changes).</summary>
    public double Temperature
    {
        get => _temperature;
        private set
        {
            if (value != _temperature) _graph?.Invalidate();
            _temperature = value;
        }
    }
    public IReadOnlyList<NetGanEvaluation> Evaluations => _evaluations;

    public string Kind => "NetGAN";

    public string Fingerprint => FormattableString.Invariant(
        $"N={Nodes}, walk={_s.WalkLength}, batch={_s.BatchSize}, noise={_s.NoiseSize}, G={_s.GeneratorHiddenSize}, D={_s.DiscriminatorHiddenSize}, W_down={_s.EmbeddingSize}, lr={_s.LearningRate}, d_steps={_s.DiscriminatorSteps}, gp={_s.GradientPenaltyWeight}, max_it={_s.MaxIterations}, eval={_s.EvaluateEvery}, keep_best={_s.KeepBestGenerator}, train_graph={_s.DataFingerprint}");

    public int Epochs => 1;
    public long StepsPerEpoch => _s.MaxIterations;
    public int SamplesPerStep => _s.BatchSize;
    public void BeginEpoch(int epoch) { }
    public IReadOnlyList<(string Name, double Rate)> LearningRates => new[] { ("G", _optimizerG.LearningRate), ("D", _optimizerD.LearningRate) };

    // On a GPU from its default generator: no copy from the host, and a captured iteration draws anew at each replay.
    private Tensor Noise(int count) => _sampling is null
        ? randn(new long[] { count, _s.NoiseSize }, device: _device)
        : randn(new long[] { count, _s.NoiseSize }, generator: _noise);

    /// <summary>Walks from the generator as one-hot [count, WalkLength, N] (differentiable through the Gumbel-softmax).</summary>
    public Tensor GenerateOneHot(int count, double temperature) =>
        Generator.Generate(Noise(count), _s.WalkLength, temperature, hard: true, _sampling);

    /// <summary>
    /// Walks as node ids [count, WalkLength] from the hard generator's distribution, by default drawn the faster way
    /// (<see cref="NodeDraw.InverseCdf"/>), for evaluations and scores.
    /// </summary>
    public Tensor SampleWalks(int count, NodeDraw draw = NodeDraw.InverseCdf) => Generator.Sample(Noise(count), _s.WalkLength, _sampling, draw);

    private static Tensor L2(nn.Module module) =>
        // tf.nn.l2_loss is Σv²/2. The official code means to spare W_down but tests for 'W_down' in names spelt
        // 'W_Down', so every weight is penalised; we follow the code.
        module.parameters().Select(p => p.pow(2).sum() / 2).Aggregate((a, b) => a + b);

    public IReadOnlyList<(string Name, Tensor Value)> TrainStep(GanRandom random)
    {
        // The real walks of all critic steps first: nothing else in the iteration draws from the host's random source.
        var realWalks = stack(Enumerable.Range(0, _s.DiscriminatorSteps).Select(_ => _realWalks(_s.BatchSize, random)));
        Tensor generatorCost, criticCost;
        if (_graph is null) (generatorCost, criticCost) = Iteration(realWalks.to(_device));
        else
        {
            _realWalksOnDevice!.copy_(realWalks);
            var costs = _graph.Run();
            (generatorCost, criticCost) = (costs[0], costs[1]);
        }
        return new[] { ("G", generatorCost), ("D", criticCost) };
    }

    /// <summary>
    /// One iteration on <paramref name="realWalks"/> [DiscriminatorSteps, batch, length] on the device: the generator's
    /// update, then the critic's; returns their costs (the critic's averaged over its steps). Capturable as a CUDA graph:
    /// no host synchronisation, and on a GPU every draw from the device's default generator.
    /// </summary>
    private (Tensor GeneratorCost, Tensor CriticCost) Iteration(Tensor realWalks)
    {
        // Each update's activations go when it ends (as PyTorch frees them), not when the whole iteration does.
        // The generator's update needs the critic's gradient with respect to the walks, not its weights (the official
        // code minimises over the generator's variables only): frozen, the critic spares W_down's [N, 128] gradient.
        Tensor generatorCost;
        Layers.SetRequiresGrad(false, Discriminator);
        try
        {
            using var _ = NewDisposeScope();
            _optimizerG.ZeroGrad();
            var fake = GenerateOneHot(_s.BatchSize, Temperature);
            var cost = -Discriminator.forward(fake).mean() + _s.GeneratorL2 * L2(Generator);
            cost.backward();
            _optimizerG.Step();
            generatorCost = cost.detach().MoveToOuterDisposeScope();
        }
        finally
        {
            Layers.SetRequiresGrad(true, Discriminator);
        }

        // The critic sees real and generated walks as node ids: a one-hot walk · W_down is rows of W_down, and the
        // penalty's mixed walks are mixed in W_down's image (Losses.GradientPenaltyThroughLinearAt). The same losses and
        // gradients as the one-hot form, without its [batch · length, N] products. The generated walks come from the
        // hard Gumbel-softmax's distribution (NetGanSettings.CriticWalkDraw says how they are drawn).
        var costs = new List<Tensor>();
        for (int k = 0; k < _s.DiscriminatorSteps; k++)
        {
            using var update = NewDisposeScope();
            _optimizerD.ZeroGrad();
            var real = Discriminator.EmbedNodes(realWalks[k]);
            var fake = Discriminator.EmbedNodes(SampleWalks(_s.BatchSize, _criticWalkDraw));
            var discriminatorCost = CriticLoss(Discriminator, real, fake, Losses.Mix(real, fake, _sampling), _s.GradientPenaltyWeight, _criticInOnePass)
                + _s.DiscriminatorL2 * L2(Discriminator);
            discriminatorCost.backward();
            _optimizerD.Step();
            costs.Add(discriminatorCost.detach().MoveToOuterDisposeScope());
        }
        return (generatorCost, stack(costs).mean());
    }

    /// <summary>
    /// WGAN-GP's critic loss D(fake) − D(real) + λ·GP at <paramref name="mixed"/>, on walks embedded by W_down. In
    /// one pass the three batches go through the LSTM as one, each row scored on its own as in three passes, so that
    /// a critic update launches about half the LSTM's operations (forward, the penalty's gradient, and the backward
    /// through both); the same loss and gradients either way.
    /// </summary>
    internal static Tensor CriticLoss(NetGanDiscriminator critic, Tensor real, Tensor fake, Tensor mixed, double penaltyWeight, bool onePass)
    {
        if (!onePass)
            return critic.Score(fake).mean() - critic.Score(real).mean()
                + penaltyWeight * Losses.GradientPenaltyThroughLinearAt(critic.Score, mixed, critic.W_down);
        var scores = critic.Score(cat(new[] { fake, real, mixed }, 0)).chunk(3);
        return scores[0].mean() - scores[1].mean()
            + penaltyWeight * Losses.GradientPenaltyThroughLinearOfScores(scores[2], mixed, critic.W_down);
    }

    public bool ShouldStop(long step)
    {
        // The official loop evaluates after iteration index it % eval_every == 0 (0-based, before counting the step);
        // here the step count is used, which shifts evaluations by one iteration.
        if (step % _s.EvaluateEvery != 0 && step != _s.MaxIterations) return false;
        // A run resumed from this step's checkpoint has evaluated it already.
        if (_evaluations.Count == 0 || _evaluations[^1].Iteration != step)
        {
            var evaluation = _evaluate(this, step);
            Temperature = Math.Max(_s.TemperatureStart * Math.Exp(-_s.TemperatureDecay * step), _s.TemperatureMin);
            if (evaluation is not null)
            {
                // As the official code's test, np.sum(val_performances[-1]) > best_performance: a tie keeps the earlier.
                bool best = _evaluations.All(e => Performance(evaluation) > Performance(e));
                _evaluations.Add(evaluation);
                if (_s.KeepBestGenerator && best) KeepGenerator(step);
            }
        }
        return _evaluations.Count > 0 && _stop(_evaluations);
    }

    private static double Performance(NetGanEvaluation e) => e.ValidationAuc + e.ValidationAveragePrecision;

    private void KeepGenerator(long iteration)
    {
        using var _ = no_grad();
        var copies = Generator.state_dict().Values.Select(t => t.detach().clone().DetachFromDisposeScope()).ToArray();
        foreach (var t in _best ?? []) t.Dispose();
        (_best, _bestIteration) = (copies, iteration);
    }

    /// <summary>
    /// Puts back the generator kept at the best evaluation (<see cref="NetGanSettings.KeepBestGenerator"/>) and returns
    /// its iteration; null, leaving the generator as it is, when none was kept.
    /// </summary>
    public long? RestoreBestGenerator()
    {
        if (_best is null) return null;
        using var _ = no_grad();
        foreach (var (target, kept) in Generator.state_dict().Values.Zip(_best)) target.copy_(kept);
        return _bestIteration;
    }

    public void SaveState(Checkpoint checkpoint)
    {
        checkpoint.AddModule("G", Generator);
        checkpoint.AddModule("D", Discriminator);
        checkpoint.AddOptimizer("optimizer_G", _optimizerG);
        checkpoint.AddOptimizer("optimizer_D", _optimizerD);
        checkpoint.Tensors["noise_random"] = _noise.get_state();
        checkpoint.Scalars["temperature"] = Temperature;
        checkpoint.AddRecords("evaluation", _evaluations.Select(e => new[] { e.Iteration, e.EdgeOverlap, e.ValidationAuc, e.ValidationAveragePrecision }).ToList());
        if (_best is not null)
        {
            checkpoint.Scalars["best_G.iteration"] = _bestIteration;
            for (int i = 0; i < _best.Length; i++) checkpoint.Tensors[$"best_G.{i}"] = _best[i];
        }
    }

    public void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadModule("G", Generator);
        checkpoint.LoadModule("D", Discriminator);
        checkpoint.LoadOptimizer("optimizer_G", _optimizerG);
        checkpoint.LoadOptimizer("optimizer_D", _optimizerD);
        _noise.set_state(checkpoint.GetTensor("noise_random"));
        Temperature = checkpoint.GetScalar("temperature");
        _evaluations.Clear();
        _evaluations.AddRange(checkpoint.GetRecords("evaluation").Select(v => new NetGanEvaluation((long)v[0], v[1], v[2], v[3])));
        foreach (var t in _best ?? []) t.Dispose();
        _best = null;
        if (checkpoint.Scalars.ContainsKey("best_G.iteration"))
        {
            // The loop disposes the checkpoint's tensors after loading: keep copies, on the generator's device.
            _best = Generator.state_dict().Values.Select((t, i) => checkpoint.GetTensor($"best_G.{i}").to(t.device, copy: true).DetachFromDisposeScope()).ToArray();
            _bestIteration = checkpoint.GetLong("best_G.iteration");
        }
    }

    public Tensor? SampleGrid() => null;

    public void Dispose()
    {
        _graph?.Dispose();
        _realWalksOnDevice?.Dispose();
        _optimizerG.Dispose();
        _optimizerD.Dispose();
        _noise.Dispose();
        foreach (var t in _best ?? []) t.Dispose();
        Discriminator.Dispose();
        // The generator outlives training: the transformer samples from it.
    }
}
