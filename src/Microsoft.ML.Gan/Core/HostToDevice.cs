using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// Moves a tensor made on the host (a batch gathered from the training data, noise from a seeded CPU generator) to the
/// training device. A plain copy from ordinary memory to a GPU makes the host wait until the GPU has run everything
/// queued before it (libtorch synchronises the stream after such a copy), so the GPU then idles while the host gathers
/// the next batch and launches the next kernels. Non-blocking, the tensor goes through page-locked memory (libtorch's
/// caching host allocator, which keeps the block until the copy has run) and the host goes on at once: PyTorch's
/// <c>pin_memory=True</c> with <c>non_blocking=True</c>.
/// </summary>
internal static class HostToDevice
{
    /// <summary>
    /// <paramref name="host"/> on <paramref name="device"/>; with <paramref name="nonBlocking"/>, a CPU tensor goes to
    /// a GPU without the host waiting. Elsewhere (the CPU, or a tensor already on the device) the same as <c>to</c>.
    /// </summary>
    public static Tensor Copy(Tensor host, Device device, bool nonBlocking)
    {
        if (!nonBlocking || device.type != DeviceType.CUDA || host.device.type != DeviceType.CPU) return host.to(device);
        using var pinned = host.pin_memory();
        return pinned.to(device, non_blocking: true);
    }
}
