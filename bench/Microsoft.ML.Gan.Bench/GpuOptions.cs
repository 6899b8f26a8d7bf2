using Microsoft.ML.Gan.Core.Native;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// The options every command shares for running on a GPU: <c>--gpu true</c> (CUDA device 0, an error where CUDA is
/// missing) and <c>--cudnn-benchmark true</c> (cuDNN autotuning: off when absent, as in PyTorch, for the steps a
/// benchmark drives itself; a GAN trained through Fit gets <see cref="CuDnnAutotuning"/>); also the speed lever
/// <c>--flat-adam true|false</c> (<see cref="GanTrainerOptions.FlatAdam"/>), which applies on the CPU too, and
/// <c>--tf32 true</c>: TF32 for cuBLAS matrix products (libtorch's default, as PyTorch's, is off for them and on for
/// cuDNN convolutions, so this changes the LSTM and linear layers, and WaveGAN's convolutions as matrix products, which
/// Fit runs in TF32 on a GPU).
/// </summary>
internal static class GpuOptions
{
    public static bool CuDnnBenchmark { get; private set; }

    /// <summary><c>--cudnn-benchmark true|false</c> as GanTrainerOptions.CuDnnAutotuning, for the GANs a command trains through Fit; absent, the library's default (on).</summary>
    public static bool? CuDnnAutotuning { get; private set; }
    /// <summary><c>--flat-adam true|false</c>: GanTrainerOptions.FlatAdam; absent, the library's choice (on where the updates are CUDA graphs).</summary>
    public static bool? FlatAdam { get; private set; }
    public static bool Tf32 { get; private set; }

    /// <summary><c>--mixed-precision true</c>: the MixedPrecision option of WaveGAN (public) and CycleGAN (internal): bfloat16 forward passes under autocast.</summary>
    public static bool MixedPrecision { get; private set; }

    /// <summary><c>--non-blocking-copies true</c>: GanTrainerOptions.NonBlockingCopies (internal) for CycleGAN and WaveGAN: host-made batches and noise go to the GPU through page-locked memory without the host waiting.</summary>
    public static bool NonBlockingCopies { get; private set; }

    /// <summary><c>--conv-form direct|matrix|phases</c>: WaveGanSettings.ConvolutionForm (the critic's convolutions in training), for the steps a benchmark drives itself.</summary>
    public static WaveGan.ConvolutionForm ConvolutionForm { get; private set; }

    /// <summary><c>--generator-matrix true</c>: WaveGanSettings.GeneratorMatrixProducts (the WaveGAN generator's transposed convolutions as matrix products).</summary>
    public static bool GeneratorMatrixProducts { get; private set; }

    /// <summary><c>--critic-one-pass true|false</c>: NetGanSettings.CriticInOnePass; absent, the library's choice by device.</summary>
    public static bool? CriticInOnePass { get; private set; }

    /// <summary><c>--cuda-graphs true|false</c>: the CudaGraphs option of NetGAN, CycleGAN and SeqGAN; absent, the library's choice (on a GPU).</summary>
    public static bool? CudaGraphs { get; private set; }

    /// <summary><c>--critic-draws gumbel|cdf</c>: NetGanSettings.CriticWalkDraw; absent, the library's choice by device.</summary>
    public static NetGan.NodeDraw? CriticWalkDraw { get; private set; }

    /// <summary>How the flat Adam was set, for the commands' header lines.</summary>
    public static string FlatAdamSetting => FlatAdam is { } flat ? (flat ? "on" : "off") : "the library's default (on where the updates are CUDA graphs, so never for WaveGAN)";

    /// <summary>The device a benchmark that drives a model directly runs on.</summary>
    public static torch.Device Device(CommandOptions o)
    {
        bool gpu = o.Flag("gpu");
        CuDnnBenchmark = o.Flag("cudnn-benchmark");
        CuDnnAutotuning = o.OptionalString("cudnn-benchmark") is { } autotuning ? bool.Parse(autotuning) : null;
        FlatAdam = o.OptionalString("flat-adam") is { } flat ? bool.Parse(flat) : null;
        Tf32 = o.Flag("tf32");
        MixedPrecision = o.Flag("mixed-precision");
        NonBlockingCopies = o.Flag("non-blocking-copies");
        ConvolutionForm = o.OptionalString("conv-form") switch
        {
            null or "direct" => WaveGan.ConvolutionForm.Direct,
            "matrix" => WaveGan.ConvolutionForm.MatrixProduct,
            "phases" => WaveGan.ConvolutionForm.PhaseSplit,
            var other => throw new ArgumentException($"--conv-form takes direct, matrix or phases; found '{other}'."),
        };
        GeneratorMatrixProducts = o.Flag("generator-matrix");
        CriticInOnePass = o.OptionalString("critic-one-pass") is { } onePass ? bool.Parse(onePass) : null;
        CudaGraphs = o.OptionalString("cuda-graphs") is { } graphs ? bool.Parse(graphs) : null;
        CriticWalkDraw = o.OptionalString("critic-draws") switch
        {
            null => null,
            "gumbel" => NetGan.NodeDraw.GumbelMax,
            "cdf" => NetGan.NodeDraw.InverseCdf,
            var other => throw new ArgumentException($"--critic-draws takes gumbel or cdf; found '{other}'."),
        };
        // On the CPU, the settings Fit trains with (oneDNN off, glibc's malloc kept for reuse unless opted out);
        // --onednn true leaves oneDNN on, to measure what it would save.
        Core.GanEnvironment.OneDnnForCpuTraining = o.Flag("onednn");
        if (!gpu) return Core.GanEnvironment.UseCpu();
        torch.InitializeDeviceType(DeviceType.CUDA); // loads libtorch's CUDA part; throws with the loader's reason
        if (!torch.cuda.is_available()) throw new ArgumentException("--gpu true, but CUDA is not available to the loaded libtorch.");
        if (CuDnnBenchmark && !LibTorchContext.SetCuDnnBenchmark(true))
            throw new ArgumentException("--cudnn-benchmark true, but the loaded libtorch has no at::Context::setBenchmarkCuDNN.");
        if (Tf32) torch.backends.cuda.matmul.allow_tf32 = true;
        return new torch.Device(DeviceType.CUDA, 0);
    }

    /// <summary>Points an MLContext at the device chosen by <see cref="Device"/> (no CPU fallback).</summary>
    public static MLContext Context(int seed, torch.Device device)
    {
        var ml = new MLContext(seed);
        if (device.type == DeviceType.CUDA)
        {
            ml.GpuDeviceId = device.index;
            ml.FallbackToCpu = false;
        }
        return ml;
    }
}
