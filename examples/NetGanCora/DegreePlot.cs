// No namespace: examples/notebooks/NetGanCora.ipynb #loads this file as a script, which cannot declare one.
using Microsoft.ML.Gan;
using ScottPlot;
using ScottPlot.TickGenerators;

/// <summary>The degree distributions of two graphs on log-log axes, the way the paper compares real and generated graphs.</summary>
internal static class DegreePlot
{
    /// <summary>Writes the plot as a PNG: how many nodes have each degree, isolated nodes left out (log 0 has no place).</summary>
    public static void Save(string path, params (string Name, Graph Graph)[] graphs)
    {
        var plot = new Plot();
        foreach (var (name, graph) in graphs)
        {
            var points = GraphMetrics.DegreeDistribution(graph).Where(p => p.Degree > 0).ToArray();
            var scatter = plot.Add.ScatterPoints(
                points.Select(p => Math.Log10(p.Degree)).ToArray(), points.Select(p => Math.Log10(p.NodeCount)).ToArray());
            scatter.LegendText = name;
            scatter.MarkerSize = 6;
        }
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            // ScottPlot has no log axis: it plots log10 values and labels the ticks with the powers of ten.
            axis.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = v => Math.Pow(10, v).ToString("N0"),
            };
        }
        plot.XLabel("degree");
        plot.YLabel("nodes");
        plot.Title("Degree distribution");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 800, 560);
    }
}
