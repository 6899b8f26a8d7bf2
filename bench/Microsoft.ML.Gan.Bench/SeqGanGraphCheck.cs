using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.SeqGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>seqgan-graphs --gpu true</c>: SeqGAN's discriminator update replayed as a CUDA graph (the CudaGraphs option)
/// against the same update run kernel by kernel. Two models with the same seed, dropout off (keep probability 1, so
/// that no random draw tells them apart), are trained on the same fixed batches side by side; the check prints each
/// step's two losses, the largest difference between their discriminators' parameters at the end, and then the time of
/// one update either way (median of <c>--reps</c>). The discriminator is the paper's (vocabulary 5,000, length 20,
/// batch 64). On the CPU, <c>--cuda-graphs false</c> runs the same comparison between two eager models (a dry run:
/// the differences must be exactly 0).
/// </summary>
internal static class SeqGanGraphCheck
{
    public static int Run(CommandOptions o)
    {
        int steps = o.Int("steps", 30), reps = o.Int("reps", 50), vocabulary = o.Int("vocab", 5000);
        double tolerance = o.Double("tolerance", 1e-4);
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        bool graphs = GpuOptions.CudaGraphs ?? true;
        var settings = new SeqGanSettings
        {
            VocabularySize = vocabulary, SequenceLength = 20, BatchSize = 64, DropoutKeepProbability = 1,
            PretrainEpochs = 0, DiscriminatorPretrainRounds = 1, AdversarialRounds = 0,
        };
        Console.WriteLine($"seqgan-graphs on {device}: the discriminator's update, CUDA graph {(graphs ? "on" : "off")} against eager; "
            + $"vocabulary {vocabulary}, batch {settings.BatchSize}, {steps} steps compared, {reps} timed; {MachineInfo.Now()}");

        using var draws = new Generator(5);
        using var real = randint(vocabulary, new long[] { settings.BatchSize, settings.SequenceLength }, generator: draws, dtype: int64);
        var batches = Enumerable.Range(0, steps).Select(_ => (
            X: randint(vocabulary, new long[] { settings.BatchSize, settings.SequenceLength }, generator: draws, dtype: int64).to(device).DetachFromDisposeScope(),
            Y: randint(2, new long[] { settings.BatchSize }, generator: draws, dtype: int64).to(device).DetachFromDisposeScope())).ToList();
        var eager = new SeqGanModel(settings with { CudaGraphs = false }, real, null, device, seed: 1);
        var graphed = new SeqGanModel(settings with { CudaGraphs = graphs }, real, null, device, seed: 1);
        try
        {
            double worstLoss = 0;
            for (int i = 0; i < steps; i++)
            {
                using var scope = NewDisposeScope();
                var (x, y) = batches[i];
                double a = eager.TrainDiscriminator(x, y).item<float>(), b = graphed.TrainDiscriminator(x, y).item<float>();
                worstLoss = Math.Max(worstLoss, Math.Abs(a - b));
                Console.WriteLine(FormattableString.Invariant($"step {i + 1}: loss eager {a:F6}, graphed {b:F6}, difference {Math.Abs(a - b):G3}"));
            }
            double worstParameter = eager.Discriminator.parameters().Zip(graphed.Discriminator.parameters(),
                (p, q) => { using var d = (p - q).abs().max(); return (double)d.item<float>(); }).Max();
            bool same = worstLoss <= tolerance && worstParameter <= tolerance;
            Console.WriteLine(FormattableString.Invariant(
                $"after {steps} steps: largest loss difference {worstLoss:G3}, largest parameter difference {worstParameter:G3} (tolerance {tolerance:G3}): {(same ? "PASS" : "FAIL")}"));

            double Median(SeqGanModel model)
            {
                var ms = new List<double>();
                for (int i = 0; i < reps; i++)
                {
                    using var scope = NewDisposeScope();
                    var (x, y) = batches[i % steps];
                    // The loss read each step, as the training loop does (and the steps harness).
                    ms.Add(Timing.Milliseconds(() => model.TrainDiscriminator(x, y).item<float>()));
                }
                return Summary.Of(ms).Median;
            }
            double eagerMs = Median(eager), graphedMs = Median(graphed);
            Console.WriteLine(FormattableString.Invariant(
                $"D update, median of {reps}: eager {eagerMs:F2} ms, {(graphs ? "CUDA graph" : "eager again")} {graphedMs:F2} ms, ratio {graphedMs / eagerMs:F3}"));
            return same ? 0 : 1;
        }
        finally
        {
            foreach (var model in new[] { eager, graphed })
            {
                model.Dispose();
                model.Generator.Dispose();
                model.Discriminator.Dispose();
            }
            foreach (var (x, y) in batches)
            {
                x.Dispose();
                y.Dispose();
            }
        }
    }
}
