using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Core.Native;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class LibTorchSharpFixTests
{
    private const string Anchor = "_ZSt21ios_base_library_initv";
    private const string NewVersion = "GLIBCXX_3.4.32";

    public TestContext TestContext { get; set; } = null!;

    /// <summary>A copy of TorchSharp's glue as shipped (the need for GLIBCXX_3.4.32 strong), whatever state the build's copy is in.</summary>
    private string ShippedGlueCopy()
    {
        var source = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        string dir = Path.Combine(Path.GetTempPath(), "mlgan-glue-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string copy = Path.Combine(dir, "libLibTorchSharp.so");
        var elf = ElfVersionInfo.Read(source);
        var need = elf.Needed.Single(v => v.Name == NewVersion);
        elf.SetFlags(need, (ushort)(need.Flags & ~ElfVersionInfo.VER_FLG_WEAK));
        elf.SetVersionIndex(elf.Symbols.Single(s => s.Name == Anchor), need.Index);
        File.WriteAllBytes(copy, elf.Image);
        return copy;
    }

    /// <summary>This machine's libstdc++ versions without GLIBCXX_3.4.31/32: what Debian 12 and Ubuntu 22.04 ship.</summary>
    private static IReadOnlySet<string> Debian12Versions() =>
        LibTorchSharpFix.ProvidedStdCxxVersions(out _)!.Where(v => v is not ("GLIBCXX_3.4.31" or NewVersion)).ToHashSet();

    [TestMethod]
    public void PatchMakesTheNewVersionWeakAndUnbindsOnlyTheAnchor()
    {
        string glue = ShippedGlueCopy();
        var before = ElfVersionInfo.Read(glue);
        Assert.AreEqual(0, before.Needed.Single(v => v.Name == NewVersion).Flags & ElfVersionInfo.VER_FLG_WEAK);

        string result = LibTorchSharpFix.PatchIfNeeded(glue, Debian12Versions());

        StringAssert.StartsWith(result, "patched");
        var after = ElfVersionInfo.Read(glue);
        Assert.AreNotEqual(0, after.Needed.Single(v => v.Name == NewVersion).Flags & ElfVersionInfo.VER_FLG_WEAK);
        Assert.AreEqual(1, after.Symbols.Single(s => s.Name == Anchor).VersionIndex);
        // Every other symbol keeps its version binding.
        var changed = before.Symbols.Zip(after.Symbols).Where(p => p.First.VersionIndex != p.Second.VersionIndex).Select(p => p.First.Name).ToList();
        CollectionAssert.AreEqual(new[] { Anchor }, changed);
        Assert.AreEqual(new FileInfo(glue).Length, before.Image.Length);
    }

    [TestMethod]
    public void PatchIsIdempotentAndLeavesAWorkingSystemAlone()
    {
        string glue = ShippedGlueCopy();
        var shipped = File.ReadAllBytes(glue);
        var newerLibstdcxx = Debian12Versions().Append("GLIBCXX_3.4.31").Append(NewVersion).ToHashSet();

        Assert.AreEqual("loadable as is, untouched", LibTorchSharpFix.PatchIfNeeded(glue, newerLibstdcxx));
        CollectionAssert.AreEqual(shipped, File.ReadAllBytes(glue), "A libstdc++ with GLIBCXX_3.4.32 must leave the file byte for byte.");

        LibTorchSharpFix.PatchIfNeeded(glue, Debian12Versions());
        var patched = File.ReadAllBytes(glue);
        var stamp = File.GetLastWriteTimeUtc(glue);
        Assert.AreEqual("loadable as is, untouched", LibTorchSharpFix.PatchIfNeeded(glue, Debian12Versions()));
        CollectionAssert.AreEqual(patched, File.ReadAllBytes(glue));
        Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(glue));
    }

    [TestMethod]
    public void OnThisMachineTheShippedGlueFailsToLoadAndThePatchedOneLoads()
    {
        var provided = LibTorchSharpFix.ProvidedStdCxxVersions(out string stdcxx);
        Assert.IsNotNull(provided, "No libstdc++ found in this process.");
        if (provided.Contains(NewVersion))
            Assert.Inconclusive($"{stdcxx} already provides {NewVersion}; the fix has nothing to do here (checked by the test above).");

        // libtorch is loaded by now (other tests, or this touch), so the copies' NEEDED entries resolve by soname.
        using (var t = TorchSharp.torch.zeros(1)) { }
        string shipped = ShippedGlueCopy();
        Assert.IsFalse(NativeLibrary.TryLoad(shipped, out _), "The shipped glue should not load with this libstdc++.");
        string patched = ShippedGlueCopy();
        LibTorchSharpFix.PatchIfNeeded(patched, provided);
        Assert.IsTrue(NativeLibrary.TryLoad(patched, out var handle), "The patched glue should load.");
        Assert.AreNotEqual(IntPtr.Zero, NativeLibrary.GetExport(handle, "THSTensor_zeros"));
    }

    [TestMethod]
    public void TheBuildsGlueWasFixedAutomatically()
    {
        // Loading any Microsoft.ML.Gan type runs the fix; TorchSharp then works without a manual step.
        _ = new Microsoft.ML.Gan.CycleGanEstimator.Options();
        Assert.IsTrue(LibTorchSharpFix.Report.Count > 0, "The fix ran when the library loaded, before any call to Apply.");
        var report = LibTorchSharpFix.Apply();
        Assert.IsTrue(report.Count > 0);
        foreach (var line in report) TestContext.WriteLine(line);
        Assert.IsFalse(report.Any(l => l.Contains("not patched") || l.Contains("could not be rewritten")), string.Join("\n", report));
        using var x = TorchSharp.torch.ones(2, 2);
        Assert.AreEqual(4f, x.sum().item<float>());
    }

    [TestMethod]
    public void ReferencingProjectsGetAModuleInitializerThatAppliesTheFix()
    {
        // Compiled into this assembly by Microsoft.ML.Gan.targets (buildTransitive in the package), so the fix runs
        // before test code that touches TorchSharp directly.
        var type = typeof(LibTorchSharpFixTests).Assembly.GetType("Microsoft.ML.Gan.Generated.LibTorchSharpFixInitializer");
        Assert.IsNotNull(type);
        var method = type.GetMethod("Initialize", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic);
        Assert.IsNotNull(method?.GetCustomAttributes(typeof(System.Runtime.CompilerServices.ModuleInitializerAttribute), false).SingleOrDefault());
    }

    [TestMethod]
    public void NonElfFileIsRefusedWithItsName()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, "not a library");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionInfo.Read(path));
        StringAssert.Contains(e.Message, path);
    }
}
