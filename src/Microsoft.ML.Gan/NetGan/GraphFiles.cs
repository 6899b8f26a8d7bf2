using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Microsoft.ML.Gan;

/// <summary>
/// Readers for graph files: the plain-text edge list (<c>cora_ml_lcc.edges</c>) and node label list
/// (<c>cora_ml_lcc.labels</c>) the examples ship, and GML (<c>power.gml.gz</c>, the US power grid).
/// </summary>
/// <remarks>
/// The two plain-text formats are one record a line, fields separated by tabs, spaces or commas (so CSV files read too),
/// lines starting with <c>#</c> and blank lines ignored; fields after the first two (an edge weight, say) are ignored
/// too. A first record whose two fields are both names rather than numbers (a CSV header such as <c>Source,Target</c>)
/// is skipped. Node ids are 0-based integers.
/// </remarks>
public static class GraphFiles
{
    /// <summary>Reads an undirected edge list: two node ids a line.</summary>
    /// <param name="path">The file.</param>
    /// <param name="nodeCount">The number of nodes, if some have no edges; by default the largest id plus one.</param>
    /// <returns>The graph, with the self loops and duplicate edges that were dropped.</returns>
    /// <exception cref="FormatException">
    /// A line does not hold two integer node ids, or an id is negative or not below <paramref name="nodeCount"/>; the
    /// message names the file and the line.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nodeCount"/> is negative.</exception>
    /// <exception cref="ArgumentException">The graph would have fewer than <see cref="Graph.MinimumNodeCount"/> nodes.</exception>
    /// <example>
    /// <code>
    /// var result = GraphFiles.ReadEdgeList("examples/data/cora_ml/cora_ml_lcc.edges");
    /// Console.WriteLine(result);   // 7981 edges read: 7981 kept, 0 self loops dropped, 0 duplicates dropped
    /// </code>
    /// </example>
    public static GraphBuildResult ReadEdgeList(string path, int? nodeCount = null)
    {
        if (nodeCount is < 0) throw new ArgumentOutOfRangeException(nameof(nodeCount), nodeCount, "The node count cannot be negative.");
        var edges = new List<(int, int)>();
        foreach (var (line, fields) in Records(path))
        {
            if (fields.Length < 2)
                throw new FormatException($"{path}, line {line}: expected two node ids, found {fields.Length} field.");
            int s = Parse(path, line, fields[0], "node id"), t = Parse(path, line, fields[1], "node id");
            if (nodeCount is { } n && Math.Max(s, t) >= n)
                throw new FormatException($"{path}, line {line}: node id {Math.Max(s, t)} is not below the {n} nodes declared.");
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

    /// <summary>
    /// Reads the nodes and edges of a GML file (<c>graph [ node [ id … ] edge [ source … target … ] ]</c>), plain or
    /// gzip-compressed (<c>.gz</c>). Edges are taken as undirected whatever <c>directed</c> says; other keys and nested
    /// lists (labels, graphics) are skipped. Nodes are numbered 0, 1, … in the order of their <c>node</c> records, which
    /// keeps the ids of files that number them that way already.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The graph, with the self loops and duplicate edges that were dropped.</returns>
    /// <exception cref="FormatException">The file is not GML of this shape; the message names the line.</exception>
    /// <example>
    /// <code>
    /// var grid = GraphFiles.ReadGml("data/power-grid/power.gml.gz");
    /// Console.WriteLine(grid);   // 6594 edges read: 6594 kept, 0 self loops dropped, 0 duplicates dropped
    /// </code>
    /// </example>
    public static GraphBuildResult ReadGml(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var gml = new GmlReader(reader, path);
        var (nodeIds, edges) = gml.ReadGraph();
        var index = new Dictionary<long, int>();
        foreach (var (id, line) in nodeIds)
            if (!index.TryAdd(id, index.Count)) throw new FormatException($"{path}, line {line}: node id {id} appears a second time.");
        int Node(long id, int line) => index.TryGetValue(id, out int node) ? node
            : throw new FormatException($"{path}, line {line}: the edge names node {id}, which has no node record.");
        return Graph.FromEdges(edges.Select(e => (Node(e.Source, e.Line), Node(e.Target, e.Line))).ToList(), index.Count);
    }

    private static IEnumerable<(int Line, string[] Fields)> Records(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int number = 0;
        bool first = true;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var text = raw.Trim();
            if (text.Length == 0 || text[0] == '#') continue;
            var fields = text.Split(new[] { '\t', ' ', ',' }, StringSplitOptions.RemoveEmptyEntries);
            // Both fields must be non-numbers: a first line such as "0 x" is a malformed record and gets its error.
            bool header = first && fields.Length >= 2 && !IsNumber(fields[0]) && !IsNumber(fields[1]);
            first = false;
            if (!header) yield return (number, fields);
        }
    }

    private static bool IsNumber(string field) => double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static int Parse(string path, int line, string field, string what)
    {
        if (!int.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new FormatException($"{path}, line {line}: '{field}' is not an integer {what}.");
        if (value < 0)
            throw new FormatException($"{path}, line {line}: {what} {value} is negative; it must be 0 or more.");
        return value;
    }

    /// <summary>A reader of GML's <c>graph [ node [ id … ] edge [ source … target … ] ]</c> that skips everything else.</summary>
    private sealed class GmlReader(TextReader text, string path) : IDisposable
    {
        private readonly IEnumerator<(string Text, int Line)> _tokens = Tokens(text, path).GetEnumerator();

        /// <summary>The node ids and the edges, each with the line of its record.</summary>
        public (List<(long Id, int Line)> Nodes, List<(long Source, long Target, int Line)> Edges) ReadGraph()
        {
            var key = Next("'graph'");
            while (key.Text != "graph") { SkipValue(); key = Next("'graph'"); }
            Expect("[", "after 'graph'");
            var nodes = new List<(long, int)>();
            var edges = new List<(long, long, int)>();
            for (var t = Next("']'"); t.Text != "]"; t = Next("']'"))
            {
                if (t.Text == "node")
                {
                    var (keys, line) = Record("id");
                    nodes.Add((keys.TryGetValue("id", out long id) ? id : throw new FormatException($"{path}, line {line}: a node has no id."), line));
                }
                else if (t.Text == "edge")
                {
                    var (keys, line) = Record("source", "target");
                    if (!keys.TryGetValue("source", out long source) || !keys.TryGetValue("target", out long target))
                        throw new FormatException($"{path}, line {line}: an edge needs both a source and a target.");
                    edges.Add((source, target, line));
                }
                else SkipValue();
            }
            return (nodes, edges);
        }

        /// <summary>The integer values of the <paramref name="wanted"/> keys of one <c>[ … ]</c> record, and its first line.</summary>
        private (Dictionary<string, long> Keys, int Line) Record(params string[] wanted)
        {
            int line = Expect("[", "");
            var keys = new Dictionary<string, long>();
            for (var t = Next("']'"); t.Text != "]"; t = Next("']'"))
            {
                if (!wanted.Contains(t.Text)) { SkipValue(); continue; }
                var value = Next($"the value of {t.Text}");
                if (!long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
                    throw new FormatException($"{path}, line {value.Line}: {t.Text} is '{value.Text}', not an integer.");
                keys[t.Text] = number;
            }
            return (keys, line);
        }

        private void SkipValue()
        {
            var value = Next("a value");
            for (int depth = value.Text == "[" ? 1 : 0; depth > 0;)
            {
                var t = Next("']'");
                depth += t.Text == "[" ? 1 : t.Text == "]" ? -1 : 0;
            }
        }

        private int Expect(string token, string where)
        {
            var t = Next($"'{token}'");
            if (t.Text != token) throw new FormatException($"{path}, line {t.Line}: expected '{token}'{(where.Length > 0 ? " " + where : "")}, found '{t.Text}'.");
            return t.Line;
        }

        private (string Text, int Line) Next(string expected) =>
            _tokens.MoveNext() ? _tokens.Current : throw new FormatException($"{path}: the file ends where {expected} was expected.");

        public void Dispose() => _tokens.Dispose();

        /// <summary>GML's tokens: '[', ']', quoted strings (with their quotes) and space-separated words, each with its line.</summary>
        private static IEnumerable<(string Text, int Line)> Tokens(TextReader reader, string path)
        {
            int line = 0;
            for (string? raw = reader.ReadLine(); raw is not null; raw = reader.ReadLine())
            {
                line++;
                for (int i = 0; i < raw.Length;)
                {
                    char ch = raw[i];
                    if (char.IsWhiteSpace(ch)) { i++; continue; }
                    if (ch == '#') break;
                    if (ch is '[' or ']') { yield return (ch.ToString(), line); i++; continue; }
                    int end = i + 1;
                    if (ch == '"')
                    {
                        end = raw.IndexOf('"', i + 1) + 1;
                        if (end == 0) throw new FormatException($"{path}, line {line}: a string is not closed on its line.");
                    }
                    else
                        while (end < raw.Length && !char.IsWhiteSpace(raw[end]) && raw[end] is not '[' and not ']') end++;
                    yield return (raw[i..end], line);
                    i = end;
                }
            }
        }
    }
}
