using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class GlibcMallocTests
{
    [TestMethod]
    public void CpuTrainingSetsGlibcsThresholdsUnlessTheUserChose()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("glibc's malloc is Linux only.");
        bool userChose = GlibcMalloc.UserDecides(name => Environment.GetEnvironmentVariable(name) is not null);
        GanEnvironment.UseCpu();
        // mallopt refuses values out of its range (it returns 0): this fails if the thresholds are not glibc's to take.
        Assert.AreEqual(!userChose, GlibcMalloc.KeepFreedMemory());
    }

    [TestMethod]
    public void AnyOfTheUsersVariablesLeavesMallocAlone()
    {
        foreach (var name in new[] { GlibcMalloc.OptOutVariable, "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES" })
            Assert.IsTrue(GlibcMalloc.UserDecides(n => n == name), name);
        Assert.IsFalse(GlibcMalloc.UserDecides(n => n is "MALLOC_ARENA_MAX" or "PATH"), "Other variables do not count.");
    }
}
