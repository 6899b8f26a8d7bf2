using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>When NetGAN training stops (besides <see cref="NetGanEstimator.Options.MaxIterations"/>).</summary>
public enum NetGanStoppingCriterion
{
    /// <summary>When the graph assembled from generated walks shares <see cref="NetGanEstimator.Options.EdgeOverlapTarget"/> of the training graph's edges.</summary>
    EdgeOverlap,
    /// <summary>
    /// When validation ROC-AUC + AP has not improved for <see cref="NetGanEstimator.Options.Patience"/> evaluations. The
    /// fitted model keeps the generator of the best evaluation, as the official code restores it, not the last one.
    /// </summary>
    ValidationLinkPrediction,
}

/// <summary>
/// Trains NetGAN (Bojchevski et al., ICML 2018) on an undirected graph given as an edge list: a generator of random
/// walks learns to fool a critic of real walks. The fitted <see cref="NetGanTransformer"/> scores node pairs by how
/// often generated walks step between them (the paper's link-prediction score), generates graphs and samples walks.
/// </summary>
/// <remarks>
/// Node ids are integers 0 … N−1 (Int32, Int64, UInt32 or key columns; keys count from 1 and are shifted). Self loops
/// and duplicate edges are dropped and counted in the log. The walker stays inside a connected component, so a
/// disconnected graph's walks never join its components. Validation and test edges are held out as the paper does
/// (a spanning tree stays in the training graph) and are available on the transformer for evaluation.
/// </remarks>
public sealed class NetGanEstimator : IEstimator<NetGanTransformer>
{
    /// <summary>Options of <see cref="NetGanEstimator"/>; defaults are the official code's.</summary>
    public sealed class Options : GanTrainerOptions
    {
        /// <summary>Column of edge sources (integer node ids).</summary>
        public string SourceColumnName = "Source";
        /// <summary>Column of edge targets (integer node ids).</summary>
        public string TargetColumnName = "Target";
        /// <summary>Column the transformer adds: the link score of the row's pair.</summary>
        public string ScoreColumnName = "Score";
        /// <summary>Nodes per random walk (paper: 16).</summary>
        public int WalkLength = 16;
        /// <summary>Units of the generator's LSTM (paper: 40).</summary>
        public int GeneratorHiddenSize = 40;
        /// <summary>Units of the critic's LSTM (paper: 30).</summary>
        public int DiscriminatorHiddenSize = 30;
        /// <summary>Size of the noise z (paper: 16).</summary>
        public int LatentSize = 16;
        /// <summary>Size of the node embeddings W_down of generator and critic (paper: 128).</summary>
        public int EmbeddingSize = 128;
        /// <summary>Walks per step (paper: 128).</summary>
        public int BatchSize = 128;
        /// <summary>Adam's learning rate (paper: 3e-4; β = 0.5, 0.9).</summary>
        public double LearningRate = 3e-4;
        /// <summary>Iterations at most; each is one generator step and three critic steps (paper: 50,000).</summary>
        public int MaxIterations = 50_000;
        /// <summary>Iterations between evaluations (paper: 500).</summary>
        public int EvaluateEvery = 500;
        /// <summary>Generated walks per evaluation (paper: 15 M transitions = 1 M walks; fewer is faster on a CPU).</summary>
        public int EvaluationWalks = 100_000;
        /// <summary>Generated walks behind the fitted transformer's scores (paper: 500 K to 100 M).</summary>
        public int ScoringWalks = 500_000;
        /// <summary>The stopping rule checked at each evaluation.</summary>
        public NetGanStoppingCriterion StoppingCriterion = NetGanStoppingCriterion.EdgeOverlap;
        /// <summary>Edge overlap that ends training under <see cref="NetGanStoppingCriterion.EdgeOverlap"/> (paper: 0.5).</summary>
        public double EdgeOverlapTarget = 0.5;
        /// <summary>Evaluations without improvement that end training under <see cref="NetGanStoppingCriterion.ValidationLinkPrediction"/> (paper: 5).</summary>
        public int Patience = 5;
        /// <summary>Edges held out for validation (paper: 0.10).</summary>
        public double ValidationFraction = 0.10;
        /// <summary>Edges held out for testing (paper: 0.05).</summary>
        public double TestFraction = 0.05;
        /// <summary>
        /// On a GPU, replay each training iteration (one generator and three critic updates, about 15,000 small
        /// kernels) as one captured CUDA graph instead of launching its kernels one by one, which is what the iteration
        /// is bound by there (BENCHMARKS.md, "CUDA graphs"). Null (the default): on wherever the GPU's libtorch exports
        /// the graph API, off on the CPU; true on the CPU is an error. The same training either way; the draws differ
        /// (a GPU run is not bit-for-bit reproducible in either mode).
        /// </summary>
        public bool? CudaGraphs;

        internal Options Clone() => (Options)MemberwiseClone();

        /// <summary>The model's settings from these options, for the training graph whose fingerprint is given.</summary>
        internal NetGanSettings ToSettings(string trainingGraphFingerprint) => new()
        {
            WalkLength = WalkLength, BatchSize = BatchSize, NoiseSize = LatentSize,
            GeneratorHiddenSize = GeneratorHiddenSize, DiscriminatorHiddenSize = DiscriminatorHiddenSize,
            EmbeddingSize = EmbeddingSize, LearningRate = LearningRate,
            MaxIterations = MaxIterations, EvaluateEvery = EvaluateEvery, FlatAdam = FlatAdam,
            CudaGraphs = CudaGraphs, DataFingerprint = trainingGraphFingerprint,
            KeepBestGenerator = StoppingCriterion == NetGanStoppingCriterion.ValidationLinkPrediction,
        };
    }

    private readonly GanEnvironment _env;
    private readonly Options _options;

    internal NetGanEstimator(IHostEnvironment env, Options options)
    {
        _env = new GanEnvironment(env, "NetGan");
        // A copy: the user's object may change after this (the next run's settings), and the checks below and the
        // fitted transformer must see the options as they were here.
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        void Require(bool ok, string name, object value, string expected) => GanTrainerOptions.Require("NetGAN", ok, name, value, expected);
        var o = _options;
        o.CheckTrainerOptions();
        Require(o.WalkLength >= 2, nameof(o.WalkLength), o.WalkLength, "2 or more");
        foreach (var (name, size) in new[] { (nameof(o.GeneratorHiddenSize), o.GeneratorHiddenSize), (nameof(o.DiscriminatorHiddenSize), o.DiscriminatorHiddenSize),
                     (nameof(o.LatentSize), o.LatentSize), (nameof(o.EmbeddingSize), o.EmbeddingSize) })
            Require(size >= 1, name, size, "1 or more");
        Require(o.LearningRate > 0 && double.IsFinite(o.LearningRate), nameof(o.LearningRate), o.LearningRate, "a positive rate");
        Require(Enum.IsDefined(o.StoppingCriterion), nameof(o.StoppingCriterion), o.StoppingCriterion, "EdgeOverlap or ValidationLinkPrediction");
        Require(o.Patience >= 1, nameof(o.Patience), o.Patience, "1 or more evaluations");
        Require(o.BatchSize >= 1, nameof(o.BatchSize), o.BatchSize, "1 or more");
        Require(o.MaxIterations >= 1, nameof(o.MaxIterations), o.MaxIterations, "1 or more");
        Require(o.EvaluateEvery >= 1, nameof(o.EvaluateEvery), o.EvaluateEvery, "1 or more");
        Require(o.EvaluationWalks >= 1, nameof(o.EvaluationWalks), o.EvaluationWalks, "1 or more");
        Require(o.ScoringWalks >= 1, nameof(o.ScoringWalks), o.ScoringWalks, "1 or more");
        Require(o.EdgeOverlapTarget is > 0 and <= 1, nameof(o.EdgeOverlapTarget), o.EdgeOverlapTarget, "a fraction in (0, 1]");
        Require(o.ValidationFraction is >= 0 and < 1, nameof(o.ValidationFraction), o.ValidationFraction, "a fraction in [0, 1)");
        Require(o.TestFraction is >= 0 and < 1 && o.ValidationFraction + o.TestFraction < 1, nameof(o.TestFraction), o.TestFraction, "a fraction with ValidationFraction + TestFraction < 1");
        Require(o.StoppingCriterion != NetGanStoppingCriterion.ValidationLinkPrediction || o.ValidationFraction > 0,
            nameof(o.ValidationFraction), o.ValidationFraction, "above 0 with the ValidationLinkPrediction criterion");
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        foreach (var name in new[] { _options.SourceColumnName, _options.TargetColumnName })
        {
            var column = inputSchema.FirstOrDefault(c => c.Name == name);
            if (column.Name is null) throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Node column '{name}' was not found.");
            NodePairs.CheckType(name, column.ItemType, isVector: column.Kind != SchemaShape.Column.VectorKind.Scalar);
        }
        // The score column is a scalar Single; ML.NET's own ConvertType reports one, which is the public way to
        // describe a new column without SchemaShape.Column's internal constructor.
        return new MLContext().Transforms.Conversion.ConvertType(_options.ScoreColumnName, _options.SourceColumnName, DataKind.Single).GetOutputSchema(inputSchema);
    }

    /// <summary>Reads the edges, splits them, trains (or resumes) and returns the fitted transformer.</summary>
    public NetGanTransformer Fit(IDataView input)
    {
        var edges = NodePairs.Read(input, _options.SourceColumnName, _options.TargetColumnName);
        var built = Graph.FromEdges(edges);
        using (var ch = _env.Host.Start("Graph"))
            ch.Info(MessageSensitivity.None, $"NetGAN: {built}");
        var graph = built.Graph;
        var split = GraphSplit.Create(graph, _options.ValidationFraction, _options.TestFraction, _env.NextSeed());
        var device = _env.ResolveDevice();
        long seed = _env.NextSeed();
        var walker = new RandomWalker(split.Train, _options.WalkLength, _options.BatchSize);
        var settings = _options.ToSettings(split.Train.Fingerprint());
        if (NetGanModel.UsesCudaGraphs(settings, device))
            using (var ch = _env.Host.Start("Training"))
                ch.Info(MessageSensitivity.None, "NetGAN: each training iteration is replayed as one CUDA graph (option CudaGraphs).");
        var model = new NetGanModel(settings, graph.NodeCount,
            NetGanModel.RealWalksFrom(walker),
            (m, step) => EvaluateAndLog(m, step, split),
            Stop, device, seed);
        try
        {
            // The last training report is kept: the scoring reports repeat its losses (see SampleScores).
            GanProgress? lastTraining = null;
            var loopOptions = _options.ToLoopOptions();
            if (_options.Progress is { } progress)
                loopOptions = loopOptions with { Progress = new Relay(p => { lastTraining = p; progress.Report(p); }) };
            new GanTrainingLoop(_env.Host, loopOptions).Run(model, seed);
            if (model.RestoreBestGenerator() is { } best)
                using (var ch = _env.Host.Start("Training"))
                    ch.Info(MessageSensitivity.None, $"NetGAN: kept the generator of iteration {best}, the best by validation ROC-AUC + AP.");
            // The scores can take minutes (the paper samples up to 100 M walks); the last checkpoint is written by now.
            var scores = SampleScores(model, lastTraining);
            return new NetGanTransformer(_env.Environment, _options.Clone(), input.Schema, graph, split, scores, model.Generator, model.Evaluations, new GanRandom(seed));
        }
        catch
        {
            model.Generator.Dispose();
            throw;
        }
        finally
        {
            model.Dispose();
        }
    }

    private bool Stop(IReadOnlyList<NetGanEvaluation> evaluations)
    {
        var last = evaluations[^1];
        if (_options.StoppingCriterion == NetGanStoppingCriterion.EdgeOverlap) return last.EdgeOverlap >= _options.EdgeOverlapTarget;
        double best = double.NegativeInfinity;
        int sinceBest = 0;
        foreach (var e in evaluations)
        {
            double performance = e.ValidationAuc + e.ValidationAveragePrecision;
            if (performance > best) { best = performance; sinceBest = 0; }
            else sinceBest++;
        }
        return sinceBest >= _options.Patience;
    }

    private NetGanEvaluation EvaluateAndLog(NetGanModel model, long step, GraphSplit split)
    {
        var e = Evaluate(model, step, split, _options.EvaluationWalks);
        using (var ch = _env.Host.Start("Evaluation"))
            ch.Info(MessageSensitivity.None, FormattableString.Invariant($"NetGAN iteration {step}: edge overlap {e.EdgeOverlap:F3}, validation ROC-AUC {e.ValidationAuc:F4}, AP {e.ValidationAveragePrecision:F4}, τ {model.Temperature:F3}"));
        return e;
    }

    /// <summary>
    /// The official evaluation after iteration <paramref name="step"/>: the score matrix of <paramref name="walks"/>
    /// generated walks, a graph assembled from it with the training graph's edge count, its edge overlap with the
    /// training graph, and link prediction on the validation pairs.
    /// </summary>
    internal static NetGanEvaluation Evaluate(NetGanModel model, long step, GraphSplit split, int walks)
    {
        var counts = SampleTransitions(model, walks);
        var generated = counts.AssembleGraph(split.Train.EdgeCount, new GanRandom(step));
        double overlap = GraphMetrics.EdgeOverlap(split.Train, generated);
        var (auc, ap) = LinkPrediction(counts, split.ValidationEdges, split.ValidationNonEdges);
        return new NetGanEvaluation(step, overlap, auc, ap);
    }

    /// <summary>ROC-AUC and average precision of the score matrix on held-out edges against as many non-edges.</summary>
    internal static (double Auc, double AveragePrecision) LinkPrediction(TransitionCounts counts,
        IReadOnlyList<(int Source, int Target)> edges, IReadOnlyList<(int Source, int Target)> nonEdges)
    {
        if (edges.Count == 0 || nonEdges.Count == 0) return (double.NaN, double.NaN);
        var scores = edges.Concat(nonEdges).Select(p => counts[p.Source, p.Target]).ToArray();
        var labels = edges.Select(_ => true).Concat(nonEdges.Select(_ => false)).ToArray();
        return (GraphMetrics.RocAuc(scores, labels), GraphMetrics.AveragePrecision(scores, labels));
    }

    /// <summary>
    /// The link-prediction scores from <see cref="Options.ScoringWalks"/> walks, showing progress as training does: on
    /// ML.NET's progress channel, and to <see cref="GanTrainerOptions.Progress"/> as <see cref="GanStage.Scoring"/>
    /// reports (walks sampled of walks wanted) every <see cref="GanTrainerOptions.ProgressInterval"/> and at the end.
    /// Those repeat the epoch and losses of <paramref name="lastTraining"/>, the last training report, so that a
    /// handler written for training reports (reading <c>Losses["G"]</c>) still works; where training sent none (a
    /// resumed run that had already finished), the losses are NaN.
    /// </summary>
    private TransitionCounts SampleScores(NetGanModel model, GanProgress? lastTraining)
    {
        int walks = _options.ScoringWalks;
        using (var ch = _env.Host.Start("Scoring"))
            ch.Info(MessageSensitivity.None, $"NetGAN: sampling {walks:N0} walks for the link-prediction scores.");
        using var pch = _env.Host.StartProgressChannel("NetGAN scoring");
        long sampled = 0;
        // ML.NET's progress tracker may read the count from another thread.
        pch.SetHeader(new ProgressHeader(new[] { "walks" }), e => e.SetProgress(0, Interlocked.Read(ref sampled), walks));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? reported = null;
        return SampleTransitions(model, walks, _options.CancellationToken, done =>
        {
            Interlocked.Exchange(ref sampled, done);
            var elapsed = clock.Elapsed;
            if (_options.Progress is null || (done < walks && elapsed - reported < _options.ProgressInterval)) return;
            reported = elapsed;
            double rate = done / Math.Max(elapsed.TotalSeconds, 1e-6);
            var losses = lastTraining?.Losses ?? new Dictionary<string, double> { ["G"] = double.NaN, ["D"] = double.NaN };
            _options.Progress.Report(new GanProgress(lastTraining?.Epoch ?? model.Epochs, done, walks, losses, rate,
                TimeSpan.FromSeconds((walks - done) / rate)) { Stage = GanStage.Scoring });
        });
    }

    /// <summary>Walks per batch when sampling for scores: 10,000, fewer on large graphs so that one [batch, N] tensor stays at about 200 MB.</summary>
    internal static int SamplingBatch(int nodes) => (int)Math.Clamp(50_000_000L / nodes, 1, 10_000);

    /// <summary>The official evaluation's sampling: walks at τ = 0.5 in batches, counted into the score matrix.</summary>
    /// <param name="model">The trained model, whose generator draws the walks.</param>
    /// <param name="walks">How many walks to sample.</param>
    /// <param name="cancellation">Checked between batches.</param>
    /// <param name="sampled">Told the walks sampled so far after each batch.</param>
    internal static TransitionCounts SampleTransitions(NetGanModel model, int walks, CancellationToken cancellation = default, Action<long>? sampled = null)
    {
        var counts = new TransitionCounts(model.Nodes);
        int batch = SamplingBatch(model.Nodes);
        for (int done = 0; done < walks; done += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
            counts.Add(model.SampleWalks(Math.Min(batch, walks - done)));
            sampled?.Invoke(Math.Min((long)done + batch, walks));
        }
        return counts;
    }

    /// <summary>Passes each report on at once, on the reporting thread (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class Relay(Action<GanProgress> report) : IProgress<GanProgress>
    {
        public void Report(GanProgress value) => report(value);
    }
}
