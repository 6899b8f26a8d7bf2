using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>onednn-check</c>: are oneDNN's CPU convolutions right here? For each network of <c>--nets</c> and each seed: the
/// network, one input and one upstream gradient; the output, the weight gradients and (where the input is a float
/// tensor) the input gradient are taken <c>--runs</c> times with oneDNN on, and compared with the float64 result of
/// libtorch's own kernels (float64 never goes through oneDNN). A pass is wrong when anything is non-finite, or when
/// its largest relative error is above 5 % and more than 10 times the larger of two float32 baselines: libtorch's own
/// kernels on the same input, and on the input nudged by ±1e-6 and ±1e-5 of itself (where a ReLU input lies near zero,
/// rounding alone switches its slope and moves a gradient by up to about 1 %, whichever kernels run).
/// <c>--thread-counts 2,1</c> alternates the seeds between thread counts in one process; <c>--retain true</c> takes
/// every pass from one forward pass's kept graph.
/// </summary>
internal static class OneDnnCheck
{
    /// <summary>
    /// Errors below this never count as wrong: libtorch's own float32 kernels were up to 0.4 % from float64 on a
    /// generator's gradients, and 1.2 % on a nudged input (a slope switch near the top moves every gradient below it);
    /// the AVX-512 kernels' errors were 30–100 % or NaN.
    /// </summary>
    private const double WrongAbove = 0.05;

    private sealed record Net(string Name, string Shape, Func<nn.Module<Tensor, Tensor>> Make, Func<Generator, Tensor> Input);

    /// <summary>One network's passes: how many were wrong, and the largest errors of oneDNN and of the two baselines.</summary>
    private sealed record Tally(int Wrong, double OneDnn, double Own, double Nudged);

    public static int Run(CommandOptions o)
    {
        int[] threadCounts = o.Ints("thread-counts", o.Int("threads", 2));
        int seeds = o.Int("seeds", 4), runs = o.Int("runs", 5);
        bool retain = o.Flag("retain"), verbose = o.Flag("verbose");
        var all = Networks(o);
        var nets = o.String("nets", "cyclegan-g,cyclegan-d,seqgan-d,wavegan-g,wavegan-d").Split(',').Select(n => all.FirstOrDefault(a => a.Name == n)
            ?? throw new ArgumentException($"--nets: '{n}' is not one of {string.Join(", ", all.Select(a => a.Name))}.")).ToArray();
        o.RejectUnknown();
        LibTorchContext.DisableNnpack();
        GlibcMalloc.KeepFreedMemory();
        Console.WriteLine($"onednn-check: threads {string.Join(" then ", threadCounts)}, {seeds} seeds × {runs} passes{(retain ? " of one kept graph" : "")}, " +
            $"ONEDNN_MAX_CPU_ISA {(LibTorchContext.IsSetNatively("ONEDNN_MAX_CPU_ISA") ? "set" : "not set")}; {MachineInfo.Now()}");
        int wrongTotal = 0;
        foreach (var net in nets)
        {
            var tally = new Tally(0, 0, 0, 0);
            for (int seed = 0; seed < seeds; seed++)
            {
                set_num_threads(threadCounts[seed % threadCounts.Length]);
                var t = CheckSeed(net, seed, runs, retain, verbose);
                tally = new Tally(tally.Wrong + t.Wrong, Math.Max(tally.OneDnn, t.OneDnn), Math.Max(tally.Own, t.Own), Math.Max(tally.Nudged, t.Nudged));
            }
            wrongTotal += tally.Wrong;
            Console.WriteLine(FormattableString.Invariant(
                $"| {net.Name} | {net.Shape} | {tally.Wrong} of {seeds * runs} | {tally.OneDnn:G3} | {tally.Own:G3} | {tally.Nudged:G3} |"));
        }
        LibTorchContext.OneDnnEnabled = false;
        Console.WriteLine($"{wrongTotal} passes wrong in all");
        return wrongTotal == 0 ? 0 : 1;
    }

    /// <summary>The networks <c>--nets</c> chooses from, at the sizes the options give.</summary>
    private static Net[] Networks(CommandOptions o)
    {
        int batch = o.Int("batch", 2), size = o.Int("size", 32), width = o.Int("width", 16), blocks = o.Int("blocks", 2), slice = o.Int("slice", 16384);
        int[] conv = o.Ints("conv", 256, 1, 4, 1, 1);
        Tensor Images(Generator g, long channels) => randn(new long[] { batch, channels, size, size }, generator: g);
        return new Net[]
        {
            new("cyclegan-g", $"{blocks} blocks, ngf {width}, [{batch}, 3, {size}, {size}]", () => new ResnetGenerator(blocks, 3, width), g => Images(g, 3)),
            new("cyclegan-d", $"ndf {width}, [{batch}, 3, {size}, {size}]", () => new PatchDiscriminator(3, width), g => Images(g, 3)),
            // On the CPU its convolutions run as matrix products (SeqGanDiscriminator.WindowFeatures), not through oneDNN.
            new("seqgan-d", $"vocabulary 500, length 20, [{batch}, 20] tokens", () => new SeqGanDiscriminator(500, 20, keepProbability: 1.0),
                g => randint(0, 500, new long[] { batch, 20 }, generator: g)),
            new("wavegan-g", $"d = {width}, {slice} samples, [{batch}, 100]", () => new WaveGanGenerator(100, width, slice),
                g => rand(new long[] { batch, 100 }, generator: g) * 2 - 1),
            new("wavegan-d", $"d = {width}, {slice} samples, no phase shuffle, [{batch}, 1, {slice}]", () => new WaveGanDiscriminator(width, slice, phaseShuffle: 0),
                g => rand(new long[] { batch, 1, slice }, generator: g) * 2 - 1),
            // One layer: --conv in,out,kernel,stride,padding on --size × --size images.
            new("conv2d", $"Conv2d({conv[0]} → {conv[1]}, kernel {conv[2]}, stride {conv[3]}, padding {conv[4]}), [{batch}, {conv[0]}, {size}, {size}]",
                () => nn.Conv2d(conv[0], conv[1], conv[2], stride: conv[3], padding: conv[4]), g => Images(g, conv[0])),
        };
    }

    /// <summary>One seed of one network: the float64 reference, the two float32 baselines, then the oneDNN passes.</summary>
    private static Tally CheckSeed(Net net, int seed, int runs, bool retain, bool verbose)
    {
        using var scope = NewDisposeScope();
        manual_seed(seed);
        using var module = net.Make();
        using (var init = new Generator((ulong)seed))
        {
            // Each network's own initialisation, as its model applies it.
            if (module is SeqGanDiscriminator d) d.InitOfficial(init);
            else if (module is WaveGanGenerator or WaveGanDiscriminator) TensorFlowInit.GlorotUniform(module, init);
            else Layers.InitNormal(module, init);
        }
        using var draws = new Generator((ulong)(1000 + seed));
        var x = net.Input(draws);
        bool inputGrad = x.dtype == float32;
        var labels = module.named_parameters().Select(p => p.name).Prepend("output").ToList();
        if (inputGrad) labels.Add("input");

        module.to(float64);
        // The upstream gradient is drawn once, in the output's shape, during the reference pass; every pass reuses it.
        Tensor upstream = null!;
        var reference = Pass(module, x, shape => upstream = randn(shape, generator: draws), oneDnn: false, float64: true, inputGrad);
        Tensor SameUpstream(long[] _) => upstream;
        module.to(float32);
        // Relative to each tensor's norm, floored at a thousandth of the largest gradient's: conv biases before an
        // instance norm have a true gradient of zero, which float32 computes as rounding noise.
        double floor = 1e-3 * reference.Skip(1).Max(t => t.norm().item<double>());
        (double Error, string Name) Worst(Tensor[] result) => result.Zip(reference, labels)
            .Select(p => (RelativeError(nan_to_num(p.First), p.Second, floor), p.Third)).MaxBy(e => e.Item1);
        var own = Worst(Pass(module, x, SameUpstream, oneDnn: false, float64: false, inputGrad));
        // The same kernels on the input nudged by ±1e-6 and ±1e-5 (relative): how far rounding-sized changes move
        // the gradients by themselves (a ReLU or LeakyReLU input near zero switches slope). The largest counts.
        var nudged = inputGrad
            ? new[] { 1e-6, -1e-6, 1e-5, -1e-5 }.Select(e => Worst(Pass(module, x * (1 + e), SameUpstream, oneDnn: false, float64: false, inputGrad))).MaxBy(w => w.Error)
            : own;

        // --retain: one forward pass through oneDNN, its graph kept and differentiated every pass.
        Tensor? kept = null;
        Tensor[] keptInputs = Array.Empty<Tensor>();
        if (retain)
        {
            LibTorchContext.OneDnnEnabled = true;
            var input = inputGrad ? x.detach().requires_grad_(true) : x;
            kept = module.forward(input);
            keptInputs = inputGrad ? module.parameters().Append(input).ToArray() : module.parameters().ToArray();
        }
        int wrong = 0;
        double largest = 0;
        for (int run = 0; run < runs; run++)
        {
            var result = kept is null
                ? Pass(module, x, SameUpstream, oneDnn: true, float64: false, inputGrad)
                : autograd.grad(new[] { kept }, keptInputs, new[] { upstream }, retain_graph: true).Prepend(kept).Select(t => t.to(float64)).ToArray();
            var nonFinite = result.Zip(labels).Where(p => !isfinite(p.First).all().item<bool>()).Select(p => p.Second).ToList();
            var worst = Worst(result);
            largest = Math.Max(largest, nonFinite.Count == 0 ? worst.Error : double.PositiveInfinity);
            if (nonFinite.Count == 0 && worst.Error <= Math.Max(10 * Math.Max(own.Error, nudged.Error), WrongAbove)) continue;
            wrong++;
            Console.WriteLine(
                FormattableString.Invariant($"  WRONG {net.Name} seed {seed} ({get_num_threads()} threads) pass {run}: {(nonFinite.Count == 0 ? "finite" : "non-finite: " + string.Join(", ", nonFinite))}, ") +
                FormattableString.Invariant($"largest relative error {worst.Error:G3} ({worst.Name}); libtorch's own float32 kernels {own.Error:G3} ({own.Name}), on a nudged input {nudged.Error:G3} ({nudged.Name})"));
            if (verbose)
                foreach (var (t, r, n) in result.Zip(reference, labels))
                    Console.WriteLine(FormattableString.Invariant(
                        $"    {n}: relative error {RelativeError(nan_to_num(t), r, floor):G3}, norm {r.norm().item<double>():G4} (floor {floor:G3}), oneDNN − reference {(t - r).norm().item<double>():G3}"));
        }
        return new Tally(wrong, largest, own.Error, nudged.Error);
    }

    /// <summary>
    /// The output, then the gradients of every parameter (and of the input, when asked) for the upstream gradient that
    /// <paramref name="upstreamFor"/> gives for the output's shape.
    /// </summary>
    private static Tensor[] Pass(nn.Module<Tensor, Tensor> module, Tensor x, Func<long[], Tensor> upstreamFor, bool oneDnn, bool float64, bool inputGrad)
    {
        LibTorchContext.OneDnnEnabled = oneDnn;
        var input = float64 && x.dtype == float32 ? x.to(torch.float64) : x;
        if (inputGrad) input = input.detach().requires_grad_(true);
        var y = module.forward(input);
        var upstream = upstreamFor(y.shape);
        var inputs = inputGrad ? module.parameters().Append(input).ToArray() : module.parameters().ToArray();
        var grads = autograd.grad(new[] { y }, inputs, new[] { float64 ? upstream.to(torch.float64) : upstream });
        return grads.Prepend(y).Select(t => t.detach().to(torch.float64)).ToArray();
    }

    private static double RelativeError(Tensor a, Tensor b, double floor) =>
        (a - b).norm().item<double>() / Math.Max(b.norm().item<double>(), floor);
}
