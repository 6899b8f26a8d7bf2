using System.Runtime.InteropServices;

namespace Microsoft.ML.Gan.Core.Native;

/// <summary>
/// glibc's malloc, set for training on the CPU. A training step allocates and frees the same few-megabyte tensors
/// every step. By default glibc serves such blocks with fresh <c>mmap</c>s (or trims the heap top back to the system
/// once they are freed), so every step faults its memory in again, page by page: on this project's 2-core machine the
/// NetGAN step on Cora-ML spent a third of its time in the kernel and took 0.9–1.4 s instead of 0.43–0.50 s
/// (BENCHMARKS.md, "CPU levers"). Blocks up to 32 MiB (the most glibc allows) come from the
/// heap, and up to 1 GiB of freed heap is kept for the next step. Peak memory is unchanged; memory freed after
/// training stays with the process until it exits.
/// </summary>
internal static class GlibcMalloc
{
    private const int TrimThresholdParameter = -1; // M_TRIM_THRESHOLD
    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD

    /// <summary>Blocks at least this large are mmapped: glibc's ceiling on 64-bit (HEAP_MAX_SIZE / 2).</summary>
    public const int MmapThreshold = 32 << 20;

    /// <summary>Free memory at the heap's top above this is returned to the system.</summary>
    public const int TrimThreshold = 1 << 30;

    /// <summary>Set to any value, leaves glibc's malloc as it is.</summary>
    public const string OptOutVariable = "MLGAN_DEFAULT_MALLOC";

    private static readonly Lazy<bool> Applied = new(Apply);

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    /// <summary>
    /// Sets the two thresholds once per process (later calls return the first answer). Leaves malloc as it is, and
    /// returns false, off Linux, without glibc, or when the user chose: <see cref="OptOutVariable"/> set, or glibc's
    /// own <c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c> or <c>GLIBC_TUNABLES</c>.
    /// </summary>
    public static bool KeepFreedMemory() => Applied.Value;

    /// <summary>Whether these environment variables leave malloc to the user (see <see cref="KeepFreedMemory"/>).</summary>
    internal static bool UserDecides(Func<string, bool> isSet) =>
        isSet(OptOutVariable) || isSet("MALLOC_MMAP_THRESHOLD_") || isSet("MALLOC_TRIM_THRESHOLD_") || isSet("GLIBC_TUNABLES");

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (UserDecides(name => LibTorchContext.IsSetNatively(name))) return false;
            // mallopt returns 1 on success; setting the mmap threshold also stops glibc from moving both thresholds.
            return MallOpt(MmapThresholdParameter, MmapThreshold) == 1 && MallOpt(TrimThresholdParameter, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }
}
