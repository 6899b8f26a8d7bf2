using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Gan.NetGan;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// NetGAN on Cora-ML the paper's way: the paper's split, training until the edge-overlap criterion (or an iteration
/// budget), statistics of 5 generated graphs next to the training graph's, and link prediction on the test edges next
/// to Adamic/Adar on the same split.
/// </summary>
internal static class NetGanBenchmark
{
    public static int Run(CommandOptions options)
    {
        string edgesPath = options.String("edges", "examples/data/cora_ml/cora_ml_lcc.edges");
        string? labelsPath = options.OptionalString("labels") ?? Path.ChangeExtension(edgesPath, ".labels");
        bool baselineOnly = options.Flag("baseline-only");
        int maxIterations = options.Int("iterations", 5000);
        int evaluateEvery = options.Int("eval-every", 500);
        int evaluationWalks = options.Int("eval-walks", 100_000);
        int scoringWalks = options.Int("scoring-walks", 500_000);
        double target = options.Double("eo", 0.5);
        int seed = options.Int("seed", 1);
        string output = options.String("out", "bench/results/netgan-cora");
        double maxMinutes = options.Double("max-minutes", 0);
        var device = GpuOptions.Device(options);
        options.RejectUnknown();

        var graph = edgesPath.EndsWith(".gml", StringComparison.OrdinalIgnoreCase) || edgesPath.EndsWith(".gml.gz", StringComparison.OrdinalIgnoreCase)
            ? GraphFiles.ReadGml(edgesPath).Graph : GraphFiles.ReadEdgeList(edgesPath).Graph;
        if (baselineOnly) return Baselines(graph, edgesPath, labelsPath, seed, output);
        var edges = EdgeRow.Of(graph.Edges()).ToList();
        var ml = GpuOptions.Context(seed, device);
        ml.Log += (_, e) => { if (e.Message.Contains("NetGAN")) Console.WriteLine($"{DateTime.Now:HH:mm:ss} {e.Message}"); };
        var estimator = ml.Transforms.Gan().NetGan(new NetGanEstimator.Options
        {
            MaxIterations = maxIterations,
            EvaluateEvery = evaluateEvery,
            EvaluationWalks = evaluationWalks,
            ScoringWalks = scoringWalks,
            EdgeOverlapTarget = target,
            CheckpointDirectory = Path.Combine(output, "checkpoints"),
            ProgressInterval = TimeSpan.FromSeconds(30),
            MaxTrainingTime = maxMinutes > 0 ? TimeSpan.FromMinutes(maxMinutes) : null,
            FlatAdam = GpuOptions.FlatAdam,
            CudaGraphs = GpuOptions.CudaGraphs,
            CuDnnAutotuning = GpuOptions.CuDnnAutotuning,
            Progress = new Progress<GanProgress>(p => Console.WriteLine(FormattableString.Invariant(
                $"{DateTime.Now:HH:mm:ss} it {p.Step}/{p.TotalSteps} {p.SamplesPerSecond:F0} walks/s G {p.Losses["G"]:F3} D {p.Losses["D"]:F3} load {MachineInfo.LoadAverage()}"))),
        });
        var clock = Stopwatch.StartNew();
        using var model = estimator.Fit(ml.Data.LoadFromEnumerable(edges));
        double trainMinutes = clock.Elapsed.TotalMinutes;

        int[]? labels = File.Exists(labelsPath) ? GraphFiles.ReadNodeLabels(labelsPath, model.NodeCount) : null;
        var train = GraphMetrics.Compute(model.Split.Train, labels);
        var generated = Enumerable.Range(0, 5).Select(_ => model.GenerateGraphStructure()).ToList();
        var stats = generated.Select(g => GraphMetrics.Compute(g, labels)).ToList();
        var overlap = generated.Select(g => GraphMetrics.EdgeOverlap(model.Split.Train, g)).ToList();

        var pairs = model.TestEdges.Concat(model.TestNonEdges).ToList();
        var truth = model.TestEdges.Select(_ => true).Concat(model.TestNonEdges.Select(_ => false)).ToArray();
        var netgan = pairs.Select(p => (double)model.Score(p.Source, p.Target)).ToArray();
        var adamicAdar = GraphMetrics.AdamicAdar(model.Split.Train, pairs);

        var lines = new List<string>
        {
            $"NetGAN on {Path.GetFileName(edgesPath)}: {model.NodeCount} nodes; training graph {model.Split.Train.EdgeCount} edges; " +
            $"{model.Evaluations.Count} evaluations, last at iteration {model.Evaluations.LastOrDefault().Iteration}; training {trainMinutes:F1} min on {device}",
            "",
            "| statistic | training graph | NetGAN (mean of 5) |",
            "|---|---|---|",
        };
        // The five graphs' tables line up row by row (same labels, same statistics), so the mean is taken per row.
        var generatedTables = stats.Select(s => s.PaperTable()).ToList();
        foreach (var (row, i) in train.PaperTable().Select((row, i) => (row, i)))
        {
            double mean = generatedTables.Average(t => t[i].Value);
            lines.Add($"| {row.Name} | {Format(row.Value, row.Format)} | {Format(mean, row.Format)} |");
        }
        lines.Add(FormattableString.Invariant($"| edge overlap with the training graph | 1 | {overlap.Average():F3} |"));
        lines.Add("");
        lines.Add("| link prediction (test edges vs as many non-edges) | ROC-AUC | AP |");
        lines.Add("|---|---|---|");
        lines.Add(FormattableString.Invariant($"| NetGAN ({scoringWalks:N0} walks) | {100 * GraphMetrics.RocAuc(netgan, truth):F2} | {100 * GraphMetrics.AveragePrecision(netgan, truth):F2} |"));
        lines.Add(FormattableString.Invariant($"| Adamic/Adar (same split) | {100 * GraphMetrics.RocAuc(adamicAdar, truth):F2} | {100 * GraphMetrics.AveragePrecision(adamicAdar, truth):F2} |"));
        lines.Add("");
        lines.Add("| iteration | edge overlap | validation ROC-AUC | validation AP |");
        lines.Add("|---|---|---|---|");
        foreach (var e in model.Evaluations)
            lines.Add(FormattableString.Invariant($"| {e.Iteration} | {e.EdgeOverlap:F3} | {100 * e.ValidationAuc:F2} | {100 * e.ValidationAveragePrecision:F2} |"));
        lines.Add("");
        lines.Add($"`{ResultFile.CommandLine()}`");
        Directory.CreateDirectory(output);
        File.WriteAllLines(Path.Combine(output, "result.md"), lines);
        foreach (var l in lines) Console.WriteLine(l);
        return 0;
    }

    /// <summary>
    /// <c>--baseline-only true</c>: no training; the training graph's statistics and Adamic/Adar on the paper's split
    /// (drawn here from <paramref name="seed"/> directly, so not the split a training run with that seed uses).
    /// </summary>
    private static int Baselines(Graph graph, string path, string? labelsPath, int seed, string output)
    {
        var split = GraphSplit.Create(graph, 0.10, 0.05, seed);
        int[]? labels = labelsPath is not null && File.Exists(labelsPath) ? GraphFiles.ReadNodeLabels(labelsPath, graph.NodeCount) : null;
        var s = GraphMetrics.Compute(split.Train, labels);
        var pairs = split.TestEdges.Concat(split.TestNonEdges).ToList();
        var truth = split.TestEdges.Select(_ => true).Concat(split.TestNonEdges.Select(_ => false)).ToArray();
        var adamicAdar = GraphMetrics.AdamicAdar(split.Train, pairs);
        var lines = new List<string>
        {
            $"{Path.GetFileName(path)}: {graph.NodeCount} nodes, {graph.EdgeCount} edges; training graph {split.Train.EdgeCount} edges, " +
            $"{split.TestEdges.Count} test edges and as many non-edges (split seed {seed})",
            "",
            "training graph: " + string.Join(", ", s.PaperTable().Select(row => $"{row.Name} {Format(row.Value, row.Format)}")),
            FormattableString.Invariant($"Adamic/Adar on the test edges: ROC-AUC {100 * GraphMetrics.RocAuc(adamicAdar, truth):F2}, AP {100 * GraphMetrics.AveragePrecision(adamicAdar, truth):F2}"),
            "",
            $"`{ResultFile.CommandLine()}`",
        };
        Directory.CreateDirectory(output);
        File.WriteAllLines(Path.Combine(output, "baselines.md"), lines);
        foreach (var l in lines) Console.WriteLine(l);
        return 0;
    }

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
