using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>Layer choices and initialisations shared by the GANs' networks.</summary>
internal static class Layers
{
    /// <summary>Instance norm as CycleGAN uses it: no affine parameters and no running statistics.</summary>
    public static InstanceNorm2d InstanceNorm(long features) =>
        nn.InstanceNorm2d(features, eps: 1e-5, momentum: 0.1, affine: false, track_running_stats: false);

    /// <summary>The official <c>init_weights(net, 'normal', 0.02)</c>: conv and linear weights ~ N(0, gain), biases 0.</summary>
    public static void InitNormal(nn.Module module, Generator generator, double gain = 0.02)
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0, gain, generator);
        }
    }

    /// <summary>
    /// A stride-1 convolution without padding (<paramref name="input"/> already padded) with few output channels, as
    /// per-tap products and their shifted sum: every (output channel, tap) pair's 1×1 filter applied to the whole input
    /// in one matrix product, [C_out·k_h·k_w, C_in] × [C_in, H_p·W_p], then y[c, i, j] = Σ_(a, b) P[(c, a, b), i + a, j + b],
    /// a sum over a strided view of P (no copy). Its intermediate is C_out·k_h·k_w·H_p·W_p floats, where libtorch's
    /// CPU convolution (oneDNN off, see <see cref="GanEnvironment"/>) unfolds C_in·k_h·k_w·H·W. For CycleGAN's 7×7 output
    /// convolution (64 → 3 channels) that is 2.9 MB instead of 49 MiB at 64×64. Each output is the same sum, in another
    /// order. Returns [batch, C_out, H, W].
    /// </summary>
    public static Tensor ConvolutionAsTapProducts(Conv2d conv, Tensor input)
    {
        // The products are not kept for the backward pass (the strided sum's backward needs their shape only): released
        // here rather than at the end of the caller's scope, their memory serves the next call.
        using var scope = NewDisposeScope();
        var weight = conv.weight!;
        long outChannels = weight.shape[0], inChannels = weight.shape[1], kernelHeight = weight.shape[2], kernelWidth = weight.shape[3];
        long batch = input.shape[0], paddedHeight = input.shape[2], paddedWidth = input.shape[3];
        long height = paddedHeight - kernelHeight + 1, width = paddedWidth - kernelWidth + 1, plane = paddedHeight * paddedWidth;
        long taps = outChannels * kernelHeight * kernelWidth;
        // Row (c, a, b) of the filters is weight[c, :, a, b].
        var filters = weight.permute(0, 2, 3, 1).reshape(taps, inChannels);
        // [batch, (c, a, b), H_p · W_p], laid out as the strides below assume (libtorch may return a transposed product).
        var products = filters.matmul(input.reshape(batch, inChannels, plane)).contiguous();
        // Element (n, c, a, b, i, j) of this view is products[n, (c, a, b), (i + a) · W_p + j + b].
        var shifted = products.as_strided(
            new[] { batch, outChannels, kernelHeight, kernelWidth, height, width },
            new[] { taps * plane, kernelHeight * kernelWidth * plane, kernelWidth * plane + paddedWidth, plane + 1, paddedWidth, 1L },
            products.storage_offset());
        return (shifted.sum(new long[] { 2, 3 }) + conv.bias!.view(1, outChannels, 1, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="conv"/>'s convolution of <paramref name="input"/> [batch, C, L] (already padded) with
    /// <paramref name="stride"/>, computed as one matrix product (im2col): every window as a row of C·k values, times the
    /// weights as a [C·k, C_out] matrix, plus the bias. Returns [batch, L_out, C_out], time before channels. It is what
    /// the convolution computes; its derivatives are matrix products too, which is why WaveGAN's critic on a GPU and
    /// SeqGAN's discriminator on the CPU use it (their callers say why).
    /// </summary>
    public static Tensor ConvolutionAsMatrixProduct(Conv1d conv, Tensor input, long stride)
    {
        var weight = conv.weight!;
        long outChannels = weight.shape[0], kernel = weight.shape[2], batch = input.shape[0];
        var windows = input.unfold(2, kernel, stride); // [batch, C, L_out, k], a view
        long length = windows.shape[2];
        // [batch, L_out, C, k] → [batch · L_out, C · k], in the order of the weight's [C_out, C, k].
        var rows = windows.permute(0, 2, 1, 3).reshape(batch * length, -1);
        return addmm(conv.bias!, rows, weight.reshape(outChannels, -1).t(), beta: 1, alpha: 1).view(batch, length, outChannels);
    }

    /// <summary>
    /// Freezes or unfreezes a network's weights: a generator's update backpropagates through the discriminator to its
    /// input without filling the discriminator's gradients.
    /// </summary>
    public static void SetRequiresGrad(bool requiresGrad, params nn.Module[] modules)
    {
        foreach (var m in modules)
            foreach (var p in m.parameters()) p.requires_grad = requiresGrad;
    }

    /// <summary>
    /// network(input) in training. With <paramref name="bfloat16"/> (the MixedPrecision options) it runs under a bfloat16
    /// autocast scope on the input's device and returns float32, so that the losses and the backward passes, outside
    /// the scope, stay float32 where PyTorch's <c>torch.autocast</c> keeps them so.
    /// </summary>
    public static Tensor Forward(nn.Module<Tensor, Tensor> network, Tensor input, bool bfloat16)
    {
        if (!bfloat16) return network.forward(input);
        using (Autocast.Scope(input.device.type, ScalarType.BFloat16)) return network.forward(input).to(float32);
    }
}
