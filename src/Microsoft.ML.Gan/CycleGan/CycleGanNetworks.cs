using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

using Microsoft.ML.Gan.Core;

namespace Microsoft.ML.Gan.CycleGan;

/// <summary>
/// The official code's <c>ResnetBlock</c>: reflect-pad, 3×3 conv, instance norm, ReLU, reflect-pad, 3×3 conv,
/// instance norm, and a skip connection with no ReLU after the sum.
/// </summary>
internal sealed class ResnetBlock : nn.Module<Tensor, Tensor>
{
    public readonly Sequential conv_block;

    public ResnetBlock(long dim) : base(nameof(ResnetBlock))
    {
        conv_block = nn.Sequential(
            ("pad1", nn.ReflectionPad2d(1)),
            ("conv1", nn.Conv2d(dim, dim, 3, bias: true)),
            ("norm1", Layers.InstanceNorm(dim)),
            ("relu", nn.ReLU()),
            ("pad2", nn.ReflectionPad2d(1)),
            ("conv2", nn.Conv2d(dim, dim, 3, bias: true)),
            ("norm2", Layers.InstanceNorm(dim)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + conv_block.forward(x);
}

/// <summary>
/// CycleGAN's generator (<c>resnet_9blocks</c> / <c>resnet_6blocks</c> in the official code): a 7×7 stem, two stride-2
/// downsamplings, <c>blocks</c> residual blocks, two transposed-conv upsamplings and a 7×7 head with Tanh.
/// </summary>
internal sealed class ResnetGenerator : nn.Module<Tensor, Tensor>
{
    public readonly Sequential model;

    /// <summary>The 7×7 output convolution's name in <see cref="model"/> (and in saved weights).</summary>
    private const string OutputConvolution = "head_conv";

    public ResnetGenerator(int blocks = 9, long channels = 3, long ngf = 64) : base(nameof(ResnetGenerator))
    {
        if (blocks < 0) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "The generator needs zero or more residual blocks.");
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem_pad", nn.ReflectionPad2d(3)),
            ("stem_conv", nn.Conv2d(channels, ngf, 7, bias: true)),
            ("stem_norm", Layers.InstanceNorm(ngf)),
            ("stem_relu", nn.ReLU()),
        };
        for (int i = 0; i < 2; i++)
        {
            long mult = 1L << i;
            layers.Add(($"down{i}_conv", nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride: 2, padding: 1, bias: true)));
            layers.Add(($"down{i}_norm", Layers.InstanceNorm(ngf * mult * 2)));
            layers.Add(($"down{i}_relu", nn.ReLU()));
        }
        for (int i = 0; i < blocks; i++)
            layers.Add(($"block{i}", new ResnetBlock(ngf * 4)));
        for (int i = 0; i < 2; i++)
        {
            long mult = 1L << (2 - i);
            layers.Add(($"up{i}_conv", nn.ConvTranspose2d(ngf * mult, ngf * mult / 2, 3, stride: 2, padding: 1, output_padding: 1, bias: true)));
            layers.Add(($"up{i}_norm", Layers.InstanceNorm(ngf * mult / 2)));
            layers.Add(($"up{i}_relu", nn.ReLU()));
        }
        layers.Add(("head_pad", nn.ReflectionPad2d(3)));
        layers.Add((OutputConvolution, nn.Conv2d(ngf, channels, 7, bias: true)));
        layers.Add(("head_tanh", nn.Tanh()));
        model = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>
    /// The layers in order. On the CPU the 7×7 output convolution (ngf → 3 channels) runs as per-tap products
    /// (<see cref="Layers.ConvolutionAsTapProducts"/>): libtorch's CPU convolution would unfold its input into a block
    /// of 49 MiB at 64×64 and 784 MiB at 256×256 (ngf 64) at each call, which glibc maps and faults in afresh every time
    /// (BENCHMARKS.md, "CycleGAN's output convolution as per-tap products"). On a GPU cuDNN runs every layer.
    /// </summary>
    public override Tensor forward(Tensor x)
    {
        if (x.device_type != DeviceType.CPU) return model.forward(x);
        foreach (var (name, layer) in model.named_children())
            x = name == OutputConvolution ? Layers.ConvolutionAsTapProducts((Conv2d)layer, x) : ((nn.Module<Tensor, Tensor>)layer).forward(x);
        return x;
    }
}

/// <summary>
/// The 70×70 PatchGAN (<c>NLayerDiscriminator</c>, n_layers = 3): three stride-2 4×4 convolutions, one stride-1,
/// and a 1-channel stride-1 head giving a raw score per patch (30×30 for a 256×256 input).
/// </summary>
internal sealed class PatchDiscriminator : nn.Module<Tensor, Tensor>
{
    public readonly Sequential model;

    public PatchDiscriminator(long channels = 3, long ndf = 64, int layers = 3) : base(nameof(PatchDiscriminator))
    {
        var seq = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv0", nn.Conv2d(channels, ndf, 4, stride: 2, padding: 1, bias: true)),
            ("lrelu0", nn.LeakyReLU(0.2)),
        };
        long mult = 1;
        for (int n = 1; n <= layers; n++)
        {
            long prev = mult;
            mult = Math.Min(1L << n, 8);
            // The last of these keeps stride 1, as the official NLayerDiscriminator does.
            long stride = n < layers ? 2 : 1;
            seq.Add(($"conv{n}", nn.Conv2d(ndf * prev, ndf * mult, 4, stride: stride, padding: 1, bias: true)));
            seq.Add(($"norm{n}", Layers.InstanceNorm(ndf * mult)));
            seq.Add(($"lrelu{n}", nn.LeakyReLU(0.2)));
        }
        seq.Add(("head", nn.Conv2d(ndf * mult, 1, 4, stride: 1, padding: 1, bias: true)));
        model = nn.Sequential(seq);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => model.forward(x);
}
