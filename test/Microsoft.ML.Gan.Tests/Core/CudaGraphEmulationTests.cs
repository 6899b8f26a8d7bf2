using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.NetGan;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Gan.Tests.CycleGan;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

/// <summary>
/// Each GAN's CUDA-graph path with the graphs emulated (<see cref="CudaGraphStep.EmulatedForTests"/>: every replay runs
/// the step eagerly), so that it runs on the CPU: the static inputs it fills, the outputs it reads, the history pool
/// between CycleGAN's two graphs and the capturable optimisers must train to the weights of the eager path from the
/// same seed, and the optimisers must count the replayed steps (checkpoints and CycleGAN's epoch position read the
/// count; a replay runs kernels only, so the count is host work repeated after it). The capture itself needs a GPU
/// (bench graph-check).
/// </summary>
[TestClass]
public sealed class CudaGraphEmulationTests
{
    [TestInitialize]
    public void Emulate() => CudaGraphStep.EmulatedForTests = true;

    [TestCleanup]
    public void StopEmulating() => CudaGraphStep.EmulatedForTests = false;

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void SeqGanTrainsAlikeThroughItsGraphPath(bool flatAdam)
    {
        // Every phase: MLE (graphed), discriminator pretraining (graphed), one adversarial round (eager generator step,
        // graphed discriminator steps). The graphed model with the flat Adam too, against the eager per-tensor one.
        var settings = SameTraining.TinySeqGan(pretrainEpochs: 2);
        using var real = SameTraining.TinySeqGanData();
        using var eager = new SeqGanModel(settings, real, null, GanEnvironment.UseCpu(), seed: 1);
        using var graphed = new SeqGanModel(settings with { CudaGraphs = true, FlatAdam = flatAdam }, real, null, GanEnvironment.UseCpu(), seed: 1);
        AssertGraphs(eager, 0);
        AssertGraphs(graphed, 2);
        foreach (var model in new[] { eager, graphed }) SameTraining.Train(model);
        AssertClose(eager.Generator, graphed.Generator, "G");
        AssertClose(eager.Discriminator, graphed.Discriminator, "D");
        AssertSameStepCounts(eager, graphed);
        foreach (var model in new[] { eager, graphed })
        {
            model.Generator.Dispose();
            model.Discriminator.Dispose();
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void CycleGanTrainsAlikeThroughItsGraphPath(bool flatAdam)
    {
        // Two epochs at the constant rate and two of decay (the capturable Adam's rate changes at each), with the
        // resize-crop-flip and a history pool smaller than the run, so that the pool returns old images too. The
        // graphed model with the flat Adam too, against the eager per-tensor one.
        using var scope = NewDisposeScope();
        var (domainA, domainB) = CycleGanTestData.Domains();
        var options = CycleGanTestData.TinyOptions();
        options.LoadSize = 28;
        var models = new List<CycleGanModel>();
        foreach (bool graphs in new[] { false, true })
        {
            var o = options.Clone();
            o.CudaGraphs = graphs;
            o.FlatAdam = graphs && flatAdam;
            models.Add(new CycleGanModel(o, domainA, domainB, GanEnvironment.UseCpu(), seed: 4));
        }
        AssertGraphs(models[0], 0);
        AssertGraphs(models[1], 2);
        foreach (var model in models) SameTraining.Train(model);
        AssertClose(models[0].GeneratorA, models[1].GeneratorA, "G_A");
        AssertClose(models[0].GeneratorB, models[1].GeneratorB, "G_B");
        AssertClose(models[0].DiscriminatorA, models[1].DiscriminatorA, "D_A");
        AssertClose(models[0].DiscriminatorB, models[1].DiscriminatorB, "D_B");
        AssertSameStepCounts(models[0], models[1]);
        foreach (var model in models)
        {
            model.Dispose();
            foreach (var network in new nn.Module[] { model.GeneratorA, model.GeneratorB, model.DiscriminatorA, model.DiscriminatorB }) network.Dispose();
        }
    }

    [TestMethod]
    public void AGraphedCycleGanResumesWhereItStopped()
    {
        // Interrupted inside the second epoch and resumed, through the estimator with CudaGraphs on: the checkpoint's
        // optimiser counts place the resumed run in its epoch, so it must end where an uninterrupted graphed run ends.
        CycleGanEstimator.Options Options(string folder)
        {
            var o = CycleGanTestData.TinyOptions(folder);
            o.CudaGraphs = true;
            o.CheckpointEvery = 100; // only the checkpoint written on cancellation
            return o;
        }
        var ml = new MLContext(seed: 5);
        using var straight = ml.Transforms.Gan().CycleGan(Options(TestSupport.TempDirectory())).Fit(CycleGanTestData.TrainingData(ml));

        string folder = TestSupport.TempDirectory();
        var interrupted = Options(folder);
        using var cancel = TestSupport.CancelAtStep(interrupted, 5);
        var ml2 = new MLContext(seed: 5);
        Assert.ThrowsExactly<OperationCanceledException>(() => ml2.Transforms.Gan().CycleGan(interrupted).Fit(CycleGanTestData.TrainingData(ml2)));
        var checkpoint = Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), "CycleGAN");
        Assert.AreEqual(5L, checkpoint.GetLong("optimizer_G.step"), "the generators' optimiser counted every replayed step");

        var ml3 = new MLContext(seed: 5);
        using var resumed = ml3.Transforms.Gan().CycleGan(Options(folder)).Fit(CycleGanTestData.TrainingData(ml3));
        var (a, b) = (CycleGanTestData.Weights(straight), CycleGanTestData.Weights(resumed));
        float worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.IsTrue(worst < 1e-5f, $"the resumed graphed run's weights differ by up to {worst}");
    }

    [TestMethod]
    public void AGraphedNetGanCheckpointsItsOptimisersCountsAndResumesFromThem()
    {
        // NetGAN replays its iteration as a graph by default on a GPU. Interrupted at iteration 8 and resumed, the
        // checkpoint must hold 8 generator and 24 critic steps, and the resumed run must end with the generator of an
        // uninterrupted graphed run.
        NetGanEstimator.Options Options(string folder)
        {
            var o = NetGan.NetGanEstimatorTests.Tiny(folder);
            o.CudaGraphs = true;
            return o;
        }
        var ml = new MLContext(seed: 8);
        using var straight = ml.Transforms.Gan().NetGan(Options(TestSupport.TempDirectory())).Fit(ml.Data.LoadFromEnumerable(NetGan.NetGanEstimatorTests.Cliques()));

        string folder = TestSupport.TempDirectory();
        var interrupted = Options(folder);
        using var cancel = TestSupport.CancelAtStep(interrupted, 8);
        var ml2 = new MLContext(seed: 8);
        Assert.ThrowsExactly<OperationCanceledException>(() => ml2.Transforms.Gan().NetGan(interrupted).Fit(ml2.Data.LoadFromEnumerable(NetGan.NetGanEstimatorTests.Cliques())));
        var checkpoint = Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), "NetGAN");
        Assert.AreEqual(8L, checkpoint.GetLong("optimizer_G.step"));
        Assert.AreEqual(24L, checkpoint.GetLong("optimizer_D.step"));

        var ml3 = new MLContext(seed: 8);
        using var resumed = ml3.Transforms.Gan().NetGan(Options(folder)).Fit(ml3.Data.LoadFromEnumerable(NetGan.NetGanEstimatorTests.Cliques()));
        AssertClose(straight.Generator, resumed.Generator, "G");
    }

    /// <summary>A NetGAN small enough for the CPU; an evaluation every 2 iterations anneals the temperature.</summary>
    private static readonly NetGanSettings TinyNetGan = new()
    {
        BatchSize = 8, WalkLength = 5, GeneratorHiddenSize = 6, DiscriminatorHiddenSize = 5, EmbeddingSize = 4,
        EvaluateEvery = 2, TemperatureDecay = 0.1,
    };

    /// <summary>Real walks on 12 nodes from the loop's random source only, so that two models see the same ones.</summary>
    private static Tensor Walks(int count, GanRandom random) =>
        tensor(Enumerable.Range(0, count * 5).Select(_ => (long)random.Next(12)).ToArray(), new long[] { count, 5 });

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void NetGanTrainsAlikeThroughItsGraphPath(bool flatAdam)
    {
        // The temperature's annealing captures the graph again twice on the way. The graphed model with the per-tensor
        // Adam and with the flat one (its default there), against the eager per-tensor one.
        var settings = TinyNetGan;
        using var eager = new NetGanModel(settings with { CudaGraphs = false }, nodes: 12, Walks, (_, _) => null, _ => false, GanEnvironment.UseCpu(), seed: 2);
        using var graphed = new NetGanModel(settings with { CudaGraphs = true, FlatAdam = flatAdam }, nodes: 12, Walks, (_, _) => null, _ => false, GanEnvironment.UseCpu(), seed: 2);
        AssertGraphs(eager, 0);
        AssertGraphs(graphed, 1);
        foreach (var model in new[] { eager, graphed })
        {
            var random = new GanRandom(6);
            for (int i = 1; i <= 6; i++)
            {
                using var step = NewDisposeScope();
                model.TrainStep(random);
                model.ShouldStop(i);
            }
        }
        Assert.IsTrue(graphed.Temperature < settings.TemperatureStart, "the temperature was annealed");
        AssertClose(eager.Generator, graphed.Generator, "G");
        AssertClose(eager.Discriminator, graphed.Discriminator, "D");
        AssertSameStepCounts(eager, graphed);
        eager.Generator.Dispose();
        graphed.Generator.Dispose();
    }

    [TestMethod]
    public void TheFlatAdamIsTheDefaultWhereTheUpdatesAreGraphs()
    {
        // FlatAdam null: flat where a GAN's updates are CUDA graphs, per tensor where they are not (and always for
        // WaveGAN, which has none); an explicit false keeps the per-tensor Adam inside the graphs, an explicit true
        // makes it flat without them.
        using var scope = NewDisposeScope();
        var cpu = GanEnvironment.UseCpu();
        using var seqGanData = SameTraining.TinySeqGanData();
        var seqGan = SameTraining.TinySeqGan();
        var (domainA, domainB) = CycleGanTestData.Domains();
        CycleGanModel CycleGan(bool graphs, bool? flat)
        {
            var o = CycleGanTestData.TinyOptions();
            (o.CudaGraphs, o.FlatAdam) = (graphs, flat);
            return new CycleGanModel(o, domainA, domainB, cpu, seed: 4);
        }
        NetGanModel NetGan(bool graphs, bool? flat) =>
            new(TinyNetGan with { CudaGraphs = graphs, FlatAdam = flat }, nodes: 12, Walks, (_, _) => null, _ => false, cpu, seed: 2);
        foreach (var (graphs, flat, expected) in new (bool, bool?, bool)[] { (true, null, true), (false, null, false), (true, false, false), (false, true, true) })
        {
            var models = new List<object>
            {
                new SeqGanModel(seqGan with { CudaGraphs = graphs, FlatAdam = flat }, seqGanData, null, cpu, seed: 1),
                CycleGan(graphs, flat),
                NetGan(graphs, flat),
            };
            foreach (var model in models)
            {
                var optimizers = SameTraining.Fields<GanAdam>(model);
                Assert.IsTrue(optimizers.Count >= 2 && optimizers.All(o => o.IsFlat == expected),
                    $"{model.GetType().Name} with CudaGraphs {graphs}, FlatAdam {flat?.ToString() ?? "null"}: expected every optimiser with IsFlat {expected}.");
                ((IDisposable)model).Dispose();
                foreach (var network in Networks(model)) network.Dispose();
            }
        }
        using var clips = WaveGan.WaveGanModelTests.Sines(4);
        using var waveGan = new WaveGanModel(WaveGan.WaveGanModelTests.Tiny, clips, cpu, seed: 3);
        var waveGanOptimizers = SameTraining.Fields<GanAdam>(waveGan);
        Assert.IsTrue(waveGanOptimizers.Count >= 2 && waveGanOptimizers.All(o => !o.IsFlat), "WaveGAN, whose steps are not graphs, keeps the per-tensor Adam by default.");
        waveGan.Generator.Dispose();
        waveGan.Discriminator.Dispose();

        static nn.Module[] Networks(object model) => model switch
        {
            SeqGanModel m => [m.Generator, m.Discriminator],
            CycleGanModel m => [m.GeneratorA, m.GeneratorB, m.DiscriminatorA, m.DiscriminatorB],
            NetGanModel m => [m.Generator, m.Discriminator],
            _ => throw new ArgumentException(model.GetType().Name),
        };
    }

    /// <summary>The model's CUDA-graph steps (found by type, so that the test does not depend on field names).</summary>
    private static void AssertGraphs(object model, int expected)
    {
        Assert.AreEqual(expected, SameTraining.Fields<CudaGraphStep>(model).Count, $"{model.GetType().Name}'s CUDA-graph steps");
    }

    /// <summary>Each optimiser of the graphed model has counted as many steps as its eager twin (found by type, in field order).</summary>
    private static void AssertSameStepCounts(object eager, object graphed)
    {
        static long[] Counts(object model) => SameTraining.Fields<GanAdam>(model).Select(o => o.StepCount).ToArray();
        var expected = Counts(eager);
        Assert.IsTrue(expected.Any(c => c > CudaGraphStep.WarmupSteps + 1), "the run replayed some steps");
        CollectionAssert.AreEqual(expected, Counts(graphed), "optimiser step counts, eager against graphed");
    }

    private static void AssertClose(nn.Module expected, nn.Module actual, string network) =>
        SameTraining.AssertClose(expected, actual, network, "through the graph path");
}
