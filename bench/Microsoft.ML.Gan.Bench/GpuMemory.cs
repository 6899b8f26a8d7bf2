using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// Device memory in use on CUDA device 0, in MiB. TorchSharp 0.107 binds none of libtorch's allocator statistics
/// (<c>torch.cuda.max_memory_allocated</c> and friends), so this asks the CUDA runtime that libtorch already loaded:
/// <c>cudaMemGetInfo</c>'s total − free, the figure <c>nvidia-smi</c> shows as used, without needing that tool. That counts everything on the
/// device (libtorch's cached blocks, the CUDA context, other processes), so it is an upper bound on the tensors'
/// memory and comparable with PyTorch's <c>torch.cuda.mem_get_info</c>, not with its <c>max_memory_allocated</c>.
/// </summary>
internal static class GpuMemory
{
    private delegate int MemGetInfo(out nuint free, out nuint total);

    private static MemGetInfo? _memGetInfo;
    private static bool _looked;

    /// <summary>Total − free on the current device, or null where the CUDA runtime is not loaded.</summary>
    public static double? UsedMiB(torch.Device device)
    {
        if (device.type != DeviceType.CUDA) return null;
        torch.cuda.synchronize();
        var query = Resolve();
        if (query is null || query(out var free, out var total) != 0) return null;
        return (total - free) / (1024.0 * 1024.0);
    }

    private static MemGetInfo? Resolve()
    {
        if (_looked) return _memGetInfo;
        _looked = true;
        // The soname libtorch_cuda links against; already loaded by then, so no search path is needed.
        foreach (var name in new[] { "libcudart.so.13", "libcudart.so.12", "libcudart.so" })
        {
            if (NativeLibrary.TryLoad(name, out var handle) && NativeLibrary.TryGetExport(handle, "cudaMemGetInfo", out var address))
                return _memGetInfo = Marshal.GetDelegateForFunctionPointer<MemGetInfo>(address);
        }
        return null;
    }
}
