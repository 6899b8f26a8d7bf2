using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>Random draws from a seeded generator for a tensor that may live on another device.</summary>
internal static class Draw
{
    /// <summary>
    /// U[0, 1) of <paramref name="like"/>'s dtype on <paramref name="like"/>'s device. libtorch draws only on the
    /// generator's own device (a CPU generator cannot fill a CUDA tensor), so the numbers are drawn there and moved;
    /// with no generator they come from the default generator of <paramref name="like"/>'s device.
    /// </summary>
    public static Tensor Uniform(long[] shape, Tensor like, Generator? generator)
    {
        var device = generator?.device ?? like.device;
        var u = rand(shape, dtype: like.dtype, device: device, generator: generator);
        return device.type == like.device.type && device.index == like.device.index ? u : u.to(like.device);
    }
}
