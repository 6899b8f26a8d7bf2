using Microsoft.ML.Gan.Core;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class AtomicFileTests
{
    [TestMethod]
    public void AFailedWriteKeepsTheOldFileAndLeavesNoTemporaryFile()
    {
        string dir = TempDirectory();
        string path = Path.Combine(dir, "out.bin");
        File.WriteAllText(path, "old");
        var e = Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(path, temp =>
        {
            File.WriteAllText(temp, "half");
            throw new IOException("disk full");
        }));
        Assert.AreEqual("disk full", e.Message);
        Assert.AreEqual("old", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { "out.bin" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());

        AtomicFile.Write(Path.Combine(dir, "new", "out.bin"), temp => File.WriteAllText(temp, "new"));
        Assert.AreEqual("new", File.ReadAllText(Path.Combine(dir, "new", "out.bin")), "The folder is created.");
    }
}
