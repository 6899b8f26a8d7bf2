using System.Diagnostics;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>netgan-eval</c>: where the time of one NetGAN evaluation goes (<c>NetGanEstimator.Evaluate</c>), part by part:
/// sampling the walks (the generator, and the walks' copy to the host), counting them into the score matrix,
/// assembling a graph from it, edge overlap, and validation link prediction. On Cora-ML with the paper's split; the
/// generator is untrained, or the one in <c>--checkpoint</c> (a NetGAN training checkpoint with the default sizes).
/// </summary>
internal static class NetGanEvalBenchmark
{
    public static int Run(CommandOptions o)
    {
        string edges = o.String("edges", "examples/data/cora_ml/cora_ml_lcc.edges");
        string? checkpoint = o.OptionalString("checkpoint");
        int walks = o.Int("walks", 100_000), reps = o.Int("reps", 3);
        // gumbel: argmax(logits + Gumbel noise), the training's draws; cdf: the library's evaluation draws since 2026-11-27.
        var draws = o.String("draws", "cdf,gumbel").Split(',').Select(d => d switch
        {
            "cdf" => NodeDraw.InverseCdf,
            "gumbel" => NodeDraw.GumbelMax,
            _ => throw new ArgumentException($"--draws takes cdf and gumbel; found '{d}'."),
        }).ToArray();
        string? output = o.OptionalString("out");
        var device = GpuOptions.Device(o);
        o.RejectUnknown();

        var graph = GraphFiles.ReadEdgeList(edges).Graph;
        var split = GraphSplit.Create(graph, 0.10, 0.05, seed: 1);
        var settings = new NetGanSettings { CudaGraphs = false };
        using var model = new NetGanModel(settings, graph.NodeCount, (_, _) => throw new InvalidOperationException("No training here."),
            (_, _) => null, _ => false, device, seed: 1);
        if (checkpoint is not null) model.LoadState(Checkpoint.Load(checkpoint, model.Kind));

        var machine = MachineInfo.Now();
        Console.WriteLine($"netgan-eval on {device}: {Path.GetFileName(edges)} ({graph.NodeCount} nodes), {walks:N0} walks, generator {(checkpoint is null ? "untrained" : $"from {Path.GetFileName(checkpoint)}, τ {model.Temperature:F3}")}; {machine}");
        Console.WriteLine("| rep | draws | sampling ms | counting ms | assembly ms | edge overlap ms | link prediction ms | total ms | score pairs | edge overlap | validation ROC-AUC |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var rows = new List<object>();
        foreach (int rep in Enumerable.Range(1, reps))
        foreach (var draw in draws)
        {
            var clock = Stopwatch.StartNew();
            double Lap()
            {
                double ms = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                return ms;
            }
            // NetGanEstimator.SampleTransitions, with the generator's time and the counting's apart.
            var counts = new TransitionCounts(graph.NodeCount);
            int batch = NetGanEstimator.SamplingBatch(graph.NodeCount);
            double sampling = 0, counting = 0;
            for (int done = 0; done < walks; done += batch)
            {
                using var scope = torch.NewDisposeScope();
                Lap();
                var ids = model.SampleWalks(Math.Min(batch, walks - done), draw).to(torch.CPU);
                sampling += Lap();
                counts.Add(ids);
                counting += Lap();
            }
            Lap();
            var generated = counts.AssembleGraph(split.Train.EdgeCount, new GanRandom(rep));
            double assembly = Lap();
            double overlap = GraphMetrics.EdgeOverlap(split.Train, generated);
            double overlapMs = Lap();
            var (auc, _) = NetGanEstimator.LinkPrediction(counts, split.ValidationEdges, split.ValidationNonEdges);
            double linkMs = Lap();
            double total = sampling + counting + assembly + overlapMs + linkMs;
            Console.WriteLine(FormattableString.Invariant(
                $"| {rep} | {draw} | {sampling:F0} | {counting:F0} | {assembly:F0} | {overlapMs:F0} | {linkMs:F0} | {total:F0} | {counts.PairCount:N0} | {overlap:F3} | {100 * auc:F2} |"));
            rows.Add(new { rep, draws = draw.ToString(), validationAuc = auc, samplingMs = sampling, countingMs = counting, assemblyMs = assembly, edgeOverlapMs = overlapMs, linkPredictionMs = linkMs, totalMs = total, scorePairs = counts.PairCount, edgeOverlap = overlap });
        }
        if (output is not null) ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), device = device.ToString(), machine, walks, checkpoint, rows });
        model.Generator.Dispose();
        return 0;
    }
}
