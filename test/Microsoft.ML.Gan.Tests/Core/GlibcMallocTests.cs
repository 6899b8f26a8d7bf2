using System.Text.Json;
using Microsoft.ML.Gan.Core.Native;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class GlibcMallocTests
{
    private static readonly string[] UsersVariables =
        [GlibcMalloc.OptOutVariable, "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"];

    /// <summary>What test/Microsoft.ML.Gan.FreshProcess prints for <c>malloc-after-fit</c>.</summary>
    private sealed record MallocAfterFit(long BlockBytes, long MappedBytes, long ReturnedBytes);

    /// <summary>
    /// A new process that fits a tiny NetGAN on the CPU, then mallocs and frees one 24 MiB block; <paramref name="variables"/>
    /// are set in its environment, and the user's malloc variables of this process are not passed on.
    /// </summary>
    private static MallocAfterFit RunMallocAfterFit(params (string Name, string Value)[] variables)
    {
        var environment = UsersVariables.ToDictionary(name => name, string? (_) => null);
        foreach (var (name, value) in variables) environment[name] = value;
        string output = ChildProcess.Run(ChildProcess.ProgramPath("FreshProcessProgram"), ["malloc-after-fit"], TimeSpan.FromMinutes(2),
            environment: environment);
        return JsonSerializer.Deserialize<MallocAfterFit>(output.Trim().Split('\n')[^1])!;
    }

    [TestMethod]
    public void CpuTrainingKeepsLargeBlocksOnTheHeapUnlessTheUserChose()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("glibc's malloc is Linux only.");

        // Each run is a fresh process, so what it shows is the first Fit's doing, not an earlier test's.
        var library = RunMallocAfterFit();
        Assert.IsTrue(library.MappedBytes < library.BlockBytes / 2, $"After Fit the block came from the heap: {library}.");
        Assert.AreEqual(0L, library.ReturnedBytes, "and stayed with the process when freed");

        // The same with the library's setting turned off: glibc maps such a block by itself, so the run above shows Fit's setting.
        var glibc = RunMallocAfterFit((GlibcMalloc.OptOutVariable, "1"));
        Assert.IsTrue(glibc.MappedBytes >= glibc.BlockBytes, $"Opted out, glibc mmapped the block: {glibc}.");

        // A user's own glibc variable leaves both thresholds to glibc: the block comes from the heap, as the user asked,
        // and goes back to the system when freed (glibc's trim threshold, not the library's).
        var user = RunMallocAfterFit(("MALLOC_MMAP_THRESHOLD_", (32 << 20).ToString()));
        Assert.IsTrue(user.MappedBytes < user.BlockBytes / 2, $"The user's threshold holds: {user}.");
        Assert.IsTrue(user.ReturnedBytes >= user.BlockBytes / 2, $"and the library did not keep the freed block: {user}.");
    }

    [TestMethod]
    public void AnyOfTheUsersVariablesLeavesMallocAlone()
    {
        foreach (var name in UsersVariables)
            Assert.IsTrue(GlibcMalloc.UserDecides(n => n == name), name);
        Assert.IsFalse(GlibcMalloc.UserDecides(n => n is "MALLOC_ARENA_MAX" or "PATH"), "Other variables do not count.");
    }
}
