using System.Globalization;

namespace Microsoft.ML.Gan;

/// <summary>
/// Readers for the plain-text graph files the examples ship: an edge list (<c>cora_ml_lcc.edges</c>) and a node
/// label list (<c>cora_ml_lcc.labels</c>).
/// </summary>
/// <remarks>
/// Both formats are one record a line, fields separated by tabs or spaces, lines starting with <c>#</c> and blank
/// lines ignored; fields after the first two (an edge weight, say) are ignored too. Node ids are 0-based integers.
/// </remarks>
public static class GraphFiles
{
    /// <summary>Reads an undirected edge list: two node ids a line.</summary>
    /// <param name="path">The file.</param>
    /// <param name="nodeCount">The number of nodes, if some have no edges; by default the largest id plus one.</param>
    /// <returns>The graph, with the self loops and duplicate edges that were dropped.</returns>
    /// <exception cref="FormatException">A line does not hold two integer node ids; the message names the line.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A node id is negative or not below <paramref name="nodeCount"/>.</exception>
    /// <exception cref="ArgumentException">The graph would have fewer than <see cref="Graph.MinimumNodeCount"/> nodes.</exception>
    /// <example>
    /// <code>
    /// var result = GraphFiles.ReadEdgeList("examples/data/cora_ml/cora_ml_lcc.edges");
    /// Console.WriteLine(result);   // 7981 edges read: 7981 kept, 0 self loops dropped, 0 duplicates dropped
    /// </code>
    /// </example>
    public static GraphBuildResult ReadEdgeList(string path, int? nodeCount = null)
    {
        var edges = new List<(int, int)>();
        foreach (var (line, fields) in Records(path))
        {
            if (fields.Length < 2)
                throw new FormatException($"{path}, line {line}: expected two node ids, found {fields.Length} field.");
            int s = Parse(path, line, fields[0], "node id"), t = Parse(path, line, fields[1], "node id");
            edges.Add((s, t));
        }
        return Graph.FromEdges(edges, nodeCount);
    }

    /// <summary>Reads one integer class label for each node: a node id and its class a line.</summary>
    /// <param name="path">The file.</param>
    /// <param name="nodeCount">The number of nodes; every node <c>0 … nodeCount − 1</c> must have exactly one label.</param>
    /// <returns>The label of every node, indexed by node id.</returns>
    /// <exception cref="FormatException">
    /// A line is not two integers, a node is out of range or labelled twice, a label is negative, or a node has none.
    /// </exception>
    public static int[] ReadNodeLabels(string path, int nodeCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        var labels = new int[nodeCount];
        Array.Fill(labels, -1);
        foreach (var (line, fields) in Records(path))
        {
            if (fields.Length < 2)
                throw new FormatException($"{path}, line {line}: expected a node id and a label, found {fields.Length} field.");
            int node = Parse(path, line, fields[0], "node id"), label = Parse(path, line, fields[1], "label");
            if (node >= nodeCount)
                throw new FormatException($"{path}, line {line}: node {node} is outside 0 … {nodeCount - 1}.");
            if (labels[node] >= 0)
                throw new FormatException($"{path}, line {line}: node {node} is labelled a second time.");
            labels[node] = label;
        }
        int missing = Array.IndexOf(labels, -1);
        if (missing >= 0)
            throw new FormatException($"{path}: node {missing} has no label ({labels.Count(l => l < 0)} nodes have none).");
        return labels;
    }

    private static IEnumerable<(int Line, string[] Fields)> Records(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var text = raw.Trim();
            if (text.Length == 0 || text[0] == '#') continue;
            yield return (number, text.Split(new[] { '\t', ' ' }, StringSplitOptions.RemoveEmptyEntries));
        }
    }

    private static int Parse(string path, int line, string field, string what)
    {
        if (!int.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new FormatException($"{path}, line {line}: '{field}' is not an integer {what}.");
        if (value < 0)
            throw new FormatException($"{path}, line {line}: {what} {value} is negative; it must be 0 or more.");
        return value;
    }
}
