using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Gan;

using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;

/// <summary>
/// Makes TorchSharp's native glue (<c>libLibTorchSharp.so</c>) loadable on Linux systems whose libstdc++ is older
/// than the GCC 13 one it was linked against (Debian 12, Ubuntu 22.04).
/// </summary>
/// <remarks>
/// TorchSharp 0.107's glue asks for <c>GLIBCXX_3.4.32</c> only to pull in <c>std::ios_base_library_init</c>, a symbol
/// that no relocation uses. Where the process's libstdc++ lacks that version, the fix marks the need as weak and
/// unbinds that symbol's version, in place (a new file renamed over the old one), so the loader accepts the library.
/// It runs automatically when this assembly is first used; a system whose libstdc++ already has every needed
/// version is left untouched. Call <see cref="Apply"/> yourself if your code touches TorchSharp before any
/// Microsoft.ML.Gan type.
/// </remarks>
public static class LibTorchSharpFix
{
    private const string GlueFileName = "libLibTorchSharp.so";
    private const string StdCxxSoname = "libstdc++.so.6";

    /// <summary>Symbols known to be bound to a missing version only to force a newer libstdc++, never called.</summary>
    private static readonly HashSet<string> UnusedVersionAnchors = new(StringComparer.Ordinal) { "_ZSt21ios_base_library_initv" };

    private static readonly object Gate = new();
    private static IReadOnlyList<string>? _report;

    /// <summary>What <see cref="Apply"/> did, one line per glue library it looked at.</summary>
    public static IReadOnlyList<string> Report => _report ?? Array.Empty<string>();

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "A library's initializer on purpose: the glue must be fixed in "
        + "every process that loads this assembly, before TorchSharp loads it (README, \"What the library does to TorchSharp for you\").")]
    internal static void ApplyOnLoad()
    {
        try { Apply(); }
        catch (Exception) { /* Never fail assembly load; TorchSharp's own error follows on first use. */ }
    }

    /// <summary>Finds the TorchSharp glue libraries this process may load and fixes those that need it. Idempotent.</summary>
    public static IReadOnlyList<string> Apply()
    {
        lock (Gate)
        {
            if (_report is not null) return _report;
            var lines = new List<string>();
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            {
                lines.Add("not Linux x64: nothing to do");
                return _report = lines;
            }
            var provided = ProvidedStdCxxVersions(out string stdcxx);
            foreach (var glue in CandidateGlueFiles())
                lines.Add(provided is null
                    ? $"{glue}: no libstdc++ found to compare with, untouched"
                    : $"{glue}: {PatchIfNeeded(glue, provided)} (libstdc++: {stdcxx})");
            return _report = lines;
        }
    }

    /// <summary>
    /// Patches <paramref name="path"/> in place when it needs a libstdc++ version not in <paramref name="provided"/>
    /// and every symbol bound to such a version is a known unused anchor. Returns what was done.
    /// </summary>
    internal static string PatchIfNeeded(string path, IReadOnlySet<string> provided)
    {
        var elf = ElfVersionInfo.Read(path);
        var missing = elf.Needed
            .Where(v => v.File == StdCxxSoname && (v.Flags & ElfVersionInfo.VER_FLG_WEAK) == 0 && !provided.Contains(v.Name))
            .ToList();
        if (missing.Count == 0) return "loadable as is, untouched";

        var missingIndices = missing.Select(v => v.Index).ToHashSet();
        var bound = elf.Symbols.Where(s => missingIndices.Contains((ushort)(s.VersionIndex & 0x7fff))).ToList();
        var unsafeSymbols = bound.Where(s => !UnusedVersionAnchors.Contains(s.Name)).Select(s => s.Name).ToList();
        if (unsafeSymbols.Count > 0)
            return $"needs {string.Join(", ", missing.Select(v => v.Name))} for symbols in use ({string.Join(", ", unsafeSymbols.Take(3))}); not patched";

        foreach (var v in missing) elf.SetFlags(v, (ushort)(v.Flags | ElfVersionInfo.VER_FLG_WEAK));
        foreach (var s in bound) elf.SetVersionIndex(s, 1); // 1 = the global, unversioned binding

        try
        {
            AtomicFile.Write(path, temp =>
            {
                File.WriteAllBytes(temp, elf.Image);
                // Windows has no Unix mode to carry over; the tests call this method directly, on any OS.
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"needs {string.Join(", ", missing.Select(v => v.Name))} but could not be rewritten ({e.Message})";
        }
        return $"patched: {string.Join(", ", missing.Select(v => v.Name))} made weak";
    }

    /// <summary>The versions the libstdc++ this process uses (or would use) defines; null when none is found.</summary>
    internal static IReadOnlySet<string>? ProvidedStdCxxVersions(out string libraryPath)
    {
        libraryPath = LoadedLibraryPath(StdCxxSoname)
            ?? new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" }
                .Select(d => Path.Combine(d, StdCxxSoname)).FirstOrDefault(File.Exists)
            ?? "";
        if (libraryPath.Length == 0) return null;
        return ElfVersionInfo.Read(libraryPath).Defined.ToHashSet(StringComparer.Ordinal);
    }

    private static string? LoadedLibraryPath(string soname)
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && Path.GetFileName(f[5]) == soname)
                .Select(f => f[5]).FirstOrDefault();
        }
        catch (IOException) { return null; }
    }

    /// <summary>Where TorchSharp looks for its glue: the app folder, next to TorchSharp.dll, and its package's runtimes folder.</summary>
    internal static IEnumerable<string> CandidateGlueFiles()
    {
        var dirs = new List<string> { AppContext.BaseDirectory };
        string? torchSharpDir = TorchSharpAssemblyDirectory();
        if (torchSharpDir is not null)
        {
            dirs.Add(torchSharpDir);
            dirs.Add(Path.Combine(torchSharpDir, "runtimes", "linux-x64", "native"));
            // In a NuGet package folder (notebooks load from there): lib/<tfm>/TorchSharp.dll → runtimes/linux-x64/native.
            dirs.Add(Path.GetFullPath(Path.Combine(torchSharpDir, "..", "..", "runtimes", "linux-x64", "native")));
        }
        return dirs.Select(d => Path.GetFullPath(Path.Combine(d, GlueFileName)))
            .Distinct(StringComparer.Ordinal).Where(File.Exists).ToList();
    }

    private static string? TorchSharpAssemblyDirectory()
    {
        // Found without touching a TorchSharp type, whose static constructor would load the glue before we fix it.
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "TorchSharp");
        string? location = loaded?.Location;
        if (string.IsNullOrEmpty(location))
        {
            try { location = System.Reflection.Assembly.Load("TorchSharp").Location; }
            catch (IOException) { return null; }
        }
        return string.IsNullOrEmpty(location) ? null : Path.GetDirectoryName(location);
    }
}
