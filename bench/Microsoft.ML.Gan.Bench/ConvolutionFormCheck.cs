using Microsoft.ML.Gan.WaveGan;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>conv-forms</c>: whether WaveGAN's critic trains alike with its convolutions in each <see cref="ConvolutionForm"/>
/// on this device. As <c>mixed-precision</c> does for bfloat16: for each of <c>--draws</c> sets of random clips, the
/// critic's gradients after one step with one critic update (the gradient penalty's second derivative included), in
/// the direct form, the direct form with the clips × (1 + 1e-6) (how much any small change moves them: on a GPU,
/// TF32 rounding), and each other form; reported, the cosines with the direct form's. A last row does the same for
/// the generator's transposed convolutions as matrix products (<c>WaveGanSettings.GeneratorMatrixProducts</c>),
/// comparing both networks' gradients. The unit tests <c>EveryConvolutionFormGivesTheDirectCriticAndPenaltyGradients</c>
/// and <c>TheGeneratorAsMatrixProductsGivesTheDirectOutputAndGradients</c> check the same on the CPU to 1e-4.
/// </summary>
internal static class ConvolutionFormCheck
{
    public static int Run(CommandOptions o)
    {
        int draws = o.Int("draws", 3), modelSize = o.Int("d", 64), batch = o.Int("batch", 16);
        string? output = o.OptionalString("out");
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        Console.WriteLine($"conv-forms on {device}: cosine of a first step's critic gradients with the direct form's, d = {modelSize}, batch {batch}, "
            + $"{draws} data draws, TF32 matmul {(torch.backends.cuda.matmul.allow_tf32 ? "on" : "off")}; {MachineInfo.Now()}");
        Console.WriteLine("| form | 1 − cosine: direct, clips × (1 + 1e-6) | 1 − cosine: this form |");
        Console.WriteLine("|---|---|---|");
        var rows = new List<object>();
        // The last row: the generator's transposed convolutions as matrix products (the critic direct), compared on
        // both networks' gradients.
        foreach (var (form, generator) in new[] { (ConvolutionForm.MatrixProduct, false), (ConvolutionForm.PhaseSplit, false), (ConvolutionForm.Direct, true) })
        {
            var (perturbed, other) = MixedPrecisionCheck.Cosines(
                clips => MixedPrecisionCheck.WaveGanGradients(clips, modelSize, batch, mixed: false, device, withGenerator: generator),
                clips => MixedPrecisionCheck.WaveGanGradients(clips, modelSize, batch, mixed: false, device, form, generator, withGenerator: generator),
                new long[] { batch, 1, 16384 }, draws);
            // 1 − cosine, median (largest): the cosines are too close to 1 to print.
            static string Range(double[] cosines) => FormattableString.Invariant($"{1 - Summary.Of(cosines).Median:G3} ({1 - cosines.Min():G3})");
            string name = generator ? "generator as matrix products" : form.ToString();
            Console.WriteLine($"| {name} | {Range(perturbed)} | {Range(other)} |");
            rows.Add(new { form = name, perturbed, other });
        }
        if (output is not null)
            ResultFile.WriteJson(output, new { command = ResultFile.CommandLine(), device = device.ToString(), machine = MachineInfo.Now(), rows });
        return 0;
    }
}
