using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>mixed-precision</c>: how far bfloat16 forward passes (libtorch's autocast, the MixedPrecision options) move a first
/// training step's gradients. For each of <c>--draws</c> sets of random data in [−1, 1), from one seed, three runs of one
/// step: float32, float32 with the inputs scaled by 1 + 1e-6 (how sensitive the gradient is to any small change), and
/// bfloat16. Reported: the cosine between the float32 gradients and each other run's, median and range over the draws. CycleGAN: the generators' gradients of its first
/// update (both runs start from the same weights). WaveGAN: the critic's gradients with one critic update per step.
/// On the CPU this runs with the library's CPU settings (oneDNN off) unless <c>--onednn true</c> says otherwise.
/// </summary>
internal static class MixedPrecisionCheck
{
    private sealed record Row(string Gan, string Config, Summary Perturbed, Summary BFloat16, double[] PerturbedCosines, double[] BFloat16Cosines);

    public static int Run(CommandOptions o)
    {
        int draws = o.Int("draws", 5);
        string? oneDnn = o.OptionalString("onednn");
        string? output = o.OptionalString("out");
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        if (oneDnn is not null) LibTorchContext.OneDnnEnabled = bool.Parse(oneDnn);
        Console.WriteLine($"mixed-precision on {device}: cosine of a first step's gradients with float32's, {draws} data draws, oneDNN {LibTorchContext.OneDnnEnabled?.ToString() ?? "libtorch's default"}; {MachineInfo.Now()}");
        Console.WriteLine("| GAN | configuration | float32, inputs × (1 + 1e-6) | bfloat16 |");
        Console.WriteLine("|---|---|---|---|");
        var rows = new List<Row>();
        foreach (var (size, blocks, filters) in new[] { (24, 1, 4), (64, 6, 16), (64, 6, 64) })
        {
            var cosines = Cosines(input => CycleGanGradients(input, blocks, filters, mixed: false, device),
                input => CycleGanGradients(input, blocks, filters, mixed: true, device), new long[] { 8, 3, size, size }, draws);
            rows.Add(Print("CycleGAN", $"{size}×{size}, {blocks} blocks, ngf = ndf = {filters}, batch 1", cosines));
        }
        foreach (var (d, batch) in new[] { (4, 2), (16, 4), (32, 4) })
        {
            var cosines = Cosines(input => WaveGanGradients(input, d, batch, mixed: false, device),
                input => WaveGanGradients(input, d, batch, mixed: true, device), new long[] { batch, 1, 16384 }, draws);
            rows.Add(Print("WaveGAN", $"d = {d}, batch {batch}, 1 critic update", cosines));
        }
        if (output is not null)
            ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), device = device.ToString(), oneDnn = LibTorchContext.OneDnnEnabled, machine = MachineInfo.Now(), rows });
        return 0;
    }

    private static Row Print(string gan, string config, (double[] Perturbed, double[] BFloat16) cosines)
    {
        var row = new Row(gan, config, Summary.Of(cosines.Perturbed), Summary.Of(cosines.BFloat16), cosines.Perturbed, cosines.BFloat16);
        static string Range(Summary s) => FormattableString.Invariant($"{s.Median:F3} ({s.Min:F3}–{s.Max:F3})");
        Console.WriteLine($"| {gan} | {config} | {Range(row.Perturbed)} | {Range(row.BFloat16)} |");
        return row;
    }

    /// <summary>
    /// For each draw of data in [−1, 1) of <paramref name="shape"/>: the cosines of float32's gradients with those of
    /// the inputs × (1 + 1e-6) and with bfloat16's.
    /// </summary>
    internal static (double[] Perturbed, double[] BFloat16) Cosines(Func<Tensor, Tensor> float32, Func<Tensor, Tensor> bfloat16, long[] shape, int draws)
    {
        var perturbed = new double[draws];
        var lower = new double[draws];
        for (int i = 0; i < draws; i++)
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)(i + 1));
            var input = rand(shape, generator: generator) * 2 - 1;
            var reference = float32(input);
            double Cosine(Tensor other) =>
                nn.functional.cosine_similarity(reference.to(float64).unsqueeze(0), other.to(float64).unsqueeze(0)).item<double>();
            (perturbed[i], lower[i]) = (Cosine(float32(input * (1 + 1e-6))), Cosine(bfloat16(input)));
        }
        return (perturbed, lower);
    }

    /// <summary>The generators' gradients after a first CycleGAN step on images [2n, 3, s, s] (A the first half, B the second).</summary>
    private static Tensor CycleGanGradients(Tensor images, int blocks, int filters, bool mixed, Device device)
    {
        long half = images.shape[0] / 2;
        var options = new CycleGanEstimator.Options
        {
            BatchSize = 1, ResidualBlocks = blocks, GeneratorFilters = filters, DiscriminatorFilters = filters, LoadSize = 0,
            Epochs = 1, DecayEpochs = 1, MixedPrecision = mixed,
        };
        using var model = new CycleGanModel(options, images.narrow(0, 0, half), images.narrow(0, half, half), device, seed: 4);
        try
        {
            model.BeginEpoch(1);
            using (NewDisposeScope()) model.TrainStep(new GanRandom(7));
            return cat(model.GeneratorA.parameters().Concat(model.GeneratorB.parameters()).Select(p => p.grad!.flatten()).ToArray()).cpu();
        }
        finally
        {
            foreach (var network in new nn.Module[] { model.GeneratorA, model.GeneratorB, model.DiscriminatorA, model.DiscriminatorB }) network.Dispose();
        }
    }

    /// <summary>
    /// The critic's gradients after a WaveGAN step with one critic update on clips [batch, 1, 16384], followed by the
    /// generator's with <paramref name="withGenerator"/>.
    /// </summary>
    internal static Tensor WaveGanGradients(Tensor clips, int modelSize, int batch, bool mixed, Device device, ConvolutionForm form = ConvolutionForm.Direct,
        bool generatorMatrix = false, bool withGenerator = false)
    {
        var settings = new WaveGanSettings
        {
            ModelSize = modelSize, BatchSize = batch, DiscriminatorUpdates = 1, MixedPrecision = mixed, ConvolutionForm = form,
            GeneratorMatrixProducts = generatorMatrix,
        };
        using var model = new WaveGanModel(settings, clips, device, seed: 4);
        try
        {
            model.BeginEpoch(1);
            using (NewDisposeScope()) model.TrainStep(new GanRandom(7));
            var networks = withGenerator ? new[] { model.Discriminator, model.Generator } : new[] { model.Discriminator };
            return cat(networks.SelectMany(n => n.parameters()).Select(p => p.grad!.flatten()).ToArray()).cpu();
        }
        finally
        {
            model.Generator.Dispose();
            model.Discriminator.Dispose();
        }
    }
}
