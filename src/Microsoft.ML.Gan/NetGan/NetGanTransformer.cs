using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.NetGan;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// A fitted NetGAN. <see cref="Transform"/> adds the link score of each row's (source, target) pair: the share of
/// generated walks' transitions that join the two nodes (the paper's score matrix, normalised). It also assembles
/// generated graphs (<see cref="GenerateGraph"/>) and samples walks (<see cref="SampleWalks"/>).
/// </summary>
public sealed class NetGanTransformer : ITransformer, IDisposable
{
    private readonly IHostEnvironment _env;
    private readonly NetGanEstimator.Options _options;
    private readonly TransitionCounts _scores;
    private readonly double _transitions;
    private readonly GanRandom _random;

    private readonly DataViewType _sourceType, _targetType;

    internal NetGanTransformer(IHostEnvironment env, NetGanEstimator.Options options, DataViewSchema trainingSchema, Graph graph, GraphSplit split,
        TransitionCounts counts, NetGanGenerator generator, IReadOnlyList<NetGanEvaluation> evaluations, GanRandom random)
    {
        _sourceType = trainingSchema[options.SourceColumnName].Type;
        _targetType = trainingSchema[options.TargetColumnName].Type;
        (_env, _options, Graph, Split, Generator, _random) = (env, options, graph, split, generator, random);
        _scores = counts;
        _transitions = Math.Max(counts.Transitions, 1);
        Evaluations = evaluations.Select(e => (e.Iteration, e.EdgeOverlap, e.ValidationAuc, e.ValidationAveragePrecision)).ToArray();
        Generator.eval();
    }

    internal Graph Graph { get; }
    internal GraphSplit Split { get; }
    internal NetGanGenerator Generator { get; }

    /// <summary>Nodes of the training graph (ids 0 … NodeCount − 1).</summary>
    public int NodeCount => Graph.NodeCount;

    /// <summary>
    /// The graph NetGAN was trained on: the input graph less the held-out validation and test edges. Generated graphs
    /// are compared with it (<see cref="GraphMetrics.Compute"/>, <see cref="GraphMetrics.EdgeOverlap"/>), as in the paper.
    /// </summary>
    public Graph TrainingGraph => Split.Train;

    /// <summary>Held-out test edges and as many non-edges, for link-prediction evaluation (pairs with Source &lt; Target).</summary>
    public IReadOnlyList<(int Source, int Target)> TestEdges => Split.TestEdges;
    /// <inheritdoc cref="TestEdges"/>
    public IReadOnlyList<(int Source, int Target)> TestNonEdges => Split.TestNonEdges;

    /// <summary>The evaluations made during training: iteration, edge overlap, validation ROC-AUC and AP.</summary>
    public IReadOnlyList<(long Iteration, double EdgeOverlap, double ValidationAuc, double ValidationAveragePrecision)> Evaluations { get; }

    /// <summary>The link score of a pair: generated transitions between the two nodes, per transition generated.</summary>
    public float Score(int source, int target)
    {
        CheckNode(source, _options.SourceColumnName, -1);
        CheckNode(target, _options.TargetColumnName, -1);
        return (float)(_scores[source, target] / _transitions);
    }

    private void CheckNode(long node, string column, long row)
    {
        if (node < 0 || node >= NodeCount)
            throw new ArgumentOutOfRangeException(column,
                $"Node column '{column}'{(row >= 0 ? $", row {row}" : "")}: node {node} is not in the training graph, whose ids run from 0 to {NodeCount - 1}.");
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => false;

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("NetGanTransformer maps whole data views; call Transform.");

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        foreach (var name in new[] { _options.SourceColumnName, _options.TargetColumnName })
            NodePairs.CheckType(name, NodePairs.Find(inputSchema, name).Type);
        return MappedDataView.WithColumn(inputSchema, _options.ScoreColumnName, NumberDataViewType.Single);
    }

    /// <summary>Adds the score column, computed lazily as cursors ask for it.</summary>
    public IDataView Transform(IDataView input)
    {
        var source = NodePairs.Find(input.Schema, _options.SourceColumnName);
        var target = NodePairs.Find(input.Schema, _options.TargetColumnName);
        return new MappedDataView(input, _options.ScoreColumnName, NumberDataViewType.Single, row =>
        {
            var readSource = NodePairs.Reader(row, row.Schema[source.Index]);
            var readTarget = NodePairs.Reader(row, row.Schema[target.Index]);
            return (ValueGetter<float>)((ref float value) =>
            {
                long s = readSource(), t = readTarget();
                CheckNode(s, _options.SourceColumnName, row.Position);
                CheckNode(t, _options.TargetColumnName, row.Position);
                value = (float)(_scores[(int)s, (int)t] / _transitions);
            });
        }, _options.SourceColumnName, _options.TargetColumnName);
    }

    private sealed class EdgeRow
    {
        public int Source { get; set; }
        public int Target { get; set; }
    }

    /// <summary>
    /// A graph assembled from the score matrix as the paper does (every node gets one edge ∝ its row, then edges
    /// ∝ score without replacement), with <paramref name="edgeCount"/> edges (default: the training graph's).
    /// </summary>
    public IDataView GenerateGraph(int? edgeCount = null)
    {
        var graph = _scores.AssembleGraph(edgeCount ?? Split.Train.EdgeCount, _random);
        var rows = graph.Edges().Select(e => new EdgeRow { Source = e.Source, Target = e.Target }).ToList();
        return new MLContext().Data.LoadFromEnumerable(rows);
    }

    internal Graph GenerateGraphStructure(int? edgeCount = null) =>
        _scores.AssembleGraph(edgeCount ?? Split.Train.EdgeCount, _random);

    private sealed class WalkRow
    {
        public int[] Walk { get; set; } = Array.Empty<int>();
    }

    /// <summary><paramref name="count"/> walks from the generator (τ = 0.5, as the paper evaluates), one per row in a column <c>Walk</c>.</summary>
    public IDataView SampleWalks(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one walk.");
        using var scope = NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        using var _ = no_grad();
        // The noise and the nodes' draws both come from the transformer's seeded source (a CPU generator; on a GPU the
        // draws are moved there), so that a context's seed fixes the walks.
        using var draws = new Generator((ulong)_random.NextSeed());
        var z = randn(new long[] { count, Generator.NoiseSize }, generator: draws);
        var walks = Generator.Sample(z.to(Generator.W_up.device), _options.WalkLength, draws, NodeDraw.InverseCdf).cpu().to(int32);
        var flat = walks.data<int>().ToArray();
        var rows = Enumerable.Range(0, count).Select(i => new WalkRow { Walk = flat[(i * _options.WalkLength)..((i + 1) * _options.WalkLength)] }).ToList();
        return new MLContext().Data.LoadFromEnumerable(rows);
    }

    /// <summary>
    /// Saves an equivalent chain of ML.NET's own transformers (ML.NET gives third parties no way to store their own
    /// state in a model zip): the pair becomes the index s·N + t (ConvertType, Expression), which a value map of the
    /// score matrix's non-zero entries turns into the score; pairs the map lacks score 0. The zip loads without
    /// Microsoft.ML.Gan. Unlike <see cref="Transform"/>, the loaded model gives 0 for node ids outside the graph.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)SavedEquivalent()).Save(ctx);

    internal ITransformer SavedEquivalent()
    {
        if (_sourceType is KeyDataViewType || _targetType is KeyDataViewType)
            throw new NotSupportedException(
                $"Node columns '{_options.SourceColumnName}' / '{_options.TargetColumnName}' are keys; a saved NetGAN model reads integer ids. Convert the keys to integers before NetGAN to save the model.");
        var ml = new MLContext();
        string source = $"{_options.ScoreColumnName}.source", target = $"{_options.ScoreColumnName}.target", pair = $"{_options.ScoreColumnName}.pair";
        var entries = _scores.Entries().Select(e => new KeyValuePair<long, float>((long)e.Row * NodeCount + e.Column, (float)(e.Score / _transitions))).ToList();
        var pipeline = ml.Transforms.Conversion.ConvertType(source, _options.SourceColumnName, DataKind.Int64)
            .Append(ml.Transforms.Conversion.ConvertType(target, _options.TargetColumnName, DataKind.Int64))
            .Append(ml.Transforms.Expression(pair, FormattableString.Invariant($"(s, t) => s * {NodeCount}L + t"), source, target))
            .Append(ml.Transforms.Conversion.MapValue(_options.ScoreColumnName, entries, pair))
            .Append(ml.Transforms.ReplaceMissingValues(_options.ScoreColumnName, replacementMode: Microsoft.ML.Transforms.MissingValueReplacingEstimator.ReplacementMode.DefaultValue))
            .Append(ml.Transforms.DropColumns(source, target, pair));
        var schema = new DataViewSchema.Builder();
        schema.AddColumn(_options.SourceColumnName, _sourceType);
        schema.AddColumn(_options.TargetColumnName, _targetType);
        return pipeline.Fit(new SchemaOnlyData(schema.ToSchema()));
    }

    /// <summary>Frees the generator's native memory.</summary>
    public void Dispose() => Generator.Dispose();
}
