using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>netgan-scale</c>: how NetGAN's training step and its score matrix grow with the node count N, on synthetic graphs
/// of Cora-ML's density (2.84 edges per node: a random spanning tree plus uniformly random extra edges). Per N: the
/// median step time (1 G + 3 D updates at the paper's sizes), the process's peak memory while training and while
/// sampling walks (each from its own reset of the peak), and the score matrix after
/// sampling walks from the (untrained, so nearly uniform) generator: distinct pairs kept against the N² a dense
/// matrix needs. <c>--edges FILE</c> times that graph instead.
/// </summary>
internal static class NetGanScaleBenchmark
{
    private const double EdgesPerNode = 7_981.0 / 2_810; // Cora-ML's largest connected component

    public static int Run(CommandOptions o)
    {
        int[] sizes = o.Ints("nodes", 1_000, 2_000, 5_000, 10_000, 20_000);
        // --edges times one real graph instead (Cora-ML, for the comparison with bench/pytorch/netgan_step.py).
        var file = o.OptionalString("edges") is { } path ? GraphFiles.ReadEdgeList(path).Graph : null;
        if (file is not null) sizes = new[] { file.NodeCount };
        int warmup = o.Int("warmup", 1), reps = o.Int("reps", 3), walks = o.Int("walks", 100_000);
        string? output = o.OptionalString("out");
        var device = GpuOptions.Device(o);
        o.RejectUnknown();

        var machine = MachineInfo.Now();
        Console.WriteLine($"netgan-scale on {device}: batch 128, walks of 16, G 40 / D 30 units, 1 G + 3 D steps; {machine}");
        Console.WriteLine("| nodes | edges | parameters | ms/step median | min–max | peak RSS MiB, training | GPU MiB in use | peak RSS MiB, sampling | score pairs after " + walks.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " walks | dense N² float MiB | sparse MiB (approx.) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var results = new List<object>();
        foreach (int n in sizes)
        {
            var graph = file ?? SyntheticGraph(n, seed: n);
            ProcessMemory.ResetPeak();
            var settings = new NetGanSettings { FlatAdam = GpuOptions.FlatAdam, CriticInOnePass = GpuOptions.CriticInOnePass, CudaGraphs = GpuOptions.CudaGraphs, CriticWalkDraw = GpuOptions.CriticWalkDraw };
            var walker = new RandomWalker(graph, settings.WalkLength, settings.BatchSize);
            using var model = new NetGanModel(settings, n,
                NetGanModel.RealWalksFrom(walker),
                (_, _) => null, _ => false, device, seed: 1);
            long parameters = model.Generator.parameters().Concat(model.Discriminator.parameters()).Sum(p => p.numel());
            var random = new GanRandom(2);
            void Step()
            {
                using var scope = torch.NewDisposeScope();
                foreach (var (_, loss) in model.TrainStep(random)) loss.item<float>();
            }
            for (int i = 0; i < warmup; i++) Step();
            var ms = Enumerable.Range(0, reps).Select(_ => Timing.Milliseconds(Step)).ToList();
            double peak = ProcessMemory.PeakResidentMiB;
            double? gpu = GpuMemory.UsedMiB(device); // the process's whole use so far: run one size per process for a clean reading
            ProcessMemory.ResetPeak();
            var counts = NetGanEstimator.SampleTransitions(model, walks);
            double samplingPeak = ProcessMemory.PeakResidentMiB;
            var s = Summary.Of(ms);
            double denseMiB = (double)n * n * sizeof(float) / (1 << 20);
            // A Dictionary<long, double> entry is about 24 bytes plus its bucket (4).
            double sparseMiB = counts.PairCount * 28.0 / (1 << 20);
            Console.WriteLine(FormattableString.Invariant(
                $"| {n:N0} | {graph.EdgeCount:N0} | {parameters:N0} | {s.Median:F0} | {s.Min:F0}–{s.Max:F0} | {peak:F0} | {(gpu is { } g ? g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) : "–")} | {samplingPeak:F0} | {counts.PairCount:N0} | {denseMiB:F0} | {sparseMiB:F0} |"));
            results.Add(new { nodes = n, edges = graph.EdgeCount, parameters, msPerStep = s, samplesMs = ms, peakRssMiB = peak, gpuInUseMiB = gpu, samplingPeakRssMiB = samplingPeak, walks, scorePairs = counts.PairCount, denseFloatMiB = denseMiB, sparseMiB, loadAfter = MachineInfo.LoadAverage() });
            model.Generator.Dispose();
        }
        if (output is not null) ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), device = device.ToString(), machine, results });
        return 0;
    }

    /// <summary>A connected graph of <paramref name="nodes"/> nodes and Cora-ML's edges per node.</summary>
    internal static Graph SyntheticGraph(int nodes, int seed)
    {
        var random = new GanRandom(seed);
        var edges = new HashSet<(int, int)>();
        for (int v = 1; v < nodes; v++) edges.Add((random.Next(v), v));
        int target = (int)Math.Round(nodes * EdgesPerNode);
        while (edges.Count < target)
        {
            int a = random.Next(nodes), b = random.Next(nodes);
            if (a != b) edges.Add((Math.Min(a, b), Math.Max(a, b)));
        }
        return Graph.FromEdges(edges, nodes).Graph;
    }
}
