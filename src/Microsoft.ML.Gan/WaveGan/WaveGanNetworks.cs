using Microsoft.ML.Gan.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.WaveGan;

/// <summary>
/// How <see cref="SameConv1d"/> computes its convolution. All three give the same result from the same weights (to
/// float rounding); they differ in the kernels a GPU runs, above all in the gradient penalty's second derivative.
/// </summary>
internal enum ConvolutionForm
{
    /// <summary>libtorch's strided convolution (cuDNN on a GPU).</summary>
    Direct,

    /// <summary>
    /// The windows as rows of a matrix (im2col: an unfold, a copy) and one matrix product with the weights, so that
    /// every derivative is a matrix product too.
    /// </summary>
    MatrixProduct,

    /// <summary>
    /// The stride folded into the channels (space-to-depth): a stride-s convolution of C channels is a stride-1
    /// convolution of s·C channels with a kernel ⌈k / s⌉ long, whose weights are the original ones rearranged.
    /// </summary>
    PhaseSplit,
}

/// <summary>
/// TensorFlow's <c>conv1d(..., padding='SAME')</c> for inputs whose length is a multiple of the stride: the output is
/// length / stride long and the kernel − stride padding samples are split with the smaller half first. PyTorch's
/// symmetric <c>padding</c> cannot put the odd sample at the end (padding 11 would shift every window one sample
/// left of the official code's), so the padding is explicit.
/// </summary>
internal sealed class SameConv1d : nn.Module<Tensor, Tensor>
{
    public readonly Conv1d conv;

    public SameConv1d(long inChannels, long outChannels, long kernel, long stride) : base(nameof(SameConv1d))
    {
        if (kernel < stride) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"A 'same' convolution needs a kernel of at least the stride ({stride}).");
        conv = nn.Conv1d(inChannels, outChannels, kernel, stride: stride);
        (InChannels, OutChannels, Kernel, Stride) = (inChannels, outChannels, kernel, stride);
        PadBefore = (kernel - stride) / 2;
        PadAfter = kernel - stride - PadBefore;
        RegisterComponents();
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public long Kernel { get; }
    public long Stride { get; }
    public long PadBefore { get; }
    public long PadAfter { get; }

    /// <summary>How the convolution is computed (the weights are the same parameters either way).</summary>
    public ConvolutionForm Form { get; set; }

    public override Tensor forward(Tensor x)
    {
        var padded = nn.functional.pad(x, new[] { PadBefore, PadAfter });
        return Form switch
        {
            ConvolutionForm.MatrixProduct => MatrixProduct(padded),
            ConvolutionForm.PhaseSplit => PhaseSplit(padded),
            _ => conv.forward(padded),
        };
    }

    /// <summary>[batch, C, L'] padded → [batch, C_out, L' / s]: windows [batch · L_out, C · k] × weights [C · k, C_out].</summary>
    private Tensor MatrixProduct(Tensor padded) => Layers.ConvolutionAsMatrixProduct(conv, padded, Stride).transpose(1, 2);

    /// <summary>
    /// y[t] = Σ_c Σ_j w[c, j] x[c, s·t + j]; with j = s·q + r this is Σ_(c, r) Σ_q w[c, s·q + r] x[c, s·(t + q) + r]: a
    /// stride-1 convolution over s·C channels (channel c·s + r holds phase r of channel c) with a kernel ⌈k / s⌉ long.
    /// </summary>
    private Tensor PhaseSplit(Tensor padded)
    {
        long taps = (Kernel + Stride - 1) / Stride;
        long batch = padded.shape[0], outLength = (padded.shape[2] - Kernel) / Stride + 1;
        // Phase r of every channel needs samples up to s·(outLength − 1 + taps − 1) + r: zeros past the padded end.
        long phases = outLength + taps - 1;
        var input = nn.functional.pad(padded, new[] { 0L, phases * Stride - padded.shape[2] })
            .view(batch, InChannels, phases, Stride).permute(0, 1, 3, 2).reshape(batch, InChannels * Stride, phases);
        var weight = nn.functional.pad(conv.weight!, new[] { 0L, taps * Stride - Kernel })
            .view(OutChannels, InChannels, taps, Stride).permute(0, 1, 3, 2).reshape(OutChannels, InChannels * Stride, taps);
        return nn.functional.conv1d(input, weight, conv.bias);
    }
}

/// <summary>
/// TensorFlow's <c>conv2d_transpose(..., padding='same')</c> on a [1, length] image, as WaveGAN's generator uses it:
/// the output is length × stride long. The full transposed convolution is cropped by (kernel − stride) / 2 samples at
/// the start and the rest at the end (the gradient of <see cref="SameConv1d"/>); PyTorch's form with padding 11 and
/// output_padding 1 crops one sample more at the start, shifting each layer's output by one sample.
/// </summary>
internal sealed class SameConvTranspose1d : nn.Module<Tensor, Tensor>
{
    public readonly ConvTranspose1d conv;

    public SameConvTranspose1d(long inChannels, long outChannels, long kernel, long stride) : base(nameof(SameConvTranspose1d))
    {
        if (kernel < stride) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"A 'same' convolution needs a kernel of at least the stride ({stride}).");
        CropBefore = (kernel - stride) / 2;
        CropAfter = kernel - stride - CropBefore;
        conv = nn.ConvTranspose1d(inChannels, outChannels, kernel, stride: stride, padding: CropBefore);
        (InChannels, OutChannels, Kernel, Stride) = (inChannels, outChannels, kernel, stride);
        RegisterComponents();
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public long Kernel { get; }
    public long Stride { get; }
    public long CropBefore { get; }
    public long CropAfter { get; }

    /// <summary>
    /// Computes the transposed convolution as one matrix product and an overlap-add (col2im, libtorch's <c>fold</c>)
    /// instead of cuDNN's kernel; the weights are the same parameters either way.
    /// </summary>
    public bool AsMatrixProduct { get; set; }

    public override Tensor forward(Tensor x)
    {
        if (AsMatrixProduct) return MatrixProduct(x);
        var y = conv.forward(x);
        // padding = CropBefore crops that much at both ends; the end needs CropAfter − CropBefore (0 or 1) more.
        return CropAfter == CropBefore ? y : y.narrow(-1, 0, x.shape[^1] * Stride);
    }

    /// <summary>
    /// Each input sample times the [C_in, C_out · k] weights gives its k-tap contribution to every output channel; the
    /// contributions of samples s apart overlap-add into the full output ((L − 1)·s + k long), which is then cropped
    /// as the direct form's is.
    /// </summary>
    private Tensor MatrixProduct(Tensor x)
    {
        long batch = x.shape[0], length = x.shape[2], full = (length - 1) * Stride + Kernel;
        var taps = x.transpose(1, 2).reshape(batch * length, InChannels).mm(conv.weight!.view(InChannels, OutChannels * Kernel));
        var blocks = taps.view(batch, length, OutChannels * Kernel).transpose(1, 2); // [batch, C_out · k, L]
        var y = nn.functional.fold(blocks, (1, full), (1, Kernel), stride: (1, Stride)).view(batch, OutChannels, full);
        // In the bias's dtype under autocast (bfloat16), as the direct form returns it.
        return y.narrow(2, CropBefore, length * Stride) + conv.bias!.to(y.dtype).view(1, OutChannels, 1);
    }
}

/// <summary>
/// Phase shuffle (Donahue et al. 2019, §3.3), as the official <c>apply_phaseshuffle</c>: each call shifts the whole
/// batch by one phase drawn uniformly from −n … n, filling the exposed edge by reflection, so the length is kept. It
/// makes the discriminator's job invariant to the phase of the periodic artefacts of transposed convolutions. Only
/// in training mode; in eval mode (scoring) it is the identity.
/// </summary>
internal sealed class PhaseShuffle : nn.Module<Tensor, Tensor>
{
    private readonly GanRandom? _random;

    /// <param name="radius">n: shifts are drawn from −n … n (paper: 2). 0 disables phase shuffle.</param>
    /// <param name="random">The source of the shifts, needed to train with a radius above 0 (not to score).</param>
    public PhaseShuffle(int radius, GanRandom? random) : base(nameof(PhaseShuffle))
    {
        if (radius < 0) throw new ArgumentOutOfRangeException(nameof(radius), radius, "The phase-shuffle radius cannot be negative.");
        (Radius, _random) = (radius, random);
    }

    public int Radius { get; }

    public override Tensor forward(Tensor x)
    {
        if (!training || Radius == 0) return x;
        if (_random is null) throw new InvalidOperationException("Phase shuffle in training mode needs a random source; score in eval mode.");
        return Shift(x, _random.Next(2 * Radius + 1) - Radius);
    }

    /// <summary>
    /// Shifts [batch, channels, length] by <paramref name="phase"/> samples along the length: a positive phase moves
    /// the signal later and reflects its first samples into the gap, a negative one moves it earlier.
    /// </summary>
    public static Tensor Shift(Tensor x, int phase)
    {
        if (phase == 0) return x;
        long length = x.shape[^1];
        long left = Math.Max(phase, 0), right = Math.Max(-phase, 0);
        return nn.functional.pad(x, new[] { left, right }, PaddingModes.Reflect).narrow(-1, right, length);
    }
}

/// <summary>The WaveGAN architecture's sizes for one slice length, as the official <c>wavegan.py</c> derives them.</summary>
internal static class WaveGanShape
{
    public const int KernelLength = 25;

    /// <summary>Samples at the generator's first (dense) layer, before the upsampling.</summary>
    public const int InitialLength = 16;

    /// <summary>The slice lengths the official code supports (about 1, 2 and 4 s at 16 kHz).</summary>
    public static readonly int[] SliceLengths = { 16384, 32768, 65536 };

    /// <summary>The strides of the generator's upsampling layers and of the discriminator's downsampling ones.</summary>
    public static long[] Strides(int sliceLength) => sliceLength switch
    {
        16384 => new long[] { 4, 4, 4, 4, 4 },
        32768 => new long[] { 4, 4, 4, 4, 4, 2 },
        65536 => new long[] { 4, 4, 4, 4, 4, 4 },
        _ => throw new ArgumentOutOfRangeException(nameof(sliceLength), sliceLength,
            $"WaveGAN generates slices of {string.Join(", ", SliceLengths)} samples; {sliceLength} is not one of them."),
    };

    /// <summary>
    /// Channels from the generator's dense layer down to its output: d·16 halving to d, then 1 for 16,384 samples;
    /// d·32 halving to d, then 1 for the longer slices. The discriminator runs through the same sizes backwards.
    /// </summary>
    public static long[] Channels(int sliceLength, int modelSize)
    {
        int layers = Strides(sliceLength).Length;
        var channels = new long[layers + 1];
        for (int i = 0; i < layers; i++) channels[i] = (long)modelSize << (layers - 1 - i);
        channels[layers] = 1;
        return channels;
    }
}

/// <summary>
/// WaveGAN's generator (the official <c>WaveGANGenerator</c>, no batch norm, zero-insertion upsampling):
/// z → dense (<c>z_project</c>) → [16 samples × d·16 channels] → ReLU → five transposed convolutions (kernel 25,
/// stride 4; ReLU between, tanh last) → [batch, 1, 16,384] in [−1, 1]. Longer slices get one more layer.
/// </summary>
internal sealed class WaveGanGenerator : nn.Module<Tensor, Tensor>
{
    public readonly Linear z_project;
    public readonly ModuleList<SameConvTranspose1d> upconv;

    public WaveGanGenerator(int latentSize = 100, int modelSize = 64, int sliceLength = 16384) : base(nameof(WaveGanGenerator))
    {
        var strides = WaveGanShape.Strides(sliceLength);
        var channels = WaveGanShape.Channels(sliceLength, modelSize);
        (LatentSize, SliceLength, InitialChannels) = (latentSize, sliceLength, channels[0]);
        z_project = nn.Linear(latentSize, WaveGanShape.InitialLength * channels[0]);
        upconv = nn.ModuleList(strides.Select((s, i) => new SameConvTranspose1d(channels[i], channels[i + 1], WaveGanShape.KernelLength, s)).ToArray());
        RegisterComponents();
    }

    public int LatentSize { get; }
    public int SliceLength { get; }
    public long InitialChannels { get; }

    /// <summary>Whether the transposed convolutions run as matrix products (<see cref="SameConvTranspose1d.AsMatrixProduct"/>).</summary>
    public bool MatrixProducts
    {
        get => upconv[0].AsMatrixProduct;
        set
        {
            foreach (var layer in upconv) layer.AsMatrixProduct = value;
        }
    }

    /// <param name="z">[batch, LatentSize], drawn from U(−1, 1) in training.</param>
    /// <returns>[batch, 1, SliceLength].</returns>
    public override Tensor forward(Tensor z)
    {
        // TensorFlow reshapes the dense output to [batch, 16, channels] (channels last); the transpose keeps that
        // layout, so a dense unit feeds the same (time, channel) cell as in the official code.
        var x = z_project.forward(z).view(-1, WaveGanShape.InitialLength, InitialChannels).transpose(1, 2).relu();
        for (int i = 0; i < upconv.Count; i++)
        {
            x = upconv[i].forward(x);
            x = i < upconv.Count - 1 ? x.relu() : x.tanh();
        }
        return x;
    }
}

/// <summary>
/// WaveGAN's discriminator (the official <c>WaveGANDiscriminator</c>, no batch norm): five convolutions (kernel 25,
/// stride 4), each followed by LeakyReLU 0.2, the first four then by phase shuffle; flatten → dense to one score
/// (a WGAN critic: no sigmoid). [batch, 1, 16,384] → [batch]. Longer slices get one more convolution.
/// </summary>
internal sealed class WaveGanDiscriminator : nn.Module<Tensor, Tensor>
{
    private const double Slope = 0.2;
    private const int ShuffledLayers = 4;

    public readonly ModuleList<SameConv1d> downconv;
    public readonly PhaseShuffle phase_shuffle;
    public readonly Linear output;

    /// <param name="modelSize">d, the width multiplier: the convolutions have d, 2d, … 16d channels (32d for longer
    /// slices); official <c>--wavegan_dim</c>: 64.</param>
    /// <param name="sliceLength">Samples per clip: 16,384 (official default, about 1 s at 16 kHz), 32,768 or 65,536.</param>
    /// <param name="phaseShuffle">The radius n of phase shuffle (paper: 2); 0 turns it off.</param>
    /// <param name="shuffleRandom">The source of phase-shuffle shifts (training only).</param>
    public WaveGanDiscriminator(int modelSize = 64, int sliceLength = 16384, int phaseShuffle = 2, GanRandom? shuffleRandom = null)
        : base(nameof(WaveGanDiscriminator))
    {
        // The same strides in the same order as the generator's (the official code's stride-2 layer is the last of both).
        var strides = WaveGanShape.Strides(sliceLength);
        var channels = WaveGanShape.Channels(sliceLength, modelSize).Reverse().ToArray();
        SliceLength = sliceLength;
        downconv = nn.ModuleList(strides.Select((s, i) => new SameConv1d(channels[i], channels[i + 1], WaveGanShape.KernelLength, s)).ToArray());
        phase_shuffle = new PhaseShuffle(phaseShuffle, shuffleRandom);
        output = nn.Linear(WaveGanShape.InitialLength * channels[^1], 1);
        RegisterComponents();
    }

    public int SliceLength { get; }

    /// <summary>How the convolutions are computed (<see cref="ConvolutionForm"/>); the weights do not change.</summary>
    public ConvolutionForm ConvolutionForm
    {
        get => downconv[0].Form;
        set
        {
            foreach (var layer in downconv) layer.Form = value;
        }
    }

    /// <param name="x">[batch, 1, SliceLength] waveforms in [−1, 1].</param>
    /// <returns>[batch] critic scores.</returns>
    public override Tensor forward(Tensor x)
    {
        for (int i = 0; i < downconv.Count; i++)
        {
            x = nn.functional.leaky_relu(downconv[i].forward(x), Slope);
            if (i < ShuffledLayers) x = phase_shuffle.forward(x);
        }
        // TensorFlow flattens [batch, 16, channels] (channels last); the transpose keeps the dense weights' order.
        return output.forward(x.transpose(1, 2).flatten(1)).squeeze(1);
    }
}
