using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.WaveGan;

/// <summary>
/// TensorFlow's <c>conv2d(..., padding='SAME')</c> for square kernels and sides that are multiples of the stride: each
/// side shrinks by the stride, and the kernel − stride padding rows (columns) go the smaller half first. For SpecGAN's
/// kernel 5, stride 2 that is 1 before and 2 after, which PyTorch's symmetric <c>padding</c> cannot express.
/// </summary>
internal sealed class SameConv2d : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv;
    private readonly long[] _pad;

    public SameConv2d(long inChannels, long outChannels, long kernel, long stride) : base(nameof(SameConv2d))
    {
        if (kernel < stride) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"A 'same' convolution needs a kernel of at least the stride ({stride}).");
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: stride);
        long before = (kernel - stride) / 2, after = kernel - stride - before;
        _pad = new[] { before, after, before, after };
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => conv.forward(nn.functional.pad(x, _pad));
}

/// <summary>
/// TensorFlow's <c>conv2d_transpose(..., padding='same')</c> (SpecGAN's zero-insertion upsampling): each side grows by
/// the stride. The full transposed convolution is cropped by (kernel − stride) / 2 at the start of each axis and the
/// rest at the end, the gradient of <see cref="SameConv2d"/>; PyTorch's symmetric padding would crop one row and
/// column more at the start and shift every layer's output.
/// </summary>
internal sealed class SameConvTranspose2d : nn.Module<Tensor, Tensor>
{
    public readonly ConvTranspose2d conv;

    public SameConvTranspose2d(long inChannels, long outChannels, long kernel, long stride) : base(nameof(SameConvTranspose2d))
    {
        if (kernel < stride) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"A 'same' convolution needs a kernel of at least the stride ({stride}).");
        (Stride, CropBefore) = (stride, (kernel - stride) / 2);
        CropAfter = kernel - stride - CropBefore;
        conv = nn.ConvTranspose2d(inChannels, outChannels, kernel, stride: stride, padding: CropBefore);
        RegisterComponents();
    }

    public long Stride { get; }
    public long CropBefore { get; }
    public long CropAfter { get; }

    public override Tensor forward(Tensor x)
    {
        var y = conv.forward(x);
        // padding = CropBefore crops that much at both ends; the ends need CropAfter − CropBefore more.
        return CropAfter == CropBefore ? y : y.narrow(-2, 0, x.shape[^2] * Stride).narrow(-1, 0, x.shape[^1] * Stride);
    }
}

/// <summary>The SpecGAN architecture's fixed sizes (the official <c>specgan.py</c>).</summary>
internal static class SpecGanShape
{
    public const int KernelSize = 5;
    public const int Stride = 2;
    public const int Layers = 5;

    /// <summary>Rows and columns at the generator's first (dense) layer: 4 × 4, doubled five times to 128 × 128.</summary>
    public const int InitialSide = 4;

    /// <summary>
    /// Channels from the generator's dense layer down to its output: d·16 halving to d, then 1, the plan of WaveGAN's
    /// five layers (the official code sizes both alike).
    /// </summary>
    public static long[] Channels(int modelSize) => WaveGanShape.Channels(SpecGanTransform.SliceLength, modelSize);

    /// <summary>
    /// On the CPU, oneDNN off while SpecGAN's networks run (null elsewhere): its kernels get the critic's one-channel
    /// input gradient and the generator's one-channel output wrong at small d (<see cref="LibTorchContext.WithoutOneDnn"/>).
    /// Training holds it over the whole step, so that the backward passes use libtorch's own kernels too.
    /// </summary>
    public static IDisposable? CpuKernels(Device device) => device.type == DeviceType.CPU ? LibTorchContext.WithoutOneDnn() : null;
}

/// <summary>
/// SpecGAN's generator (the official <c>SpecGANGenerator</c> with its defaults: no batch norm, zero-insertion
/// upsampling): z → dense (<c>z_project</c>) → [4 × 4 × d·16] → ReLU → five transposed convolutions (5 × 5, stride 2;
/// ReLU between, tanh last) → [batch, 1, 128, 128], a normalised log-magnitude spectrogram (rows: frames, columns:
/// frequency bins), which <see cref="SpecGanTransform"/> turns into a waveform.
/// </summary>
internal sealed class SpecGanGenerator : nn.Module<Tensor, Tensor>
{
    public readonly Linear z_project;
    public readonly ModuleList<SameConvTranspose2d> upconv;

    public SpecGanGenerator(int latentSize = 100, int modelSize = 64) : base(nameof(SpecGanGenerator))
    {
        var channels = SpecGanShape.Channels(modelSize);
        (LatentSize, InitialChannels) = (latentSize, channels[0]);
        z_project = nn.Linear(latentSize, SpecGanShape.InitialSide * SpecGanShape.InitialSide * channels[0]);
        upconv = nn.ModuleList(Enumerable.Range(0, SpecGanShape.Layers)
            .Select(i => new SameConvTranspose2d(channels[i], channels[i + 1], SpecGanShape.KernelSize, SpecGanShape.Stride)).ToArray());
        RegisterComponents();
    }

    public int LatentSize { get; }
    public long InitialChannels { get; }

    /// <param name="z">[batch, LatentSize], drawn from U(−1, 1) in training.</param>
    /// <returns>[batch, 1, 128, 128] in [−1, 1].</returns>
    public override Tensor forward(Tensor z)
    {
        using var kernels = SpecGanShape.CpuKernels(z.device);
        // TensorFlow reshapes the dense output to [batch, 4, 4, channels] (channels last); the permutation keeps that
        // layout, so a dense unit feeds the same (row, column, channel) cell as in the official code.
        var x = z_project.forward(z).view(-1, SpecGanShape.InitialSide, SpecGanShape.InitialSide, InitialChannels).permute(0, 3, 1, 2).relu();
        for (int i = 0; i < upconv.Count; i++)
        {
            x = upconv[i].forward(x);
            x = i < upconv.Count - 1 ? x.relu() : x.tanh();
        }
        return x;
    }
}

/// <summary>
/// SpecGAN's discriminator (the official <c>SpecGANDiscriminator</c> with its defaults: no batch norm, no phase
/// shuffle): five convolutions (5 × 5, stride 2), each followed by LeakyReLU 0.2; flatten → dense to one score (a WGAN
/// critic: no sigmoid). [batch, 1, 128, 128] → [batch].
/// </summary>
internal sealed class SpecGanDiscriminator : nn.Module<Tensor, Tensor>
{
    private const double Slope = 0.2;

    public readonly ModuleList<SameConv2d> downconv;
    public readonly Linear output;

    public SpecGanDiscriminator(int modelSize = 64) : base(nameof(SpecGanDiscriminator))
    {
        var channels = SpecGanShape.Channels(modelSize).Reverse().ToArray();
        downconv = nn.ModuleList(Enumerable.Range(0, SpecGanShape.Layers)
            .Select(i => new SameConv2d(channels[i], channels[i + 1], SpecGanShape.KernelSize, SpecGanShape.Stride)).ToArray());
        output = nn.Linear(SpecGanShape.InitialSide * SpecGanShape.InitialSide * channels[^1], 1);
        RegisterComponents();
    }

    /// <param name="x">[batch, 1, 128, 128] normalised spectrograms in [−1, 1].</param>
    /// <returns>[batch] critic scores.</returns>
    public override Tensor forward(Tensor x)
    {
        using var kernels = SpecGanShape.CpuKernels(x.device);
        foreach (var conv in downconv)
            x = nn.functional.leaky_relu(conv.forward(x), Slope);
        // TensorFlow flattens [batch, 4, 4, channels] (channels last); the permutation keeps the dense weights' order.
        return output.forward(x.permute(0, 2, 3, 1).flatten(1)).squeeze(1);
    }
}
