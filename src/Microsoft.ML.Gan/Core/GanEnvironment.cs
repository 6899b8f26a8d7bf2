using System.Reflection;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// What a GAN takes from its <see cref="MLContext"/>: a host for logging and progress, a seed drawn from the
/// context's seeded random source, and the device chosen by <c>GpuDeviceId</c> / <c>FallbackToCpu</c>.
/// </summary>
internal sealed class GanEnvironment
{
    public GanEnvironment(IHostEnvironment env, string name)
    {
        Environment = env ?? throw new ArgumentNullException(nameof(env));
        Host = env.Register(name);
        LibTorchSharpFix.Apply();
    }

    public IHostEnvironment Environment { get; }
    public IHost Host { get; }

    /// <summary>A seed for one training run: fixed by <c>new MLContext(seed: N)</c>, random otherwise.</summary>
    public long NextSeed() => Host.Rand.NextInt64(long.MaxValue);

    /// <summary>
    /// CUDA device <c>GpuDeviceId</c> when the context asks for one and CUDA is present; otherwise the CPU when
    /// <c>FallbackToCpu</c> is set (with a warning), or an error saying why no GPU could be used.
    /// </summary>
    public Device ResolveDevice()
    {
        var (gpuId, fallback) = ReadDeviceSettings(Environment);
        if (gpuId is null) return UseCpu();
        if (TryCuda(out string why))
        {
            int count = (int)cuda.device_count();
            if (gpuId.Value < count) return new Device(DeviceType.CUDA, gpuId.Value);
            why = $"GpuDeviceId is {gpuId.Value} but only {count} CUDA device(s) exist";
        }
        if (fallback)
        {
            using var ch = Host.Start("Device");
            ch.Warning(MessageSensitivity.None, $"{why}; training on the CPU because FallbackToCpu is set.");
            return UseCpu();
        }
        throw new InvalidOperationException(
            $"MLContext.GpuDeviceId is {gpuId.Value} but {why}. Build with TorchBackend=cuda (or external with a CUDA libtorch), " +
            "or set MLContext.FallbackToCpu = true to train on the CPU.");
    }

    /// <summary>
    /// CPU settings for training: libtorch's own convolutions, not oneDNN's. oneDNN's convolution backward races with
    /// more than one intra-op thread (NaN gradients, see <see cref="Core.Native.LibTorchContext.OneDnnEnabled"/>), and
    /// with one thread it is wrong too: its AVX-512 kernels for few-channel layers (<see cref="Core.Native.LibTorchContext.WithoutOneDnn"/>),
    /// and, even capped at AVX2, a generator's weight gradient that came out non-finite on the second of five
    /// identical backward passes (CycleGanGradientTests, 2026-11-27). On a later host none of this reproduced, with
    /// AVX2 or AVX-512 (<c>bench onednn-check</c>), so the faults depend on the host, which the library cannot know in
    /// advance. oneDNN would make a 2-thread step 1.3–1.9× faster there (BENCHMARKS.md, "oneDNN on the CPU, checked
    /// again"); correct gradients come first. glibc's malloc keeps freed tensors' memory for the next step
    /// (<see cref="Core.Native.GlibcMalloc"/>).
    /// </summary>
    internal static Device UseCpu()
    {
        Core.Native.LibTorchContext.OneDnnEnabled = OneDnnForCpuTraining;
        Core.Native.LibTorchContext.DisableNnpack();
        Core.Native.GlibcMalloc.KeepFreedMemory();
        return CPU;
    }

    /// <summary>
    /// Whether <see cref="UseCpu"/> leaves oneDNN on. False: the library trains without it. The bench's
    /// <c>steps --onednn true</c> sets it, to measure what oneDNN would save (BENCHMARKS.md, "oneDNN on the CPU, checked again").
    /// </summary>
    internal static bool OneDnnForCpuTraining { get; set; }

    private static bool TryCuda(out string why)
    {
        try
        {
            if (cuda.is_available()) { why = ""; return true; }
            why = "CUDA is not available (no GPU, or the loaded libtorch is a CPU build)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            why = $"CUDA could not be loaded ({e.Message})";
        }
        return false;
    }

    /// <summary>
    /// MLContext's GpuDeviceId / FallbackToCpu live on an internal interface of its environment; the public
    /// properties of the same names on <see cref="MLContext"/> and on ML.NET's environments are read by name.
    /// </summary>
    internal static (int? GpuDeviceId, bool FallbackToCpu) ReadDeviceSettings(IHostEnvironment env)
    {
        object target = env;
        int? gpu = null; bool fallback = false;
        var type = target.GetType();
        var gpuProp = FindProperty(type, "GpuDeviceId");
        var fbProp = FindProperty(type, "FallbackToCpu");
        if (gpuProp?.GetValue(target) is int g) gpu = g;
        if (fbProp?.GetValue(target) is bool f) fallback = f;
        return (gpu, fallback);
    }

    private static PropertyInfo? FindProperty(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        ?? type.GetInterfaces().Select(i => i.GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
               .FirstOrDefault(p => p is not null)
        ?? type.GetInterfaces().SelectMany(i => i.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
               .FirstOrDefault(p => p.Name.EndsWith("." + name, StringComparison.Ordinal));
}
