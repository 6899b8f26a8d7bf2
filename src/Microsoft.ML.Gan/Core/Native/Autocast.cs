using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core.Native;

/// <summary>
/// libtorch's autocast (what PyTorch's <c>torch.autocast</c> switches), through the exported C++ functions of
/// <c>at::autocast</c>; TorchSharp 0.107 binds none. While it is on for a device type, every operation that
/// TorchSharp sends through libtorch's dispatcher on that device runs as autocast's policy says: convolutions and
/// matrix products in the lower precision (bfloat16 here), reductions and losses in float32. The state is per thread.
/// </summary>
internal static unsafe class Autocast
{
    private static delegate* unmanaged<sbyte, byte, void> _setEnabled;
    private static delegate* unmanaged<sbyte, byte> _isEnabled;
    private static delegate* unmanaged<sbyte, sbyte, void> _setDtype;
    private static delegate* unmanaged<sbyte, sbyte> _getDtype;
    private static delegate* unmanaged<void> _clearCache;
    private static readonly Lazy<string?> Missing = new(Bind);

    /// <summary>Null when the loaded libtorch exports every function used here; otherwise why autocast cannot be used.</summary>
    public static string? WhyUnavailable => Missing.Value;

    private static string? Bind()
    {
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out var library)) return "libtorch_cpu.so is not loaded";
        var missing = new List<string>();
        nint Export(string name)
        {
            if (NativeLibrary.TryGetExport(library, name, out var address)) return address;
            missing.Add(name);
            return 0;
        }
        // c10::DeviceType and c10::ScalarType are int8 enums with TorchSharp's numbering (CPU 0, CUDA 1; BFloat16 15).
        _setEnabled = (delegate* unmanaged<sbyte, byte, void>)Export("_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb");
        _isEnabled = (delegate* unmanaged<sbyte, byte>)Export("_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE");
        _setDtype = (delegate* unmanaged<sbyte, sbyte, void>)Export("_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE");
        _getDtype = (delegate* unmanaged<sbyte, sbyte>)Export("_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE");
        _clearCache = (delegate* unmanaged<void>)Export("_ZN2at8autocast11clear_cacheEv");
        return missing.Count == 0 ? null : "the loaded libtorch does not export " + string.Join(", ", missing);
    }

    /// <summary>Whether autocast is on for <paramref name="device"/>'s type on this thread.</summary>
    public static bool IsEnabled(DeviceType device)
    {
        Require();
        return _isEnabled((sbyte)device) != 0;
    }

    /// <summary>
    /// Turns autocast on for <paramref name="device"/>'s type with <paramref name="dtype"/> as its lower precision until
    /// the returned scope is disposed, which restores the state before (scopes nest). Leaving the outermost scope clears
    /// autocast's cache of lower-precision copies of the weights, as PyTorch's <c>torch.autocast</c> does: an optimiser
    /// step changes the weights in place, so a copy kept to the next scope would be stale.
    /// </summary>
    public static IDisposable Scope(DeviceType device, ScalarType dtype)
    {
        Require();
        var scope = new RestoreOnDispose(device, _isEnabled((sbyte)device) != 0, (ScalarType)_getDtype((sbyte)device));
        _setDtype((sbyte)device, (sbyte)dtype);
        _setEnabled((sbyte)device, 1);
        return scope;
    }

    private static void Require()
    {
        if (WhyUnavailable is { } why) throw new NotSupportedException($"Autocast is unavailable: {why}.");
    }

    private sealed class RestoreOnDispose(DeviceType device, bool wasEnabled, ScalarType previousDtype) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _setEnabled((sbyte)device, wasEnabled ? (byte)1 : (byte)0);
            _setDtype((sbyte)device, (sbyte)previousDtype);
            if (!wasEnabled) _clearCache();
        }
    }
}
