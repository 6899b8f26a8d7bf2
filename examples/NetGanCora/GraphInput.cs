using Microsoft.ML.Gan;

namespace NetGanCora;

/// <summary>The edge list to train on and, when a <c>.labels</c> file lies beside it, the class of every node.</summary>
internal sealed record GraphInput(string EdgesPath, GraphBuildResult Edges, string? LabelsPath, int[]? Labels)
{
    /// <summary>Cora-ML's largest connected component, copied next to the program by the build.</summary>
    public static string DefaultEdgesPath => Path.Combine(AppContext.BaseDirectory, "data", "cora_ml", "cora_ml_lcc.edges");

    /// <summary>Reads the graph (and its labels), or returns null after printing what is wrong with the files.</summary>
    /// <param name="edgesPath">The --edges file; null for <see cref="DefaultEdgesPath"/>.</param>
    public static GraphInput? Read(string? edgesPath)
    {
        string path = edgesPath ?? DefaultEdgesPath;
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"error: the edge list '{path}' does not exist.");
            return null;
        }
        string? labelsPath = Path.ChangeExtension(path, ".labels");
        try
        {
            var edges = GraphFiles.ReadEdgeList(path);
            if (!File.Exists(labelsPath)) return new GraphInput(path, edges, null, null);
            return new GraphInput(path, edges, labelsPath, GraphFiles.ReadNodeLabels(labelsPath, edges.Graph.NodeCount));
        }
        catch (FormatException e)
        {
            // GraphFiles' messages start with the file and the line.
            Console.Error.WriteLine($"error: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {path}: {e.Message}");
        }
        return null;
    }
}
