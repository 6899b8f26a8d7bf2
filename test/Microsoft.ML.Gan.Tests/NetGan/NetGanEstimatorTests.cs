using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.NetGan;

[TestClass]
public sealed class NetGanEstimatorTests
{
    public sealed class Edge
    {
        public int Source { get; set; }
        public int Target { get; set; }
    }

    /// <summary>Four 6-cliques joined in a ring: 24 nodes, 64 edges, clear communities.</summary>
    public static List<Edge> Cliques()
    {
        var edges = new List<Edge>();
        for (int c = 0; c < 4; c++)
        {
            for (int i = 0; i < 6; i++)
                for (int j = i + 1; j < 6; j++)
                    edges.Add(new Edge { Source = 6 * c + i, Target = 6 * c + j });
            edges.Add(new Edge { Source = 6 * c, Target = (6 * c + 7) % 24 });
        }
        return edges;
    }

    public static NetGanEstimator.Options Tiny(string? checkpoints = null) => new()
    {
        BatchSize = 16,
        GeneratorHiddenSize = 8,
        DiscriminatorHiddenSize = 8,
        EmbeddingSize = 8,
        LatentSize = 4,
        WalkLength = 6,
        MaxIterations = 12,
        EvaluateEvery = 6,
        EvaluationWalks = 500,
        ScoringWalks = 2000,
        CheckpointDirectory = checkpoints,
        CheckpointEvery = 4,
        StoppingCriterion = NetGanStoppingCriterion.ValidationLinkPrediction,
    };

    [TestMethod]
    public void TheEstimatorAndItsModelKeepTheOptionsAsTheyWereGiven()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny();
        var estimator = ml.Transforms.Gan().NetGan(options);
        options.WalkLength = 1; // invalid, after the estimator checked it
        using var model = estimator.Fit(ml.Data.LoadFromEnumerable(Cliques()));
        options.WalkLength = 9;
        options.ScoreColumnName = "Other";
        var walks = model.SampleWalks(3).GetColumn<int[]>("Walk").ToArray();
        Assert.IsTrue(walks.All(w => w.Length == 6), $"Walk lengths: {string.Join(", ", walks.Select(w => w.Length))}.");
        Assert.IsNotNull(model.Transform(ml.Data.LoadFromEnumerable(Cliques())).Schema.GetColumnOrNull("Score"));
    }

    [TestMethod]
    public void TheModelsSettingsAreTheOptions()
    {
        var options = new NetGanEstimator.Options
        {
            WalkLength = 7, BatchSize = 9, LatentSize = 5, GeneratorHiddenSize = 11, DiscriminatorHiddenSize = 13,
            EmbeddingSize = 17, LearningRate = 1e-3, MaxIterations = 19, EvaluateEvery = 23, FlatAdam = true, CudaGraphs = false,
        };
        var settings = options.ToSettings("graph");
        var expected = new NetGanSettings
        {
            WalkLength = 7, BatchSize = 9, NoiseSize = 5, GeneratorHiddenSize = 11, DiscriminatorHiddenSize = 13,
            EmbeddingSize = 17, LearningRate = 1e-3, MaxIterations = 19, EvaluateEvery = 23, FlatAdam = true, CudaGraphs = false,
            DataFingerprint = "graph", KeepBestGenerator = false,
        };
        Assert.AreEqual(expected, settings);
        // Only the validation criterion keeps the best generator, as the official code's early stopping does.
        options.StoppingCriterion = NetGanStoppingCriterion.ValidationLinkPrediction;
        Assert.AreEqual(expected with { KeepBestGenerator = true }, options.ToSettings("graph"));
    }

    [TestMethod]
    public void TrainsScoresGeneratesAndSamples()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Cliques());
        using var model = ml.Transforms.Gan().NetGan(Tiny()).Fit(data);
        AssertOutputSchemaIsTransforms(model, data);

        Assert.AreEqual(24, model.NodeCount);
        Assert.AreEqual(2, model.Evaluations.Count, "Evaluated at iterations 6 and 12.");
        CollectionAssert.AreEqual(new long[] { 6, 12 }, model.Evaluations.Select(e => e.Iteration).ToArray());
        Assert.IsTrue(model.Evaluations.All(e => e.EdgeOverlap is >= 0 and <= 1));

        var scored = model.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.AreEqual(64, scored.Length);
        Assert.IsTrue(scored.All(s => s >= 0 && s <= 1));
        Assert.AreEqual(model.Score(0, 1), scored[0]);
        Assert.AreEqual(model.Score(3, 5), model.Score(5, 3), "The score matrix is symmetric.");

        var train = model.TrainingGraph;
        Assert.AreEqual(24, train.NodeCount);
        Assert.IsTrue(train.EdgeCount is > 0 and < 64, "validation and test edges are held out");
        Assert.IsTrue(model.TestEdges.Count > 0 && model.TestEdges.All(e => !train.HasEdge(e.Source, e.Target)));

        // The generated graph as a CSV file (ML.NET's SaveAsText, with its header row) reads back as an edge list.
        var generated = model.GenerateGraph(40);
        string csv = Path.Combine(TempDirectory(), "generated.csv");
        using (var file = File.Create(csv))
            ml.Data.SaveAsText(generated, file, separatorChar: ',', headerRow: true, schema: false);
        var read = GraphFiles.ReadEdgeList(csv);
        Assert.AreEqual(40, read.EdgesRead);
        Assert.AreEqual(40, read.Graph.EdgeCount);

        var walks = model.SampleWalks(7).GetColumn<int[]>("Walk").ToArray();
        Assert.AreEqual(7, walks.Length);
        Assert.IsTrue(walks.All(w => w.Length == 6 && w.All(n => n is >= 0 and < 24)));
    }

    [TestMethod]
    public void SameSeedSameScoresAndWalks()
    {
        (float[] Scores, int[] Walks) Run(int seed)
        {
            var ml = new MLContext(seed);
            using var model = ml.Transforms.Gan().NetGan(Tiny()).Fit(ml.Data.LoadFromEnumerable(Cliques()));
            var walks = model.SampleWalks(20).GetColumn<int[]>("Walk").SelectMany(w => w).ToArray();
            return (Enumerable.Range(0, 24).Select(i => model.Score(i, (i + 1) % 24)).ToArray(), walks);
        }
        var (first, second) = (Run(3), Run(3));
        CollectionAssert.AreEqual(first.Scores, second.Scores);
        CollectionAssert.AreEqual(first.Walks, second.Walks, "SampleWalks draws from the context's seed, not from libtorch's global generator.");
        CollectionAssert.AreNotEqual(first.Scores, Run(4).Scores, "Another seed gives another model.");
    }

    [TestMethod]
    [DataRow(0.9, 0.8, 2L)]
    [DataRow(0.8, 0.9, 4L)]
    [DataRow(0.9, 0.9, 2L)]
    public void TheValidationCriterionKeepsTheGeneratorOfTheBestEvaluation(double first, double second, long best)
    {
        // The official code saves the session at each better validation ROC-AUC + AP and restores it when training
        // ends; a tie keeps the earlier. Evaluations are scripted at iterations 2 and 4.
        var settings = new NetGanSettings
        {
            BatchSize = 8, WalkLength = 5, GeneratorHiddenSize = 6, DiscriminatorHiddenSize = 5, EmbeddingSize = 4,
            EvaluateEvery = 2, MaxIterations = 4, KeepBestGenerator = true,
        };
        static TorchSharp.torch.Tensor Walks(int count, GanRandom random) =>
            TorchSharp.torch.tensor(Enumerable.Range(0, count * 5).Select(_ => (long)random.Next(12)).ToArray(), new long[] { count, 5 });
        var performance = new Dictionary<long, double> { [2] = first, [4] = second };
        using var model = new NetGanModel(settings, nodes: 12, Walks, (_, step) => new NetGanEvaluation(step, 0, performance[step], 0), _ => false,
            GanEnvironment.UseCpu(), seed: 2);
        float[] Weights() => model.Generator.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        var weightsAt = new Dictionary<long, float[]>();
        var random = new GanRandom(6);
        for (long step = 1; step <= 4; step++)
        {
            using (TorchSharp.torch.NewDisposeScope()) model.TrainStep(random);
            model.ShouldStop(step);
            weightsAt[step] = Weights();
        }
        CollectionAssert.AreNotEqual(weightsAt[2], weightsAt[4], "Training moved the generator between the evaluations.");
        Assert.AreEqual(best, model.RestoreBestGenerator());
        CollectionAssert.AreEqual(weightsAt[best], Weights());
        model.Generator.Dispose();
    }

    [TestMethod]
    [DataRow(NetGanStoppingCriterion.ValidationLinkPrediction, true)]
    [DataRow(NetGanStoppingCriterion.EdgeOverlap, false)]
    public void OnlyTheValidationCriterionKeepsTheBestGenerator(NetGanStoppingCriterion criterion, bool keeps)
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny();
        options.StoppingCriterion = criterion;
        options.EdgeOverlapTarget = 1;
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.Message);
        using var model = ml.Transforms.Gan().NetGan(options).Fit(ml.Data.LoadFromEnumerable(Cliques()));
        Assert.AreEqual(keeps, messages.Any(m => m.Contains("kept the generator of iteration")));
    }

    [TestMethod]
    public void EdgeOverlapCriterionStopsAtTheFirstEvaluationThatReachesIt()
    {
        var ml = new MLContext(seed: 1);
        var options = Tiny();
        options.StoppingCriterion = NetGanStoppingCriterion.EdgeOverlap;
        options.EdgeOverlapTarget = 1e-9; // any overlap at all
        options.MaxIterations = 60;
        using var model = ml.Transforms.Gan().NetGan(options).Fit(ml.Data.LoadFromEnumerable(Cliques()));
        Assert.AreEqual(1, model.Evaluations.Count);
        Assert.AreEqual(6, model.Evaluations[0].Iteration);
    }

    [TestMethod]
    public void ResumingGivesTheSameScoresAsAnUninterruptedRun()
    {
        float[] Scores(NetGanTransformer m) => Enumerable.Range(0, 24).Select(i => m.Score(i, (i + 6) % 24)).ToArray();
        var ml = new MLContext(seed: 8);
        using var straight = ml.Transforms.Gan().NetGan(Tiny(TempDirectory())).Fit(ml.Data.LoadFromEnumerable(Cliques()));

        string folder = TempDirectory();
        var interrupted = Tiny(folder);
        using var cancel = TestSupport.CancelAtStep(interrupted, 8);
        var ml2 = new MLContext(seed: 8);
        Assert.ThrowsExactly<OperationCanceledException>(() => ml2.Transforms.Gan().NetGan(interrupted).Fit(ml2.Data.LoadFromEnumerable(Cliques())));
        Assert.AreEqual(8, Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), "NetGAN").GetLong("step"));

        var ml3 = new MLContext(seed: 8);
        using var resumed = ml3.Transforms.Gan().NetGan(Tiny(folder)).Fit(ml3.Data.LoadFromEnumerable(Cliques()));
        CollectionAssert.AreEqual(Scores(straight), Scores(resumed));
        CollectionAssert.AreEqual(straight.Evaluations.ToArray(), resumed.Evaluations.ToArray());
    }

    private sealed class LongEdge { public long Source { get; set; } public long Target { get; set; } }
    private sealed class FloatEdge { public float Source { get; set; } public float Target { get; set; } }
    private sealed class TextEdge { public string Source { get; set; } = ""; public string Target { get; set; } = ""; }

    private static Exception FitFails<T>(IEnumerable<T> rows) where T : class
    {
        var ml = new MLContext(1);
        try { ml.Transforms.Gan().NetGan(Tiny()).Fit(ml.Data.LoadFromEnumerable(rows)); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return e; }
        Assert.Fail("Fit accepted bad input.");
        return null!;
    }

    [TestMethod]
    public void CancellingAfterTheLastStepStopsTheScoring()
    {
        // Cancelled at the last iteration's progress report: the loop has nothing left to stop, but the scores that
        // follow (the paper samples up to 100 M walks) must stop too, before their first batch.
        var options = Tiny();
        options.ScoringWalks = 200_000;
        using var cancel = TestSupport.CancelAtStep(options, 12);
        var reports = new List<GanProgress>();
        var cancelling = options.Progress!;
        options.Progress = new SyncProgress(p => { reports.Add(p); cancelling.Report(p); });
        var ml = new MLContext(seed: 1);
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Transforms.Gan().NetGan(options).Fit(ml.Data.LoadFromEnumerable(Cliques())));
        Assert.AreEqual(12L, reports[^1].Step, "the last report is the last iteration's");
        Assert.IsFalse(reports.Any(r => r.Stage == GanStage.Scoring), "no walks were sampled for the scores");
    }

    [TestMethod]
    public void ScoringReportsItsProgressAndStopsWhenCancelledPartWay()
    {
        var options = Tiny();
        options.ScoringWalks = 35_000; // four batches of 10,000 walks on this small graph, the last one short
        options.ProgressInterval = TimeSpan.Zero;
        var reports = new List<GanProgress>();
        options.Progress = new SyncProgress(reports.Add);
        var ml = new MLContext(seed: 1);
        using (ml.Transforms.Gan().NetGan(options).Fit(ml.Data.LoadFromEnumerable(Cliques()))) { }
        var training = reports.TakeWhile(r => r.Stage == GanStage.Training).ToList();
        var scoring = reports.Skip(training.Count).ToList();
        Assert.AreEqual(12L, training[^1].Step, "training reports come first, to the last iteration");
        Assert.IsTrue(scoring.All(r => r.Stage == GanStage.Scoring && r.TotalSteps == 35_000), "then only scoring reports");
        // A handler written for training reports (Losses["G"]) keeps working: the scoring reports repeat the last losses.
        Assert.IsTrue(scoring.All(r => r.Losses["G"] == training[^1].Losses["G"] && r.Losses["D"] == training[^1].Losses["D"]));
        CollectionAssert.AreEqual(new long[] { 10_000, 20_000, 30_000, 35_000 }, scoring.Select(r => r.Step).ToArray(), "walks sampled, after each batch");

        // Cancelled at the first scoring report: the sampling stops there, with the walks still to go never drawn.
        var cancel = new CancellationTokenSource();
        var seen = new List<GanProgress>();
        options.CancellationToken = cancel.Token;
        options.Progress = new SyncProgress(p =>
        {
            seen.Add(p);
            if (p.Stage == GanStage.Scoring) cancel.Cancel();
        });
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Transforms.Gan().NetGan(options).Fit(ml.Data.LoadFromEnumerable(Cliques())));
        Assert.AreEqual(1, seen.Count(r => r.Stage == GanStage.Scoring));
        Assert.AreEqual(10_000L, seen[^1].Step, "one batch of the four was sampled");
        cancel.Dispose();
    }

    [TestMethod]
    public void AFinishedRunResumedStillScoresWithLossesAHandlerCanRead()
    {
        // The second Fit finds the first one's last checkpoint, trains no step and sends no training report; its
        // scoring reports still carry G and D (NaN), so a handler written for training reports does not throw.
        var options = Tiny(TempDirectory());
        options.ScoringWalks = 20_000;
        options.ProgressInterval = TimeSpan.Zero;
        var ml = new MLContext(seed: 1);
        using (ml.Transforms.Gan().NetGan(options).Fit(ml.Data.LoadFromEnumerable(Cliques()))) { }
        var reports = new List<GanProgress>();
        options.Progress = new SyncProgress(p => reports.Add(p with { Losses = new Dictionary<string, double> { ["G"] = p.Losses["G"], ["D"] = p.Losses["D"] } }));
        using (new MLContext(seed: 1).Transforms.Gan().NetGan(options).Fit(new MLContext(seed: 1).Data.LoadFromEnumerable(Cliques()))) { }
        Assert.IsTrue(reports.Count == 2 && reports.All(r => r.Stage == GanStage.Scoring), $"{reports.Count} reports, all scoring");
        Assert.IsTrue(reports.All(r => double.IsNaN(r.Losses["G"]) && double.IsNaN(r.Losses["D"])));
    }

    [TestMethod]
    public void ACheckpointOfAnotherGraphWithAsManyNodesIsRefused()
    {
        string folder = TempDirectory();
        var ml = new MLContext(seed: 1);
        using (ml.Transforms.Gan().NetGan(Tiny(folder)).Fit(ml.Data.LoadFromEnumerable(Cliques()))) { }
        var rewired = Cliques();
        rewired[0] = new Edge { Source = rewired[0].Source, Target = (rewired[0].Target + 12) % 24 }; // still 24 nodes
        var other = new MLContext(seed: 1);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => other.Transforms.Gan().NetGan(Tiny(folder)).Fit(other.Data.LoadFromEnumerable(rewired)));
        StringAssert.Contains(e.Message, "was made with other options");
        StringAssert.Contains(e.Message, "train_graph=");
    }

    [TestMethod]
    public void SelfLoopsAndDuplicatesAreDroppedCountedAndReported()
    {
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.Message);
        var edges = Cliques();
        edges.Add(new Edge { Source = 3, Target = 3 });
        edges.Add(new Edge { Source = 1, Target = 0 }); // (0, 1) again, reversed
        using var model = ml.Transforms.Gan().NetGan(Tiny()).Fit(ml.Data.LoadFromEnumerable(edges));
        Assert.AreEqual(64, model.Graph.EdgeCount);
        var report = messages.Single(m => m.Contains("NetGAN: ") && m.Contains("self loop"));
        StringAssert.Contains(report, "1 self loop");
        StringAssert.Contains(report, "1 duplicate");
    }

    [TestMethod]
    public void NegativeAndNonIntegerIdsAreRefusedWithTheRow()
    {
        var negative = Cliques().Select(e => new LongEdge { Source = e.Source, Target = e.Target }).ToList();
        negative[5].Target = -2;
        var e1 = FitFails(negative);
        StringAssert.Contains(e1.Message, "'Target', row 5");
        StringAssert.Contains(e1.Message, "negative");

        var fractional = Cliques().Select(e => new FloatEdge { Source = e.Source, Target = e.Target }).ToList();
        fractional[2].Source = 1.5f;
        var e2 = FitFails(fractional);
        StringAssert.Contains(e2.Message, "'Source', row 2");
        StringAssert.Contains(e2.Message, "not an integer");
    }

    [TestMethod]
    public void AnIdTooLargeForTheGraphIsRefusedNamingItsColumn()
    {
        var edges = Cliques().Select(e => new LongEdge { Source = e.Source, Target = e.Target }).ToList();
        edges[3].Source = 3_000_000_000;
        var e = FitFails(edges);
        StringAssert.Contains(e.Message, "Node column 'Source', row 3: node id 3000000000 is too large");
    }

    [TestMethod]
    public void StringIdsGetAnErrorPointingToMapValueToKey()
    {
        var e = FitFails(new[] { new TextEdge { Source = "a", Target = "b" } });
        StringAssert.Contains(e.Message, "MapValueToKey");

        // The pipeline's schema check says so too, before any data is read.
        var ml = new MLContext(seed: 1);
        var schema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().NetGan(Tiny()).GetOutputSchema(ShapeOf<TextEdge>(ml)));
        StringAssert.Contains(schema.Message, "Node column 'Source' has type String");
        StringAssert.Contains(schema.Message, "MapValueToKey");
    }

    [TestMethod]
    public void OptionsThatCannotTrainAreRefusedNamingTheOption()
    {
        var ml = new MLContext(seed: 1);
        foreach (var (change, name) in new (Action<NetGanEstimator.Options>, string)[]
                 {
                     (o => o.Patience = 0, "Patience"), (o => o.LearningRate = 0, "LearningRate"), (o => o.LatentSize = 0, "LatentSize"),
                     (o => o.EmbeddingSize = -1, "EmbeddingSize"), (o => o.StoppingCriterion = (NetGanStoppingCriterion)7, "StoppingCriterion"),
                 })
        {
            var options = Tiny();
            change(options);
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().NetGan(options));
            StringAssert.Contains(e.Message, name);
        }
    }

    [TestMethod]
    public void AGraphOfFewerThanThreeNodesIsRefused()
    {
        var e = FitFails(new[] { new Edge { Source = 0, Target = 1 } });
        StringAssert.Contains(e.Message, "at least 3 nodes");
    }

    [TestMethod]
    public void CudaGraphsOnTheCpuAreRefusedNamingTheOptionAndWriteNothing()
    {
        // A user who sets CudaGraphs = true and trains on a machine without a GPU gets told, before any checkpoint.
        string folder = TempDirectory();
        var ml = new MLContext(seed: 1);
        var options = Tiny(folder);
        options.CudaGraphs = true;
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Gan().NetGan(options).Fit(ml.Data.LoadFromEnumerable(Cliques())));
        StringAssert.Contains(e.Message, "CudaGraphs");
        StringAssert.Contains(e.Message, "GPU");
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count());
    }

    [TestMethod]
    public void ScoringANodeOutsideTheGraphNamesIt()
    {
        var ml = new MLContext(seed: 1);
        using var model = ml.Transforms.Gan().NetGan(Tiny()).Fit(ml.Data.LoadFromEnumerable(Cliques()));
        var request = ml.Data.LoadFromEnumerable(new[] { new Edge { Source = 2, Target = 3 }, new Edge { Source = 2, Target = 99 } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(request).GetColumn<float>("Score").ToArray());
        StringAssert.Contains(e.Message, "row 1");
        StringAssert.Contains(e.Message, "node 99");
        StringAssert.Contains(e.Message, "0 to 23");
    }
}

[TestClass]
public sealed class NetGanSaveLoadTests
{
    [TestMethod]
    public void SavedModelScoresTheSameInAProcessWithoutOurAssembly()
    {
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(NetGanEstimatorTests.Cliques());
        var options = NetGanEstimatorTests.Tiny();
        options.ScoringWalks = 20; // few walks leave pairs unscored, which the saved map must give as 0
        var model = ml.Transforms.Gan().NetGan(options).Fit(data);
        string zip = Path.Combine(Path.GetTempPath(), $"mlgan-netgan-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);

        var pairs = Enumerable.Range(0, 24).SelectMany(s => new[] { (s, (s + 1) % 24), (s, (s + 9) % 24), (s, s) }).ToArray();
        var request = ml.Data.LoadFromEnumerable(pairs.Select(p => new NetGanEstimatorTests.Edge { Source = p.Item1, Target = p.Item2 }));
        var ours = model.Transform(request).GetColumn<float>("Score").ToArray();

        var loaded = new MLContext().Model.Load(zip, out _);
        var inProcess = loaded.Transform(request).GetColumn<float>("Score").ToArray();
        CollectionAssert.AreEqual(ours, inProcess);

        var theirs = Microsoft.ML.Gan.Tests.Onnx.RoundTripProcess.Score(zip, pairs.Select(p => new float[] { p.Item1, p.Item2 }).ToArray(), "Source,Target", "Score");
        CollectionAssert.AreEqual(ours, theirs.Select(r => r.Single()).ToArray());
        Assert.IsTrue(ours.Any(v => v > 0) && ours.Any(v => v == 0), "Both scored and unscored pairs are checked.");
    }
}
