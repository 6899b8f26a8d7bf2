using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.CycleGan;

/// <summary>
/// CycleGAN's training logic as the official <c>cycle_gan_model.py</c> has it: G_A: A→B, G_B: B→A, D_A judges B,
/// D_B judges A; per step a generator update (LSGAN + cycle + identity, discriminators frozen) and then a
/// discriminator update on history-pool fakes, each D loss halved. One Adam over both generators, one over both
/// discriminators; the learning rate is constant, then decays linearly.
/// </summary>
internal sealed class CycleGanModel : IGanModel
{
    private readonly CycleGanEstimator.Options _options;
    private readonly Tensor _domainA, _domainB; // [N, 3, H, W] in [-1, 1], on the CPU
    private readonly Device _device;
    private readonly long _dataSeed;
    private readonly GanAdam _optimizerG, _optimizerD;
    private readonly HistoryPool _fakeAPool, _fakeBPool;
    private readonly LinearDecaySchedule _schedule;
    private int[] _epochOrder = Array.Empty<int>();
    // With CUDA graphs: the two updates as graphs, and the tensors they read (a full batch of real images each way, and
    // the history pool's answers), filled before each replay.
    private readonly CudaGraphStep? _generatorGraph, _discriminatorGraph;
    private readonly Tensor? _realA, _realB, _pooledA, _pooledB;

    public ResnetGenerator GeneratorA { get; }
    public ResnetGenerator GeneratorB { get; }
    public PatchDiscriminator DiscriminatorA { get; }
    public PatchDiscriminator DiscriminatorB { get; }

    public CycleGanModel(CycleGanEstimator.Options options, Tensor domainA, Tensor domainB, Device device, long seed)
    {
        if (options.MixedPrecision && Autocast.WhyUnavailable is { } why)
            throw new NotSupportedException($"CycleGAN option MixedPrecision is true, but autocast is unavailable: {why}.");
        _options = options;
        (_domainA, _domainB, _device) = (domainA, domainB, device);
        var random = new GanRandom(seed);
        _dataSeed = random.NextSeed();
        using var init = new Generator((ulong)random.NextSeed());
        GeneratorA = new ResnetGenerator(options.ResidualBlocks, 3, options.GeneratorFilters);
        GeneratorB = new ResnetGenerator(options.ResidualBlocks, 3, options.GeneratorFilters);
        DiscriminatorA = new PatchDiscriminator(3, options.DiscriminatorFilters);
        DiscriminatorB = new PatchDiscriminator(3, options.DiscriminatorFilters);
        foreach (var net in new nn.Module[] { GeneratorA, GeneratorB, DiscriminatorA, DiscriminatorB })
        {
            Layers.InitNormal(net, init);
            net.to(device);
        }
        bool graphs = UsesCudaGraphs(options, device);
        _optimizerG = new GanAdam(GeneratorA.parameters().Concat(GeneratorB.parameters()), options.LearningRate, options.Beta1, 0.999,
            flat: options.FlatAdam ?? graphs, capturable: graphs);
        _optimizerD = new GanAdam(DiscriminatorA.parameters().Concat(DiscriminatorB.parameters()), options.LearningRate, options.Beta1, 0.999,
            flat: options.FlatAdam ?? graphs, capturable: graphs);
        _fakeAPool = new HistoryPool(options.PoolSize);
        _fakeBPool = new HistoryPool(options.PoolSize);
        _schedule = new LinearDecaySchedule(options.LearningRate, options.Epochs, options.DecayEpochs);
        StepsPerEpoch = (Math.Max(domainA.shape[0], domainB.shape[0]) + options.BatchSize - 1) / options.BatchSize;
        if (graphs)
        {
            long[] shape = { options.BatchSize, domainA.shape[1], domainA.shape[2], domainA.shape[3] };
            Tensor Static() => zeros(shape, device: device).DetachFromDisposeScope();
            (_realA, _realB, _pooledA, _pooledB) = (Static(), Static(), Static(), Static());
            _generatorGraph = new CudaGraphStep(() =>
            {
                var (fakeA, fakeB, losses) = UpdateGenerators(_realA, _realB);
                return [fakeA, fakeB, .. losses];
            });
            _discriminatorGraph = new CudaGraphStep(() =>
            {
                var (lossA, lossB) = UpdateDiscriminators(_realA, _realB, _pooledA, _pooledB);
                return [lossA, lossB];
            });
        }
    }

    /// <summary>Whether training on <paramref name="device"/> replays the updates as CUDA graphs (<see cref="CycleGanEstimator.Options.CudaGraphs"/>).</summary>
    internal static bool UsesCudaGraphs(CycleGanEstimator.Options options, Device device) =>
        // On by default: on an H200 the graphed step took half the eager step's time or less and trained alike
        // within the GPU's own run-to-run noise (BENCHMARKS.md, "GPU (H200, 2026-11-27, third GPU session)").
        CudaGraphStep.Wanted("CycleGAN", options.CudaGraphs, onByDefault: true, device);

    public string Kind => "CycleGAN";

    public string Fingerprint => FormattableString.Invariant(
        $"size={_domainA.shape[2]}x{_domainA.shape[3]}, A={_domainA.shape[0]}, B={_domainB.shape[0]}, blocks={_options.ResidualBlocks}, ngf={_options.GeneratorFilters}, ndf={_options.DiscriminatorFilters}, batch={_options.BatchSize}, epochs={_options.Epochs}+{_options.DecayEpochs}, lr={_options.LearningRate}, cycle={_options.CycleWeight}, identity={_options.IdentityWeight}, pool={_options.PoolSize}, load={_options.LoadSize}, flip={_options.Flip}");

    public int Epochs => _schedule.TotalEpochs;
    public long StepsPerEpoch { get; }
    public int SamplesPerStep => _options.BatchSize;

    public IReadOnlyList<(string Name, double Rate)> LearningRates =>
        new[] { ("G", _optimizerG.LearningRate), ("D", _optimizerD.LearningRate) };

    private long _stepInEpoch;

    public void BeginEpoch(int epoch)
    {
        _optimizerG.LearningRate = _optimizerD.LearningRate = _schedule.RateAt(epoch);
        // The order of an epoch depends only on the data seed and the epoch, so a resumed run sees the same batches.
        int length = (int)Math.Max(_domainA.shape[0], _domainB.shape[0]);
        _epochOrder = new GanRandom(_dataSeed + epoch).Permutation(length);
        _stepInEpoch = _optimizerG.StepCount - (epoch - 1) * StepsPerEpoch;
    }

    public IReadOnlyList<(string Name, Tensor Value)> TrainStep(GanRandom random)
    {
        // As the official UnalignedDataset: A follows the epoch's order, B is drawn at random (the domains are unpaired).
        int start = (int)(_stepInEpoch * _options.BatchSize);
        int count = Math.Min(_options.BatchSize, _epochOrder.Length - start);
        var indicesA = Enumerable.Range(start, count).Select(i => (long)(_epochOrder[i] % _domainA.shape[0])).ToArray();
        var indicesB = Enumerable.Range(0, count).Select(_ => (long)random.Next((int)_domainB.shape[0])).ToArray();
        _stepInEpoch++;
        // Augmented on the training device: on a GPU the bicubic upscale is a few kernels, where on the CPU it took
        // about 5 ms an image at 256×256 (BENCHMARKS.md, "CPU levers"), in the step's critical path.
        var realA = Augment(HostToDevice.Copy(_domainA.index_select(0, tensor(indicesA)), _device, _options.NonBlockingCopies), random);
        var realB = Augment(HostToDevice.Copy(_domainB.index_select(0, tensor(indicesB)), _device, _options.NonBlockingCopies), random);
        return _generatorGraph is null || count != _options.BatchSize ? Update(realA, realB, random) : UpdateInGraphs(realA, realB, random);
    }

    /// <summary>The official preprocessing <c>resize_and_crop</c> + flip: upscale to LoadSize, random crop back, random mirror.</summary>
    private Tensor Augment(Tensor batch, GanRandom random)
    {
        long h = batch.shape[2], w = batch.shape[3];
        var images = new List<Tensor>();
        for (long i = 0; i < batch.shape[0]; i++)
        {
            var image = batch[i].unsqueeze(0);
            if (_options.LoadSize > h)
            {
                long load = _options.LoadSize, loadW = (long)Math.Round((double)load * w / h);
                image = nn.functional.interpolate(image, new[] { load, loadW }, mode: InterpolationMode.Bicubic, align_corners: false).clamp(-1, 1);
                int top = random.Next((int)(load - h + 1)), left = random.Next((int)(loadW - w + 1));
                image = image[.., .., TensorIndex.Slice(top, top + h), TensorIndex.Slice(left, left + w)];
            }
            if (_options.Flip && random.NextDouble() < 0.5) image = image.flip(3);
            images.Add(image);
        }
        return cat(images, 0);
    }

    /// <summary>One generator update, then one discriminator update (the official <c>optimize_parameters</c>).</summary>
    internal IReadOnlyList<(string Name, Tensor Value)> Update(Tensor realA, Tensor realB, GanRandom random)
    {
        var (fakeA, fakeB, g) = UpdateGenerators(realA, realB);
        var pooledB = _fakeBPool.Query(fakeB, random);
        var pooledA = _fakeAPool.Query(fakeA, random);
        var (lossDA, lossDB) = UpdateDiscriminators(realA, realB, pooledA, pooledB);
        return Named(g, lossDA, lossDB);
    }

    /// <summary><see cref="Update"/> with both updates replayed as CUDA graphs and the history pool between them.</summary>
    private IReadOnlyList<(string Name, Tensor Value)> UpdateInGraphs(Tensor realA, Tensor realB, GanRandom random)
    {
        _realA!.copy_(realA);
        _realB!.copy_(realB);
        var g = _generatorGraph!.Run(); // fakeA, fakeB, then the six losses
        _pooledB!.copy_(_fakeBPool.Query(g[1], random));
        _pooledA!.copy_(_fakeAPool.Query(g[0], random));
        var d = _discriminatorGraph!.Run();
        return Named(g[2..], d[0], d[1]);
    }

    private static IReadOnlyList<(string Name, Tensor Value)> Named(Tensor[] g, Tensor lossDA, Tensor lossDB) =>
        new[] { ("D_A", lossDA), ("G_A", g[0]), ("cycle_A", g[1]), ("idt_A", g[2]),
                ("D_B", lossDB), ("G_B", g[3]), ("cycle_B", g[4]), ("idt_B", g[5]) };

    /// <summary>The discriminators' update on real images and the history pool's fakes; returns D_A's and D_B's losses (detached).</summary>
    private (Tensor LossA, Tensor LossB) UpdateDiscriminators(Tensor realA, Tensor realB, Tensor pooledA, Tensor pooledB)
    {
        Layers.SetRequiresGrad(true, DiscriminatorA, DiscriminatorB);
        _optimizerD.ZeroGrad();
        var lossDA = DiscriminatorLoss(DiscriminatorA, realB, pooledB);
        lossDA.backward();
        var lossDB = DiscriminatorLoss(DiscriminatorB, realA, pooledA);
        lossDB.backward();
        _optimizerD.Step();
        return (lossDA.detach(), lossDB.detach());
    }

    /// <summary>
    /// The generators' update, in a dispose scope of its own so that the six generator passes' activations go
    /// before the discriminators' update, as PyTorch frees them. Returns the translations (detached) and the losses
    /// G_A, cycle_A, idt_A, G_B, cycle_B, idt_B.
    /// </summary>
    private (Tensor FakeA, Tensor FakeB, Tensor[] Losses) UpdateGenerators(Tensor realA, Tensor realB)
    {
        using var scope = NewDisposeScope();
        double cycle = _options.CycleWeight, identity = _options.IdentityWeight;
        Layers.SetRequiresGrad(false, DiscriminatorA, DiscriminatorB);
        _optimizerG.ZeroGrad();
        var fakeB = Forward(GeneratorA, realA);
        var recA = Forward(GeneratorB, fakeB);
        var fakeA = Forward(GeneratorB, realB);
        var recB = Forward(GeneratorA, fakeA);
        Tensor idtA, idtB;
        if (identity > 0 && cycle > 0)
        {
            idtA = Losses.L1(Forward(GeneratorA, realB), realB) * (cycle * identity);
            idtB = Losses.L1(Forward(GeneratorB, realA), realA) * (cycle * identity);
        }
        else
        {
            idtA = zeros(1, device: _device).squeeze();
            idtB = zeros(1, device: _device).squeeze();
        }
        var ganA = Losses.LeastSquares(Forward(DiscriminatorA, fakeB), real: true);
        var ganB = Losses.LeastSquares(Forward(DiscriminatorB, fakeA), real: true);
        var cycleA = Losses.L1(recA, realA) * cycle;
        var cycleB = Losses.L1(recB, realB) * cycle;
        (ganA + ganB + cycleA + cycleB + idtA + idtB).backward();
        _optimizerG.Step();
        var losses = new[] { ganA, cycleA, idtA, ganB, cycleB, idtB }.Select(l => l.detach().MoveToOuterDisposeScope()).ToArray();
        return (fakeA.detach().MoveToOuterDisposeScope(), fakeB.detach().MoveToOuterDisposeScope(), losses);
    }

    private Tensor DiscriminatorLoss(PatchDiscriminator d, Tensor real, Tensor fake) =>
        (Losses.LeastSquares(Forward(d, real), real: true) + Losses.LeastSquares(Forward(d, fake.detach()), real: false)) * 0.5;

    /// <summary>A network's forward pass in training (in bfloat16 with <see cref="CycleGanEstimator.Options.MixedPrecision"/>).</summary>
    private Tensor Forward(nn.Module<Tensor, Tensor> network, Tensor input) => Layers.Forward(network, input, _options.MixedPrecision);

    private IEnumerable<(string Name, nn.Module Module)> Networks =>
        new (string, nn.Module)[] { ("G_A", GeneratorA), ("G_B", GeneratorB), ("D_A", DiscriminatorA), ("D_B", DiscriminatorB) };

    public void SaveState(Checkpoint checkpoint)
    {
        foreach (var (name, module) in Networks) checkpoint.AddModule(name, module);
        checkpoint.AddOptimizer("optimizer_G", _optimizerG);
        checkpoint.AddOptimizer("optimizer_D", _optimizerD);
        SavePool(checkpoint, "pool_A", _fakeAPool);
        SavePool(checkpoint, "pool_B", _fakeBPool);
        checkpoint.AddDataSeed(_dataSeed);
    }

    public void LoadState(Checkpoint checkpoint)
    {
        checkpoint.CheckDataSeed(_dataSeed);
        foreach (var (name, module) in Networks) checkpoint.LoadModule(name, module);
        checkpoint.LoadOptimizer("optimizer_G", _optimizerG);
        checkpoint.LoadOptimizer("optimizer_D", _optimizerD);
        LoadPool(checkpoint, "pool_A", _fakeAPool);
        LoadPool(checkpoint, "pool_B", _fakeBPool);
    }

    private static void SavePool(Checkpoint c, string name, HistoryPool pool)
    {
        c.Scalars[$"{name}.count"] = pool.Count;
        for (int i = 0; i < pool.Count; i++) c.Tensors[$"{name}.{i}"] = pool.Images[i];
    }

    private void LoadPool(Checkpoint c, string name, HistoryPool pool)
    {
        long count = c.GetLong($"{name}.count");
        pool.Restore(Enumerable.Range(0, (int)count).Select(i => c.GetTensor($"{name}.{i}").to(_device)));
    }

    public Tensor? SampleGrid()
    {
        using var _ = no_grad();
        var real = _domainA[0].unsqueeze(0).to(_device);
        var fake = GeneratorA.forward(real);
        var rec = GeneratorB.forward(fake);
        return ((cat(new[] { real, fake, rec }, 3)[0] + 1) / 2).clamp(0, 1);
    }

    public void Dispose()
    {
        _generatorGraph?.Dispose();
        _discriminatorGraph?.Dispose();
        foreach (var t in new[] { _realA, _realB, _pooledA, _pooledB }) t?.Dispose();
        _optimizerG.Dispose();
        _optimizerD.Dispose();
        _fakeAPool.Dispose();
        _fakeBPool.Dispose();
        DiscriminatorA.Dispose();
        DiscriminatorB.Dispose();
        // The generators outlive training: the transformer owns them.
    }
}
