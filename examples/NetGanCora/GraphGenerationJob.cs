using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using GanExamples;
using Microsoft.ML.Gan;
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

        // The library's evaluations (edge overlap, validation link prediction) and its training milestones are shown.
        var ml = ExampleContext.Create(settings.Seed, settings.UseGpu, message => message.StartsWith("NetGAN", StringComparison.Ordinal));
        var edges = ml.Data.LoadFromEnumerable(graph.Edges().Select(e => new EdgeRow { Source = e.Source, Target = e.Target }));
        var progress = new TrainingProgressView(p => p.Stage == GanStage.Scoring ? "scoring (walks)" : "NetGAN", Summary, "splitting the graph, building networks ...");
        var clock = Stopwatch.StartNew();
        var (model, exitCode) = GuardedTraining.Run(token => ml.Transforms.Gan().NetGan(new NetGanEstimator.Options
        {
            ScoreColumnName = ScoreColumn,
            MaxIterations = settings.Iterations,
            EvaluateEvery = settings.EvaluateEvery,
            EvaluationWalks = settings.Walks,
            ScoringWalks = settings.Walks,
            CheckpointDirectory = settings.CheckpointDirectory,
            MaxTrainingTime = settings.MaxTrainingTime,
            Progress = progress,
            CancellationToken = token,
        }).Fit(edges), progress, settings.CheckpointDirectory, input.EdgesPath);
        if (model is null) return exitCode;
        AnsiConsole.MarkupLineInterpolated($"Training and scoring took {clock.Elapsed:mm\\:ss} (iteration {progress.Latest?.Step ?? settings.Iterations} of {settings.Iterations}).");

        using (model)
        {
            Directory.CreateDirectory(output);
            string csv = Path.Combine(output, "generated-graph.csv");
            string plot = Path.Combine(output, "degree-distribution.png");
            string zip = Path.Combine(output, "netgan.zip");

            var generatedEdges = model.GenerateGraph();
            AtomicOutput.Write(csv, temporary =>
            {
                using var file = File.Create(temporary);
                ml.Data.SaveAsText(generatedEdges, file, separatorChar: ',', headerRow: true, schema: false);
            });
            var generated = Graph.FromEdges(
                generatedEdges.GetColumn<int>(nameof(EdgeRow.Source)).Zip(generatedEdges.GetColumn<int>(nameof(EdgeRow.Target))), model.NodeCount).Graph;

            AnsiConsole.Write(StatisticsTable(model.TrainingGraph, generated, input.Labels));
            AnsiConsole.Write(LinkPredictionTable(ml, model, settings.Walks));
            AtomicOutput.Write(plot, temporary => DegreePlot.Save(temporary, ("training graph", model.TrainingGraph), ("NetGAN", generated)));
            AtomicOutput.Write(zip, temporary => ml.Model.Save(model, edges.Schema, temporary));

            AnsiConsole.MarkupLineInterpolated($"Generated graph ({generated.EdgeCount} edges, CSV: Source,Target): [bold]{csv}[/]");
            AnsiConsole.MarkupLineInterpolated($"Degree distributions (log-log): [bold]{plot}[/]");
            AnsiConsole.MarkupLineInterpolated($"ML.NET model (columns Source, Target: Int32 node ids → {ScoreColumn}): [bold]{zip}[/]");
        }
        return ExitCodes.Success;
    }

    private static string Summary(GanProgress p) => p.Stage == GanStage.Scoring
        ? FormattableString.Invariant($"{p.SamplesPerSecond:F0} walks/s  ETA {p.Eta:h\\:mm\\:ss}")
        : FormattableString.Invariant($"G {p.Losses["G"]:F3}  D {p.Losses["D"]:F3}  {p.SamplesPerSecond:F0} walks/s  ETA {p.Eta:h\\:mm\\:ss}");

    /// <summary>The statistics of the paper's table 2, for the training graph and the generated one.</summary>
    private static Table StatisticsTable(Graph train, Graph generated, int[]? labels)
    {
        var table = new Table().AddColumns("statistic", "training graph", "NetGAN");
        string Cell(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        var rows = GraphMetrics.Compute(train, labels).PaperTable().Zip(GraphMetrics.Compute(generated, labels).PaperTable());
        foreach (var (t, g) in rows) table.AddRow(t.Name, Cell(t.Value, t.Format), Cell(g.Value, g.Format));
        return table.AddRow("edge overlap with the training graph", "1", Cell(GraphMetrics.EdgeOverlap(train, generated), "F3"));
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
