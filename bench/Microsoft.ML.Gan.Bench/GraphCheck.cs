using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.SeqGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>graph-check --gan seqgan|seqgan-mle|cyclegan --gpu true</c>: a GAN's training replayed as CUDA graphs (its
/// CudaGraphs option) against the same training launched kernel by kernel. Two models with the same seed are trained side by side on the
/// same data with the same host draws; the check prints each step's losses and their largest difference (relative
/// where a loss exceeds 1), then how far apart the two runs' parameters are against how far training moved them, and
/// then the time of one step either way (median of <c>--reps</c>). PASS: every loss within <c>--tolerance</c>, the
/// parameters within 100 × <c>--tolerance</c> of the distance moved.
/// <list type="bullet">
/// <item>seqgan: the discriminator's update at the paper's size (vocabulary 5,000, length 20, batch 64) on fixed random
/// batches, dropout off, so that no random draw tells the two apart.</item>
/// <item>seqgan-mle: the generator's MLE update (with its global-norm clip) at the same size, on fixed random batches.</item>
/// <item>cyclegan: whole steps (generators' update, history pool, discriminators' update) at <c>--size</c> with
/// <c>--blocks</c> (default the paper's 128×128 setting, 6 blocks, ngf = ndf = 64, batch 1), with the resize-crop-flip
/// augmentation. The GPU's convolutions need not be bit-for-bit reproducible, so a small tolerance is allowed.</item>
/// </list>
/// On the CPU, <c>--cuda-graphs false</c> compares two eager models (a dry run: every difference must be exactly 0).
/// </summary>
internal static class GraphCheck
{
    /// <summary>One side of the comparison: a training step, its parameters, and what to release at the end.</summary>
    private sealed record Trainer(Func<int, IReadOnlyList<(string Name, Tensor Value)>> Step, Func<IEnumerable<Tensor>> Parameters, Action Release);

    public static int Run(CommandOptions o)
    {
        string gan = o.String("gan", "seqgan");
        int steps = o.Int("steps", 30), reps = o.Int("reps", 50);
        double tolerance = o.Double("tolerance", gan == "cyclegan" ? 1e-3 : 1e-4);
        int size = o.Int("size", 128), blocks = o.Int("blocks", 6), filters = o.Int("filters", 64);
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        bool graphs = GpuOptions.CudaGraphs ?? true;
        Func<bool, Trainer> make = gan switch
        {
            "seqgan" => withGraphs => SeqGan(withGraphs, steps, device, mle: false),
            "seqgan-mle" => withGraphs => SeqGan(withGraphs, steps, device, mle: true),
            "cyclegan" => withGraphs => CycleGan(withGraphs, size, blocks, filters, device),
            _ => throw new ArgumentException($"--gan takes seqgan, seqgan-mle or cyclegan; found '{gan}'."),
        };
        Console.WriteLine($"graph-check --gan {gan} on {device}: CUDA graph {(graphs ? "on" : "off")} against eager, {steps} steps compared, "
            + $"{reps} timed{(gan == "cyclegan" ? $", {size}×{size}, {blocks} blocks, ngf = ndf = {filters}" : "")}, flat Adam {GpuOptions.FlatAdamSetting}; {MachineInfo.Now()}");
        var eager = make(false);
        var graphed = make(graphs);
        try
        {
            return Compare(eager, graphed, steps, reps, tolerance, graphs);
        }
        finally
        {
            eager.Release();
            graphed.Release();
        }
    }

    private static int Compare(Trainer eager, Trainer graphed, int steps, int reps, double tolerance, bool graphs)
    {
        // Both start from the same weights (same seed); the eager side's are kept to measure how far training moved them.
        var initial = eager.Parameters().Select(p => p.detach().clone()).ToList();
        double worstLoss = 0;
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var a = eager.Step(i);
            var b = graphed.Step(i);
            var differences = a.Zip(b, (x, y) => (x.Name, Eager: (double)x.Value.item<float>(), Graphed: (double)y.Value.item<float>())).ToList();
            // Relative to the loss where it exceeds 1 (CycleGAN's cycle losses are about 5).
            double worst = differences.Max(d => Math.Abs(d.Eager - d.Graphed) / Math.Max(1, Math.Abs(d.Eager)));
            worstLoss = Math.Max(worstLoss, worst);
            Console.WriteLine($"step {i + 1}: " + string.Join(", ", differences.Select(d => FormattableString.Invariant($"{d.Name} {d.Eager:F5} / {d.Graphed:F5}")))
                + FormattableString.Invariant($"; largest difference {worst:G3}"));
        }
        // The parameters as a whole: the distance between the two runs against the distance training moved them. A GPU's
        // convolutions and index_add need not sum in the same order twice, and Adam turns the rounding noise of a
        // gradient that is zero in exact arithmetic (a convolution bias before an instance norm) into steps of up to
        // its learning rate, so single parameters may part by more than the runs as a whole.
        double Distance(IEnumerable<Tensor> x, IEnumerable<Tensor> y) =>
            Math.Sqrt(x.Zip(y, (p, q) => { using var d = (p - q).to(float64).pow(2).sum(); return d.item<double>(); }).Sum());
        double moved = Distance(eager.Parameters(), initial), apart = Distance(eager.Parameters(), graphed.Parameters());
        double relative = moved > 0 ? apart / moved : apart;
        foreach (var t in initial) t.Dispose();
        bool same = worstLoss <= tolerance && relative <= 100 * tolerance;
        Console.WriteLine(FormattableString.Invariant(
            $"after {steps} steps: largest loss difference {worstLoss:G3} (tolerance {tolerance:G3}); parameters {apart:G3} apart after moving {moved:G3}, ratio {relative:G3} (tolerance {100 * tolerance:G3}): {(same ? "PASS" : "FAIL")}"));

        double Median(Trainer trainer)
        {
            var ms = new List<double>();
            for (int i = 0; i < reps; i++)
            {
                using var scope = NewDisposeScope();
                // Every loss read each step, as the training loop does (and the steps harness).
                ms.Add(Timing.Milliseconds(() => { foreach (var (_, value) in trainer.Step(steps + i)) value.item<float>(); }));
            }
            return Summary.Of(ms).Median;
        }
        double eagerMs = Median(eager), graphedMs = Median(graphed);
        Console.WriteLine(FormattableString.Invariant(
            $"step, median of {reps}: eager {eagerMs:F2} ms, {(graphs ? "CUDA graphs" : "eager again")} {graphedMs:F2} ms, ratio {graphedMs / eagerMs:F3}"));
        return same ? 0 : 1;
    }

    /// <summary>SeqGAN's discriminator update (dropout off) or its generator's MLE update, on fixed random batches.</summary>
    private static Trainer SeqGan(bool graphs, int batchCount, Device device, bool mle)
    {
        const int vocabulary = 5000;
        var settings = new SeqGanSettings
        {
            VocabularySize = vocabulary, SequenceLength = 20, BatchSize = 64, DropoutKeepProbability = 1,
            PretrainEpochs = 0, DiscriminatorPretrainRounds = 1, AdversarialRounds = 0, CudaGraphs = graphs, FlatAdam = GpuOptions.FlatAdam,
        };
        // The same draws for both trainers: the batches depend only on this seed.
        using var draws = new Generator(5);
        using var real = randint(vocabulary, new long[] { settings.BatchSize, settings.SequenceLength }, generator: draws, dtype: int64);
        var batches = Enumerable.Range(0, batchCount).Select(_ => (
            X: randint(vocabulary, new long[] { settings.BatchSize, settings.SequenceLength }, generator: draws, dtype: int64).to(device).DetachFromDisposeScope(),
            Y: randint(2, new long[] { settings.BatchSize }, generator: draws, dtype: int64).to(device).DetachFromDisposeScope())).ToList();
        var model = new SeqGanModel(settings, real, null, device, seed: 1);
        return new Trainer(
            i => new[]
            {
                mle ? ("G_mle", model.TrainMaximumLikelihood(batches[i % batchCount].X))
                    : ("D", model.TrainDiscriminator(batches[i % batchCount].X, batches[i % batchCount].Y)),
            },
            () => mle ? model.Generator.parameters() : model.Discriminator.parameters(),
            () =>
            {
                model.Dispose();
                model.Generator.Dispose();
                model.Discriminator.Dispose();
                foreach (var (x, y) in batches)
                {
                    x.Dispose();
                    y.Dispose();
                }
            });
    }

    /// <summary>CycleGAN's whole training step on synthetic images, with its own host random source (the same seed for both).</summary>
    private static Trainer CycleGan(bool graphs, int size, int blocks, int filters, Device device)
    {
        // The model reads its images at every step: they are released with it.
        var a = ImageTensors.ToTensor(SyntheticImages.Generate(8, size, seed: 1), size, size);
        var b = ImageTensors.ToTensor(SyntheticImages.Generate(8, size, seed: 2), size, size);
        var options = new CycleGanEstimator.Options
        {
            BatchSize = 1, ResidualBlocks = blocks, GeneratorFilters = filters, DiscriminatorFilters = filters,
            Epochs = 1_000_000, DecayEpochs = 0, LoadSize = (int)Math.Round(size * 286.0 / 256.0), CudaGraphs = graphs,
            FlatAdam = GpuOptions.FlatAdam,
        };
        var model = new CycleGanModel(options, a, b, device, seed: 1);
        var random = new GanRandom(2);
        var networks = new nn.Module[] { model.GeneratorA, model.GeneratorB, model.DiscriminatorA, model.DiscriminatorB };
        return new Trainer(
            i =>
            {
                if (i % model.StepsPerEpoch == 0) model.BeginEpoch((int)(i / model.StepsPerEpoch) + 1);
                return model.TrainStep(random);
            },
            () => networks.SelectMany(n => n.parameters()),
            () =>
            {
                model.Dispose();
                foreach (var network in networks) network.Dispose();
                a.Dispose();
                b.Dispose();
            });
    }
}
