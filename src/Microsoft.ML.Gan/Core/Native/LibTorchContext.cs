using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.Gan.Core.Native;

/// <summary>
/// Switches of libtorch's global <c>at::Context</c> that TorchSharp does not expose, called through their exported
/// C++ symbols in <c>libtorch_cpu.so</c>.
/// </summary>
internal static class LibTorchContext
{
    private const string Library = "torch_cpu";

    [DllImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [DllImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.I1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [DllImport(Library, EntryPoint = "_ZN2at7Context17setBenchmarkCuDNNEb")]
    private static extern void SetBenchmarkCuDnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [DllImport(Library, EntryPoint = "_ZNK2at7Context14benchmarkCuDNNEv")]
    [return: MarshalAs(UnmanagedType.I1)]
    private static extern bool BenchmarkCuDnn(IntPtr context);

    [DllImport("libc.so.6", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("libc.so.6", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(string name);

    /// <summary>
    /// Caps oneDNN at AVX2 for the process (<c>ONEDNN_MAX_CPU_ISA=AVX2</c> in the native environment, where oneDNN reads
    /// it when it first runs; .NET's own environment block is not the one native code sees). libtorch 2.10's oneDNN
    /// 3.7.1 AVX-512 kernels computed convolutions wrong where a side had few channels (see <see cref="WithoutOneDnn"/>):
    /// with them, a 32×32 CycleGAN with ngf 16 went NaN within 35–68 steps at one thread, at a different step each run
    /// of the same seed; capped at AVX2 the same run reached step 3,071 before a NaN (not diagnosed; a later host got
    /// the AVX-512 kernels right, so the fault depends on the host). A cap the user set (either variable
    /// name) is left as it is; on a CPU without AVX-512 the cap changes nothing. Linux only; it must run before the
    /// process's first oneDNN call, so it runs when the library loads.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "A library's initializer on purpose: the cap must be set in every "
        + "process that loads this assembly, before its first oneDNN call (README, \"What the library does to TorchSharp for you\").")]
    internal static void CapOneDnnIsa()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (IsSetNatively("ONEDNN_MAX_CPU_ISA") || IsSetNatively("DNNL_MAX_CPU_ISA")) return;
            SetEnv("ONEDNN_MAX_CPU_ISA", "AVX2", 0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
    }

    /// <summary>Whether <paramref name="name"/> is set in the native environment (the one libc's getenv reads).</summary>
    internal static bool IsSetNatively(string name) => GetEnv(name) != IntPtr.Zero;

    /// <summary>
    /// cuDNN autotuning (PyTorch's <c>torch.backends.cudnn.benchmark</c>, which TorchSharp does not expose): each new
    /// convolution shape is timed once and the fastest algorithm kept. Returns false where libtorch lacks the switch.
    /// </summary>
    public static bool SetCuDnnBenchmark(bool enabled)
    {
        try
        {
            SetBenchmarkCuDnn(GlobalContext(), enabled);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return false; }
    }

    /// <summary>Whether cuDNN autotuning is on; null where libtorch lacks the switch.</summary>
    public static bool? CuDnnBenchmark
    {
        get
        {
            try
            {
                return BenchmarkCuDnn(GlobalContext());
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
        }
    }

    /// <summary>
    /// Turns cuDNN autotuning on until the returned scope is disposed, which restores the setting before; null (nothing
    /// to undo) where it was on already or libtorch lacks the switch.
    /// </summary>
    public static IDisposable? CuDnnBenchmarkScope() =>
        CuDnnBenchmark == false && SetCuDnnBenchmark(true) ? new Undo(() => SetCuDnnBenchmark(false)) : null;

    /// <summary>
    /// Lets cuBLAS's float32 matrix products use TF32 (PyTorch's <c>torch.backends.cuda.matmul.allow_tf32</c>; off by
    /// default in libtorch, while cuDNN's convolutions use TF32 by default) until the returned scope is disposed, which
    /// turns it off again; null (nothing to undo) where it was on already. Process-wide, like the setting itself: as with
    /// <see cref="CuDnnBenchmarkScope"/>, two GPU trainings at once share it, and the first to end turns it off.
    /// </summary>
    public static IDisposable? Tf32MatrixProductsScope()
    {
        if (torch.backends.cuda.matmul.allow_tf32) return null;
        torch.backends.cuda.matmul.allow_tf32 = true;
        return new Undo(() => torch.backends.cuda.matmul.allow_tf32 = false);
    }

    /// <summary>A scope that puts a process-wide switch back as it found it.</summary>
    private sealed class Undo(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>
    /// Whether CPU convolutions may try NNPACK. With oneDNN off, libtorch asks NNPACK on every convolution, and on CPUs
    /// NNPACK does not support it logs "Could not initialize NNPACK! Reason: Unsupported hardware." to stderr each
    /// time (thousands of lines per epoch); it then falls back to the same kernels as with NNPACK off.
    /// </summary>
    public static void DisableNnpack()
    {
        try { SetUserEnabledNnpack(GlobalContext(), false); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
    }

    private static readonly object OneDnnLock = new();
    private static int _withoutOneDnn;
    private static bool? _oneDnnBefore;

    /// <summary>
    /// Turns oneDNN off until the returned object is disposed, then restores the setting found (nested and concurrent
    /// scopes are counted: the last one out restores it). For layers oneDNN gets wrong even with one thread: libtorch
    /// 2.10's oneDNN 3.7.1 AVX-512 kernels computed 2-D convolutions' input gradients (and so transposed convolutions'
    /// outputs) with relative errors of 0.3–1, or NaN, when the image side had one or two channels and the other side
    /// a count that is not a multiple of 16 (SpecGAN's critic input and generator output at d = 8); float64, the AVX2
    /// kernels and libtorch's own kernels were right.
    /// </summary>
    public static IDisposable WithoutOneDnn()
    {
        lock (OneDnnLock)
        {
            if (_withoutOneDnn++ == 0)
            {
                _oneDnnBefore = OneDnnEnabled;
                OneDnnEnabled = false;
            }
        }
        return new OneDnnScope();
    }

    private sealed class OneDnnScope : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            lock (OneDnnLock)
            {
                if (_disposed) return;
                _disposed = true;
                if (--_withoutOneDnn == 0) OneDnnEnabled = _oneDnnBefore;
            }
        }
    }

    /// <summary>
    /// Whether CPU convolutions go through oneDNN (MKL-DNN). Measured here with libtorch 2.10: with 2 intra-op threads
    /// oneDNN's convolution backward returned NaN weight and input gradients for a small CycleGAN generator in 45 of 50
    /// backward passes; with one thread in 0 of 200, and with oneDNN off in 0 of 50. With one thread it proved wrong
    /// later too (<see cref="WithoutOneDnn"/>, and a non-finite gradient on a repeated backward pass), so training on
    /// the CPU turns it off (<see cref="GanEnvironment.UseCpu"/>). Those were earlier hosts: on a later one (AMD family
    /// 26) neither failure reproduced (BENCHMARKS.md, "oneDNN on the CPU, checked again").
    /// Null when this libtorch does not export the switch.
    /// </summary>
    public static bool? OneDnnEnabled
    {
        get
        {
            try { return UserEnabledMkldnn(GlobalContext()); }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
        }
        set
        {
            if (value is null) return;
            try { SetUserEnabledMkldnn(GlobalContext(), value.Value); }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
        }
    }
}
