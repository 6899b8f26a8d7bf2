using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using Microsoft.ML.Runtime;
using Spectre.Console;

namespace NetGanCora;

/// <summary>Edge list → NetGAN → the paper's graph statistics and link prediction → generated graph, degree plot, model.</summary>
internal static class GraphGenerationJob
{
    private const string ScoreColumn = "Score";

    private sealed class EdgeRow
    {
        public int Source { get; set; }
        public int Target { get; set; }
    }

    private sealed class PairRow
    {
        public int Source { get; set; }
        public int Target { get; set; }
        public bool IsEdge { get; set; }
    }

    public static int Run(TrainingSettings settings, string output)
    {
        var input = GraphInput.Read(settings.EdgesPath);
        if (input is null) return ExitCodes.BadInput;
        var graph = input.Edges.Graph;
        string labels = input.LabelsPath is null ? "no node labels" : $"node labels from {input.LabelsPath}";
        AnsiConsole.MarkupLineInterpolated($"Data: [bold]{input.EdgesPath}[/]: {graph.NodeCount} nodes, {input.Edges}; {labels}.");
        string limit = settings.MaxTrainingTime is { } time ? $", for at most {time.TotalMinutes:0.#} min" : "";
        AnsiConsole.MarkupLineInterpolated($"Training: {settings.Iterations} iterations, evaluated every {settings.EvaluateEvery} with {settings.Walks:N0} generated walks{limit}.");
        string checkpoint = Path.Combine(settings.CheckpointDirectory, "checkpoint.mlgan");
        if (File.Exists(checkpoint)) AnsiConsole.MarkupLineInterpolated($"Resuming from [bold]{checkpoint}[/] (delete it to start over).");

        var ml = new MLContext(seed: settings.Seed);
        if (settings.UseGpu)
        {
            ml.GpuDeviceId = 0;
            ml.FallbackToCpu = true;
        }
        ml.Log += (_, e) =>
        {
            // The library's evaluations (edge overlap, validation link prediction) and its training milestones.
            if (e.Kind is ChannelMessageKind.Warning or ChannelMessageKind.Error) AnsiConsole.MarkupLineInterpolated($"[yellow]{e.RawMessage}[/]");
            else if (e.Kind == ChannelMessageKind.Info && e.RawMessage.StartsWith("NetGAN ", StringComparison.Ordinal))
                AnsiConsole.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {e.RawMessage}");
        };

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops after the current iteration and writes a checkpoint; a second one kills the process.
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;

        var edges = ml.Data.LoadFromEnumerable(graph.Edges().Select(e => new EdgeRow { Source = e.Source, Target = e.Target }));
        var progress = new TrainingProgressView();
        var estimator = ml.Transforms.Gan().NetGan(new NetGanEstimator.Options
        {
            ScoreColumnName = ScoreColumn,
            MaxIterations = settings.Iterations,
            EvaluateEvery = settings.EvaluateEvery,
            EvaluationWalks = settings.Walks,
            ScoringWalks = settings.Walks,
            CheckpointDirectory = settings.CheckpointDirectory,
            MaxTrainingTime = settings.MaxTrainingTime,
            Progress = progress,
            CancellationToken = cancel.Token,
        });

        NetGanTransformer model;
        var clock = Stopwatch.StartNew();
        try
        {
            model = progress.Run(() => estimator.Fit(edges));
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Stopped. Checkpoint: {checkpoint}; run the same command again to resume.[/]");
            return ExitCodes.Cancelled;
        }
        catch (ArgumentException e)
        {
            // A graph NetGAN cannot train on, such as one too small to hold edges out.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {input.EdgesPath}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (InvalidOperationException e)
        {
            // Divergence, or a checkpoint made with other options: the message says which and what to do.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            if (File.Exists(checkpoint)) AnsiConsole.MarkupLine("(--checkpoints FOLDER trains in another folder.)");
            return ExitCodes.Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        AnsiConsole.MarkupLineInterpolated($"Training and scoring took {clock.Elapsed:mm\\:ss} (iteration {progress.Latest?.Step ?? settings.Iterations} of {settings.Iterations}).");

        using (model)
        {
            Directory.CreateDirectory(output);
            string csv = Path.Combine(output, "generated-graph.csv");
            string plot = Path.Combine(output, "degree-distribution.png");
            string zip = Path.Combine(output, "netgan-cora.zip");

            var generatedEdges = model.GenerateGraph();
            using (var file = File.Create(csv))
                ml.Data.SaveAsText(generatedEdges, file, separatorChar: ',', headerRow: true, schema: false);
            var generated = Graph.FromEdges(
                generatedEdges.GetColumn<int>(nameof(EdgeRow.Source)).Zip(generatedEdges.GetColumn<int>(nameof(EdgeRow.Target))), model.NodeCount).Graph;

            AnsiConsole.Write(StatisticsTable(model.TrainingGraph, generated, input.Labels));
            AnsiConsole.Write(LinkPredictionTable(ml, model, settings.Walks));
            DegreePlot.Save(plot, ("training graph", model.TrainingGraph), ("NetGAN", generated));
            ml.Model.Save(model, edges.Schema, zip);

            AnsiConsole.MarkupLineInterpolated($"Generated graph ({generated.EdgeCount} edges, CSV: Source,Target): [bold]{csv}[/]");
            AnsiConsole.MarkupLineInterpolated($"Degree distributions (log-log): [bold]{plot}[/]");
            AnsiConsole.MarkupLineInterpolated($"ML.NET model (columns Source, Target: Int32 node ids → {ScoreColumn}): [bold]{zip}[/]");
        }
        return ExitCodes.Success;
    }

    /// <summary>The statistics of the paper's table 2, for the training graph and the generated one.</summary>
    private static Table StatisticsTable(Graph train, Graph generated, int[]? labels)
    {
        var t = GraphMetrics.Compute(train, labels);
        var g = GraphMetrics.Compute(generated, labels);
        var table = new Table().AddColumns("statistic", "training graph", "NetGAN");
        void Row(string name, Func<GraphStatistics, double> statistic, string format) => table.AddRow(name,
            statistic(t).ToString(format, CultureInfo.InvariantCulture), statistic(g).ToString(format, CultureInfo.InvariantCulture));
        Row("edges", s => s.EdgeCount, "N0");
        Row("max degree", s => s.MaxDegree, "N0");
        Row("assortativity", s => s.Assortativity, "F3");
        Row("triangles", s => s.TriangleCount, "N0");
        Row("power-law exponent", s => s.PowerLawExponent, "F3");
        Row("clustering (3·triangles/claws)", s => s.ClusteringCoefficient, "E2");
        if (labels is not null)
        {
            Row("intra-community density", s => s.IntraCommunityDensity, "E2");
            Row("inter-community density", s => s.InterCommunityDensity, "E2");
        }
        Row("characteristic path length", s => s.CharacteristicPathLength, "F2");
        Row("largest connected component", s => s.LargestComponentSize, "N0");
        Row("Gini", s => s.Gini, "F3");
        table.AddRow("edge overlap with the training graph", "1", GraphMetrics.EdgeOverlap(train, generated).ToString("F3", CultureInfo.InvariantCulture));
        return table;
    }

    /// <summary>ROC-AUC and AP on the held-out test edges, scored by the fitted transformer, next to Adamic/Adar.</summary>
    private static Table LinkPredictionTable(MLContext ml, NetGanTransformer model, int walks)
    {
        var table = new Table().AddColumns($"{model.TestEdges.Count} test edges vs as many non-edges", "ROC-AUC", "AP");
        if (model.TestEdges.Count == 0) return table.AddRow("(the graph is too small to hold edges out)", "", "");
        var pairs = model.TestEdges.Select(e => new PairRow { Source = e.Source, Target = e.Target, IsEdge = true })
            .Concat(model.TestNonEdges.Select(e => new PairRow { Source = e.Source, Target = e.Target, IsEdge = false }))
            .ToList();
        var scored = model.Transform(ml.Data.LoadFromEnumerable(pairs));
        var netgan = scored.GetColumn<float>(ScoreColumn).Select(s => (double)s).ToArray();
        var truth = scored.GetColumn<bool>(nameof(PairRow.IsEdge)).ToArray();
        var adamicAdar = GraphMetrics.AdamicAdar(model.TrainingGraph, pairs.Select(p => (p.Source, p.Target)).ToList());
        void Row(string name, double[] scores) => table.AddRow(name,
            (100 * GraphMetrics.RocAuc(scores, truth)).ToString("F2", CultureInfo.InvariantCulture),
            (100 * GraphMetrics.AveragePrecision(scores, truth)).ToString("F2", CultureInfo.InvariantCulture));
        Row($"NetGAN ({walks:N0} walks)", netgan);
        Row("Adamic/Adar (training graph)", adamicAdar);
        return table;
    }
}
