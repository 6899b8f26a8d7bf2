using Microsoft.ML.Gan.Core;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class CheckpointTests
{
    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"mlgan-{Guid.NewGuid():N}.ckpt");

    private static string Saved()
    {
        var c = new Checkpoint("CycleGAN", "size=32x32");
        c.Scalars["step"] = 12;
        c.Tensors["w"] = arange(6, dtype: float32).reshape(2, 3);
        c.Tensors["rng"] = tensor(new long[] { -1, long.MaxValue });
        string path = TempFile();
        c.Save(path);
        return path;
    }

    [TestMethod]
    public void RoundTripKeepsTensorsScalarsAndTypes()
    {
        var c = Checkpoint.Load(Saved(), "CycleGAN");
        Assert.AreEqual("size=32x32", c.Fingerprint);
        Assert.AreEqual(12, c.GetLong("step"));
        CollectionAssert.AreEqual(new long[] { 2, 3 }, c.GetTensor("w").shape);
        CollectionAssert.AreEqual(new float[] { 0, 1, 2, 3, 4, 5 }, c.GetTensor("w").data<float>().ToArray());
        CollectionAssert.AreEqual(new long[] { -1, long.MaxValue }, c.GetTensor("rng").data<long>().ToArray());
    }

    [TestMethod]
    public void TruncatedFileGetsAClearError()
    {
        string path = Saved();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Load(path, "CycleGAN"));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "truncated");
    }

    [TestMethod]
    public void AFailedLoadLeavesNoTensorBehind()
    {
        // Cut inside the last tensor's bytes: the tensors read before it must be freed with the error.
        string path = Saved();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
        long before = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Load(path, "CycleGAN"));
        Assert.AreEqual(before, TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
    }

    [TestMethod]
    public void ForeignFileAndOtherModelAreRefused()
    {
        string foreign = TempFile();
        File.WriteAllText(foreign, "PK\u0003\u0004 this is a zip, not a checkpoint");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Load(foreign, "CycleGAN"));
        StringAssert.Contains(e.Message, "not a Microsoft.ML.Gan checkpoint");
        var other = Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Load(Saved(), "WaveGAN"));
        StringAssert.Contains(other.Message, "holds a CycleGAN model");
    }

    [TestMethod]
    public void SaveReplacesAtomicallyAndLeavesNoTemporaryFiles()
    {
        string path = Saved();
        var c = new Checkpoint("CycleGAN", "x");
        c.Scalars["step"] = 99;
        c.Save(path);
        Assert.AreEqual(99, Checkpoint.Load(path, "CycleGAN").GetLong("step"));
        Assert.AreEqual(0, Directory.GetFiles(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}*").Length);
    }
}
