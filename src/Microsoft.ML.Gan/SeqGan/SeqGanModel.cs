using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.SeqGan;

/// <summary>The settings SeqGAN's training needs (the estimator's options, resolved); defaults are the official code's.</summary>
internal sealed record SeqGanSettings
{
    public int VocabularySize { get; init; } = 5000;
    public int SequenceLength { get; init; } = 20;
    public int EmbeddingSize { get; init; } = 32;
    public int HiddenSize { get; init; } = 32;
    public int DiscriminatorEmbeddingSize { get; init; } = 64;
    public IReadOnlyList<(int Window, int Filters)> DiscriminatorFilters { get; init; } = SeqGanDiscriminator.OfficialFilters;
    public double DropoutKeepProbability { get; init; } = 0.75;
    public double DiscriminatorL2 { get; init; } = 0.2;
    public int BatchSize { get; init; } = 64;
    /// <summary>MLE epochs over the real sequences (PRE_EPOCH_NUM).</summary>
    public int PretrainEpochs { get; init; } = 120;
    /// <summary>Rounds of discriminator pretraining, each on fresh negatives.</summary>
    public int DiscriminatorPretrainRounds { get; init; } = 50;
    /// <summary>Discriminator epochs over each set of fresh negatives.</summary>
    public int DiscriminatorEpochsPerRound { get; init; } = 3;
    /// <summary>Adversarial rounds (TOTAL_BATCH): one generator step, then discriminator training.</summary>
    public int AdversarialRounds { get; init; } = 200;
    /// <summary>Sets of fresh negatives the discriminator trains on per adversarial round.</summary>
    public int AdversarialDiscriminatorRounds { get; init; } = 5;
    public int RolloutCount { get; init; } = 16;
    /// <summary>0: rollouts from the current generator (what the official code computes); see <see cref="Rollout"/>.</summary>
    public double RolloutUpdateRate { get; init; }
    public double GeneratorLearningRate { get; init; } = 0.01;
    public double DiscriminatorLearningRate { get; init; } = 1e-4;
    public double GradientClipNorm { get; init; } = 5.0;
    /// <summary>Evaluate after MLE epochs and adversarial rounds whose 0-based index is a multiple of this (official: 5), and after the last.</summary>
    public int EvaluateEvery { get; init; } = 5;
    /// <summary>Identifies the training data (e.g. a hash of the vocabulary) so that a checkpoint of other data is refused.</summary>
    public string DataFingerprint { get; init; } = "";
    /// <summary><see cref="GanTrainerOptions.FlatAdam"/>; null: on where the discriminator's and the MLE updates are CUDA graphs.</summary>
    public bool? FlatAdam { get; init; }
    /// <summary><see cref="SeqGanEstimator.Options.CudaGraphs"/>: replay the discriminator's and the MLE updates as CUDA graphs on a GPU.</summary>
    public bool? CudaGraphs { get; init; }
}

/// <summary>The training phases, in order.</summary>
internal enum SeqGanPhase
{
    /// <summary>MLE pretraining of the generator.</summary>
    Pretraining,
    /// <summary>Discriminator pretraining on the pretrained generator's samples.</summary>
    DiscriminatorPretraining,
    /// <summary>Policy-gradient generator steps with rollout rewards, each followed by discriminator training.</summary>
    Adversarial,
}

/// <summary>One evaluation (NLL-oracle on the synthetic task) after 0-based epoch or round <paramref name="Index"/> of <paramref name="Phase"/>.</summary>
internal sealed record SeqGanEvaluation(SeqGanPhase Phase, int Index, double Value);

/// <summary>
/// SeqGAN's training as the official <c>sequence_gan.py</c> runs it, one loop step per update:
/// <list type="number">
/// <item>MLE: <c>PretrainEpochs</c> epochs over the real sequences in a fixed order (the code's loader never shuffles), Adam 0.01, clip 5;</item>
/// <item>discriminator pretraining: <c>DiscriminatorPretrainRounds</c> × (sample as many negatives as positives, shuffle, <c>DiscriminatorEpochsPerRound</c> epochs), Adam 1e-4;</item>
/// <item><c>AdversarialRounds</c> × (one policy-gradient step on a batch with rollout rewards, a fresh Adam 0.01 and clip 5;
/// rollout update; <c>AdversarialDiscriminatorRounds</c> × (fresh negatives, <c>DiscriminatorEpochsPerRound</c> epochs)).</item>
/// </list>
/// The discriminator minimises the mean cross-entropy + 0.2 × L2 of its output layer, with dropout (keep 0.75).
/// Adam is PyTorch's (<see cref="GanAdam"/>); TensorFlow's adds its ε to √v̂·√(1 − β₂ᵗ) rather than to √v̂, a difference
/// of order 1e-8 in the denominator.
/// </summary>
internal sealed class SeqGanModel : IGanModel
{
    private readonly SeqGanSettings _s;
    private readonly Tensor _real;
    private readonly Func<SeqGanModel, double>? _evaluate;
    private readonly Device _device;
    // Multinomial and dropout draws: a seeded CPU generator; on a GPU, libtorch draws only with a CUDA generator,
    // which TorchSharp cannot create, so there they come from the device's default generator, seeded once.
    private readonly Generator _cpuSampling;
    private readonly Generator? _sampling;
    // The official code makes two Adam optimisers for G (pretrain_opt, g_opt), so adversarial training starts with
    // fresh moments.
    private readonly GanAdam _optimizerMle, _optimizerAdversarial, _optimizerD;
    private readonly Rollout _rollout;
    private readonly List<SeqGanEvaluation> _evaluations = new();
    private readonly long _mleBatches, _dRoundSteps, _adversarialRoundSteps;
    private Tensor? _dSequences, _dLabels;
    // With CUDA graphs: the discriminator's and the MLE updates as graphs, and the batches they read, filled before
    // each replay.
    private readonly CudaGraphStep? _discriminatorGraph, _mleGraph;
    private readonly Tensor? _dBatch, _dBatchLabels, _mleBatch;
    private long _step;

    /// <param name="settings">The hyperparameters and phase lengths; their defaults are the official <c>sequence_gan.py</c>'s.</param>
    /// <param name="real">The real sequences [N, SequenceLength] (int64 token ids below VocabularySize), N ≥ BatchSize.</param>
    /// <param name="evaluate">Scores the generator (NLL-oracle on the synthetic task) at the code's evaluation points; null for none.</param>
    /// <param name="device">Where the networks and a copy of <paramref name="real"/> live and train.</param>
    /// <param name="seed">Seeds the weight initialisation and the multinomial and dropout draws (and, on a GPU, its
    /// default generator), so that a CPU run is reproducible.</param>
    public SeqGanModel(SeqGanSettings settings, Tensor real, Func<SeqGanModel, double>? evaluate, Device device, long seed)
    {
        _s = settings;
        if (real.dim() != 2 || real.shape[1] != settings.SequenceLength || real.dtype != int64)
            throw new ArgumentException($"Expected int64 sequences [N, {settings.SequenceLength}].", nameof(real));
        if (real.shape[0] < settings.BatchSize)
            throw new ArgumentException($"{real.shape[0]} sequences are fewer than one batch of {settings.BatchSize}.", nameof(real));
        (_evaluate, _device) = (evaluate, device);
        _real = real.to(device, copy: true).DetachFromDisposeScope();
        var random = new GanRandom(seed);
        using var init = new Generator((ulong)random.NextSeed());
        _cpuSampling = new Generator((ulong)random.NextSeed());
        _sampling = device.type == DeviceType.CPU ? _cpuSampling : null;
        if (device.type == DeviceType.CUDA) cuda.manual_seed(random.NextSeed());

        // oneDNN's convolution backward gave this discriminator non-finite gradients on the CPU (the oracle bench,
        // vocabulary 5,000, one libtorch thread: D's loss NaN at its third pretraining step; a two-thread run gave NaN
        // embedding gradients at the first step). The estimator's device choice already applies the CPU training
        // settings; a model built directly (the benches) applies them here.
        if (device.type == DeviceType.CPU) GanEnvironment.UseCpu();
        Generator = new SeqGanGenerator(settings.VocabularySize, settings.EmbeddingSize, settings.HiddenSize);
        Discriminator = new SeqGanDiscriminator(settings.VocabularySize, settings.SequenceLength, settings.DiscriminatorEmbeddingSize,
            settings.DiscriminatorFilters, settings.DropoutKeepProbability);
        Generator.InitNormal(0.1, init);
        Discriminator.InitOfficial(init);
        Generator.to(device);
        Discriminator.to(device);
        bool graphs = UsesCudaGraphs(settings, device);
        _optimizerMle = new GanAdam(Generator.parameters(), settings.GeneratorLearningRate, flat: settings.FlatAdam ?? graphs, capturable: graphs);
        _optimizerAdversarial = new GanAdam(Generator.parameters(), settings.GeneratorLearningRate, flat: settings.FlatAdam ?? graphs);
        _optimizerD = new GanAdam(Discriminator.parameters(), settings.DiscriminatorLearningRate, flat: settings.FlatAdam ?? graphs, capturable: graphs);
        if (graphs)
        {
            Tensor Batch(params long[] shape) => zeros(shape, dtype: int64, device: device).DetachFromDisposeScope();
            (_dBatch, _dBatchLabels, _mleBatch) = (Batch(settings.BatchSize, settings.SequenceLength), Batch(settings.BatchSize), Batch(settings.BatchSize, settings.SequenceLength));
            _discriminatorGraph = new CudaGraphStep(() => [DiscriminatorUpdate(_dBatch, _dBatchLabels)]);
            _mleGraph = new CudaGraphStep(() => [MleUpdate(_mleBatch)]);
        }
        _rollout = new Rollout(Generator, settings.RolloutUpdateRate);

        _mleBatches = real.shape[0] / settings.BatchSize;
        NegativeCount = _mleBatches * settings.BatchSize;
        _dRoundSteps = settings.DiscriminatorEpochsPerRound * ((real.shape[0] + NegativeCount) / settings.BatchSize);
        _adversarialRoundSteps = 1 + settings.AdversarialDiscriminatorRounds * _dRoundSteps;
        PretrainingSteps = settings.PretrainEpochs * _mleBatches;
        DiscriminatorPretrainingSteps = settings.DiscriminatorPretrainRounds * _dRoundSteps;
        StepsPerEpoch = PretrainingSteps + DiscriminatorPretrainingSteps + settings.AdversarialRounds * _adversarialRoundSteps;
    }

    /// <summary>Whether training on <paramref name="device"/> replays the discriminator's and the MLE updates as CUDA graphs (<see cref="SeqGanEstimator.Options.CudaGraphs"/>).</summary>
    internal static bool UsesCudaGraphs(SeqGanSettings settings, Device device) =>
        // On by default: on an H200 both graphed updates matched the eager ones and the discriminator's took 2.2 ms
        // against 9.8 (BENCHMARKS.md, "GPU (H200, 2026-11-27, third GPU session)").
        CudaGraphStep.Wanted("SeqGAN", settings.CudaGraphs, onByDefault: true, device);

    public SeqGanGenerator Generator { get; }
    public SeqGanDiscriminator Discriminator { get; }
    public SeqGanSettings Settings => _s;
    public IReadOnlyList<SeqGanEvaluation> Evaluations => _evaluations;

    /// <summary>Negatives sampled for each round of discriminator training (the code's 156 batches of 64 = 9,984).</summary>
    public long NegativeCount { get; }
    public long PretrainingSteps { get; }
    public long DiscriminatorPretrainingSteps { get; }

    /// <summary>Sequences from the generator [count, SequenceLength], drawn from the training sampler.</summary>
    public Tensor Sample(long count)
    {
        using var scope = NewDisposeScope();
        var batches = new List<Tensor>();
        // Batches of 1,024 rows keep the [rows, V] softmax small at large vocabularies.
        for (long done = 0; done < count; done += 1024)
            batches.Add(Generator.Sample(Math.Min(1024, count - done), _s.SequenceLength, _sampling));
        return cat(batches, 0).MoveToOuterDisposeScope();
    }

    public string Kind => "SeqGAN";

    public string Fingerprint => FormattableString.Invariant(
        $"V={_s.VocabularySize}, L={_s.SequenceLength}, E={_s.EmbeddingSize}, H={_s.HiddenSize}, D_E={_s.DiscriminatorEmbeddingSize}, filters={string.Join(' ', _s.DiscriminatorFilters.Select(f => $"{f.Window}x{f.Filters}"))}, keep={_s.DropoutKeepProbability}, l2={_s.DiscriminatorL2}, batch={_s.BatchSize}, ") +
        FormattableString.Invariant(
        $"mle={_s.PretrainEpochs}, d_pre={_s.DiscriminatorPretrainRounds}x{_s.DiscriminatorEpochsPerRound}, adv={_s.AdversarialRounds}x{_s.AdversarialDiscriminatorRounds}, rollouts={_s.RolloutCount}, rollout_rate={_s.RolloutUpdateRate}, lr_g={_s.GeneratorLearningRate}, lr_d={_s.DiscriminatorLearningRate}, clip={_s.GradientClipNorm}, N={_real.shape[0]}, data={_s.DataFingerprint}");

    // The schedule has three phases of different step kinds, so the loop sees one long epoch; the model places
    // each step itself.
    public int Epochs => 1;
    public long StepsPerEpoch { get; }
    public int SamplesPerStep => _s.BatchSize;
    public void BeginEpoch(int epoch) { }

    public IReadOnlyList<(string Name, double Rate)> LearningRates => new[]
    {
        ("G_mle", _optimizerMle.LearningRate), ("G_adv", _optimizerAdversarial.LearningRate), ("D", _optimizerD.LearningRate),
    };

    /// <summary>The phase of the next step.</summary>
    public SeqGanPhase Phase =>
        _step < PretrainingSteps ? SeqGanPhase.Pretraining
        : _step < PretrainingSteps + DiscriminatorPretrainingSteps ? SeqGanPhase.DiscriminatorPretraining
        : SeqGanPhase.Adversarial;

    public IReadOnlyList<(string Name, Tensor Value)> TrainStep(GanRandom random)
    {
        var losses = Phase switch
        {
            SeqGanPhase.Pretraining => PretrainingStep(_step),
            SeqGanPhase.DiscriminatorPretraining => new[] { ("D", DiscriminatorStep(_step - PretrainingSteps, random)) },
            _ => AdversarialStep(_step - PretrainingSteps - DiscriminatorPretrainingSteps, random),
        };
        _step++;
        return losses;
    }

    private (string, Tensor)[] PretrainingStep(long step)
    {
        var loss = TrainMaximumLikelihood(_real.narrow(0, step % _mleBatches * _s.BatchSize, _s.BatchSize));
        if ((step + 1) % _mleBatches == 0) Evaluate(SeqGanPhase.Pretraining, (int)(step / _mleBatches), _s.PretrainEpochs);
        return new[] { ("G_mle", loss) };
    }

    /// <summary>
    /// One MLE update of the generator on real sequences <paramref name="batch"/> [BatchSize, SequenceLength], replayed
    /// as a CUDA graph where training uses one; returns the loss (detached).
    /// </summary>
    internal Tensor TrainMaximumLikelihood(Tensor batch)
    {
        if (_mleGraph is null) return MleUpdate(batch);
        _mleBatch!.copy_(batch);
        return _mleGraph.Run()[0];
    }

    /// <summary>The MLE update: mean token NLL, backward, global-norm clip, Adam; no host synchronisation (a CUDA graph can capture it).</summary>
    private Tensor MleUpdate(Tensor batch)
    {
        _optimizerMle.ZeroGrad();
        var loss = Generator.MaximumLikelihoodLoss(batch);
        loss.backward();
        _optimizerMle.ClipGlobalNorm(_s.GradientClipNorm);
        _optimizerMle.Step();
        return loss.detach();
    }

    /// <summary>One discriminator batch; <paramref name="step"/> counts the discriminator steps of the current phase.</summary>
    private Tensor DiscriminatorStep(long step, GanRandom random)
    {
        long inRound = step % _dRoundSteps;
        if (inRound == 0 || _dSequences is null) NewDiscriminatorData(random);
        // The code resets its pointer between epochs without reshuffling: every epoch of a round sees the same batches.
        long batches = _dRoundSteps / _s.DiscriminatorEpochsPerRound;
        long start = inRound % batches * _s.BatchSize;
        return TrainDiscriminator(_dSequences!.narrow(0, start, _s.BatchSize), _dLabels!.narrow(0, start, _s.BatchSize));
    }

    /// <summary>
    /// One discriminator update on sequences <paramref name="x"/> [BatchSize, SequenceLength] with labels
    /// <paramref name="y"/> [BatchSize] (1 real, 0 generated), replayed as a CUDA graph where training uses one; returns
    /// the loss (detached).
    /// </summary>
    internal Tensor TrainDiscriminator(Tensor x, Tensor y)
    {
        if (_discriminatorGraph is null) return DiscriminatorUpdate(x, y);
        _dBatch!.copy_(x);
        _dBatchLabels!.copy_(y);
        return _discriminatorGraph.Run()[0];
    }

    /// <summary>
    /// The discriminator's update on sequences <paramref name="x"/> with labels <paramref name="y"/>: cross-entropy with
    /// dropout + L2 of the output layer, one Adam step; returns the loss (detached). No host synchronisation, so that it
    /// can be captured as a CUDA graph.
    /// </summary>
    private Tensor DiscriminatorUpdate(Tensor x, Tensor y)
    {
        _optimizerD.ZeroGrad();
        var loss = nn.functional.cross_entropy(Discriminator.TrainingLogits(x, _sampling), y)
                   + _s.DiscriminatorL2 * Discriminator.OutputL2();
        loss.backward();
        _optimizerD.Step();
        return loss.detach();
    }

    /// <summary>The code's <c>load_train_data</c>: all positives and fresh negatives, labelled 1 / 0, shuffled, cut to whole batches.</summary>
    private void NewDiscriminatorData(GanRandom random)
    {
        using var scope = NewDisposeScope();
        var negatives = Sample(NegativeCount);
        var sequences = cat(new[] { _real, negatives }, 0);
        var labels = cat(new[] { ones(_real.shape[0], dtype: int64, device: _device), zeros(NegativeCount, dtype: int64, device: _device) });
        long used = sequences.shape[0] / _s.BatchSize * _s.BatchSize;
        var order = tensor(random.Permutation((int)sequences.shape[0]).Take((int)used).Select(i => (long)i).ToArray(), device: _device);
        _dSequences?.Dispose();
        _dLabels?.Dispose();
        _dSequences = sequences.index_select(0, order).DetachFromDisposeScope();
        _dLabels = labels.index_select(0, order).DetachFromDisposeScope();
    }

    private (string, Tensor)[] AdversarialStep(long step, GanRandom random)
    {
        long inRound = step % _adversarialRoundSteps;
        if (inRound > 0)
        {
            return new[] { ("D", DiscriminatorStep(inRound - 1, random)) };
        }
        int round = (int)(step / _adversarialRoundSteps);
        Tensor samples, rewards;
        using (no_grad())
        {
            samples = Generator.Sample(_s.BatchSize, _s.SequenceLength, _sampling);
            rewards = _rollout.Rewards(samples, _s.RolloutCount, Discriminator, _sampling);
        }
        _optimizerAdversarial.ZeroGrad();
        var loss = Losses.PolicyGradient(Generator.TokenLogProbabilities(samples), rewards);
        loss.backward();
        _optimizerAdversarial.ClipGlobalNorm(_s.GradientClipNorm);
        _optimizerAdversarial.Step();
        Evaluate(SeqGanPhase.Adversarial, round, _s.AdversarialRounds);
        _rollout.Update();
        return new[] { ("G_adv", loss.detach()), ("reward", rewards.mean()) };
    }

    private void Evaluate(SeqGanPhase phase, int index, int count)
    {
        if (_evaluate is null || (index % _s.EvaluateEvery != 0 && index != count - 1)) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _evaluations.Add(new SeqGanEvaluation(phase, index, _evaluate(this)));
    }

    public void SaveState(Checkpoint checkpoint)
    {
        checkpoint.AddModule("G", Generator);
        checkpoint.AddModule("D", Discriminator);
        if (_rollout.Delayed is { } delayed) checkpoint.AddModule("rollout", delayed);
        checkpoint.AddOptimizer("optimizer_G_mle", _optimizerMle);
        checkpoint.AddOptimizer("optimizer_G_adv", _optimizerAdversarial);
        checkpoint.AddOptimizer("optimizer_D", _optimizerD);
        checkpoint.Tensors["sampling_random"] = _cpuSampling.get_state();
        checkpoint.Scalars["seqgan.step"] = _step;
        if (_dSequences is not null)
        {
            checkpoint.Tensors["d_sequences"] = _dSequences;
            checkpoint.Tensors["d_labels"] = _dLabels!;
        }
        checkpoint.AddRecords("evaluation", _evaluations.Select(e => new[] { (double)e.Phase, e.Index, e.Value }).ToList());
    }

    public void LoadState(Checkpoint checkpoint)
    {
        checkpoint.LoadModule("G", Generator);
        checkpoint.LoadModule("D", Discriminator);
        if (_rollout.Delayed is { } delayed) checkpoint.LoadModule("rollout", delayed);
        checkpoint.LoadOptimizer("optimizer_G_mle", _optimizerMle);
        checkpoint.LoadOptimizer("optimizer_G_adv", _optimizerAdversarial);
        checkpoint.LoadOptimizer("optimizer_D", _optimizerD);
        _cpuSampling.set_state(checkpoint.GetTensor("sampling_random"));
        _step = checkpoint.GetLong("seqgan.step");
        if (checkpoint.Tensors.ContainsKey("d_sequences"))
        {
            // The loop disposes the checkpoint's tensors after loading: keep copies.
            _dSequences?.Dispose();
            _dLabels?.Dispose();
            _dSequences = checkpoint.GetTensor("d_sequences").to(_device, copy: true).DetachFromDisposeScope();
            _dLabels = checkpoint.GetTensor("d_labels").to(_device, copy: true).DetachFromDisposeScope();
        }
        _evaluations.Clear();
        _evaluations.AddRange(checkpoint.GetRecords("evaluation").Select(v => new SeqGanEvaluation((SeqGanPhase)(int)v[0], (int)v[1], v[2])));
    }

    public Tensor? SampleGrid() => null;

    public void Dispose()
    {
        _optimizerMle.Dispose();
        _optimizerAdversarial.Dispose();
        _discriminatorGraph?.Dispose();
        _mleGraph?.Dispose();
        foreach (var t in new[] { _dBatch, _dBatchLabels, _mleBatch }) t?.Dispose();
        _optimizerD.Dispose();
        _rollout.Dispose();
        _cpuSampling.Dispose();
        _dSequences?.Dispose();
        _dLabels?.Dispose();
        _real.Dispose();
        // The generator and the discriminator outlive training: the transformer samples and scores with them.
    }
}
