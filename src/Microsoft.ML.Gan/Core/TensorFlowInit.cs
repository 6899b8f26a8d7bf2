using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>TensorFlow 1's initialisers, which the GANs ported from TensorFlow code (NetGAN, WaveGAN) start from.</summary>
internal static class TensorFlowInit
{
    /// <summary>
    /// Glorot (Xavier) uniform for every weight, zeros for every bias: the defaults of tf.get_variable,
    /// tf.layers.dense, tf.layers.conv1d and tf.layers.conv2d_transpose. The limit is √(6 / (fan_in + fan_out)).
    /// </summary>
    public static void GlorotUniform(nn.Module module, Generator generator)
    {
        using var _ = no_grad();
        foreach (var (_, p) in module.named_parameters())
        {
            if (p.dim() == 1) { p.zero_(); continue; }
            // TF stores a dense kernel as [in, out] and torch's Linear as [out, in]; a TF convolution kernel as
            // [k..., in, out] (a transposed one as [k..., out, in]) and torch's as [out, in, k...] ([in, out, k...]).
            // Either way fan_in + fan_out is (the two channel sizes summed) × the receptive field.
            long receptiveField = p.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
            double limit = Math.Sqrt(6.0 / ((p.shape[0] + p.shape[1]) * receptiveField));
            p.uniform_(-limit, limit, generator);
        }
    }
}
