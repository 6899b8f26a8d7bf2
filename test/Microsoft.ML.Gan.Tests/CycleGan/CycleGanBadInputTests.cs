using Microsoft.ML.Data;
using static Microsoft.ML.Gan.Tests.CycleGan.CycleGanTestData;

namespace Microsoft.ML.Gan.Tests.CycleGan;

[TestClass]
public sealed class CycleGanBadInputTests
{
    private static Exception FitFails(IDataView data, CycleGanEstimator.Options? options = null, MLContext? ml = null)
    {
        ml ??= new MLContext(1);
        try
        {
            ml.Transforms.Gan().CycleGan(options ?? TinyOptions()).Fit(data);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException)
        {
            return e;
        }
        Assert.Fail("Fit accepted bad input.");
        return null!;
    }

    [TestMethod]
    public void MissingInputColumnIsNamed()
    {
        var ml = new MLContext(1);
        var options = TinyOptions();
        options.InputColumnName = "Picture";
        var e = FitFails(TrainingData(ml), options, ml);
        StringAssert.Contains(e.Message, "'Picture'");
        StringAssert.Contains(e.Message, "'Image'", "The message lists the columns that exist.");
    }

    [TestMethod]
    public void CudaGraphsOnTheCpuAreRefusedNamingTheOptionAndWriteNothing()
    {
        var ml = new MLContext(1);
        string folder = TempDirectory();
        var options = TinyOptions(folder);
        options.CudaGraphs = true;
        var e = FitFails(TrainingData(ml), options, ml);
        Assert.IsInstanceOfType<ArgumentException>(e);
        StringAssert.Contains(e.Message, "CudaGraphs");
        StringAssert.Contains(e.Message, "GPU");
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count(), "Nothing written before the refusal.");
    }

    private sealed class TextRow { public string Image { get; set; } = ""; public bool IsB { get; set; } }

    [TestMethod]
    public void WrongTypeInputColumnSaysWhatWasExpected()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Image = "a.png" }, new TextRow { Image = "b.png", IsB = true } });
        var e = FitFails(data, ml: ml);
        StringAssert.Contains(e.Message, "'Image'");
        StringAssert.Contains(e.Message, "String");
        StringAssert.Contains(e.Message, "expected an image");
    }

    private sealed class FloatDomainRow { [VectorType(Length)] public float[] Image { get; set; } = new float[Length]; public float IsB { get; set; } }

    [TestMethod]
    public void NonBooleanDomainColumnIsRefused()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new FloatDomainRow(), new FloatDomainRow { IsB = 1 } });
        var e = FitFails(data, ml: ml);
        StringAssert.Contains(e.Message, "Domain column 'IsB'");
        StringAssert.Contains(e.Message, "expected Boolean");
    }

    [TestMethod]
    public void ADomainWithNoRowsIsRefused()
    {
        var ml = new MLContext(1);
        var e = FitFails(TrainingData(ml, countA: 5, countB: 0), ml: ml);
        StringAssert.Contains(e.Message, "Domain B is empty");
        StringAssert.Contains(e.Message, "'IsB' = true");
    }

    private sealed class SmallRow { [VectorType(3 * 20 * 20)] public float[] Image { get; set; } = new float[3 * 20 * 20]; public bool IsB { get; set; } }

    [TestMethod]
    public void ASizeTheArchitectureCannotTakeIsRefused()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new SmallRow(), new SmallRow { IsB = true } });
        var e = FitFails(data, ml: ml);
        StringAssert.Contains(e.Message, "20×20");
        StringAssert.Contains(e.Message, "multiple of 4");
    }

    private sealed class OddVectorRow { [VectorType(100)] public float[] Image { get; set; } = new float[100]; public bool IsB { get; set; } }

    [TestMethod]
    public void AVectorThatIsNotThreeChannelsIsRefused()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new OddVectorRow(), new OddVectorRow { IsB = true } });
        var e = FitFails(data, ml: ml);
        StringAssert.Contains(e.Message, "100 values");
    }

    private sealed class PathRow { public string Path { get; set; } = ""; public bool IsB { get; set; } }

    [TestMethod]
    public void ImagesOfDifferentSizesInOneColumnAreRefusedWithTheRow()
    {
        var ml = new MLContext(1);
        string dir = TempDirectory();
        string Png(string name, int side)
        {
            var bytes = Enumerable.Repeat((byte)200, side * side * 4).ToArray();
            using var image = MLImage.CreateFromPixels(side, side, MLPixelFormat.Rgba32, bytes);
            string path = System.IO.Path.Combine(dir, name);
            image.Save(path);
            return path;
        }
        var rows = new[] { new PathRow { Path = Png("a.png", 32) }, new PathRow { Path = Png("b.png", 40), IsB = true } };
        var data = ml.Transforms.LoadImages("Image", null, "Path").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var e = FitFails(data, ml: ml);
        StringAssert.Contains(e.Message, "row 1");
        StringAssert.Contains(e.Message, "40×40");
        StringAssert.Contains(e.Message, "ResizeImages");
    }

    [TestMethod]
    public void AnUnreadableCheckpointIsNamedAndLeftAlone()
    {
        var ml = new MLContext(1);
        string folder = TempDirectory();
        string path = System.IO.Path.Combine(folder, Microsoft.ML.Gan.Core.Checkpoint.FileName);
        File.WriteAllText(path, "garbage");
        var e = FitFails(TrainingData(ml), TinyOptions(folder), ml);
        Assert.IsInstanceOfType<InvalidDataException>(e);
        StringAssert.Contains(e.Message, path);
        Assert.AreEqual("garbage", File.ReadAllText(path));
    }

    [TestMethod]
    public void ACheckpointOfOtherOptionsIsRefused()
    {
        var ml = new MLContext(1);
        string folder = TempDirectory();
        using (ml.Transforms.Gan().CycleGan(TinyOptions(folder)).Fit(TrainingData(ml))) { }
        var other = TinyOptions(folder);
        other.ResidualBlocks = 2;
        var e = FitFails(TrainingData(ml), other, ml);
        StringAssert.Contains(e.Message, "blocks=1");
        StringAssert.Contains(e.Message, "blocks=2");
    }

    [TestMethod]
    public void BadOptionsAreRefusedUpFront()
    {
        var ml = new MLContext(1);
        var o = TinyOptions(); o.BatchSize = 0;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().CycleGan(o));
        StringAssert.Contains(e.Message, "BatchSize");

        var late = TinyOptions(); late.MaxTrainingTime = TimeSpan.FromSeconds(-1);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Gan().CycleGan(late));
        StringAssert.Contains(e.Message, "MaxTrainingTime");
    }

    [TestMethod]
    public void TransformRefusesInputOfAnotherType()
    {
        var ml = new MLContext(1);
        using var model = ml.Transforms.Gan().CycleGan(TinyOptions()).Fit(TrainingData(ml));
        var other = ml.Data.LoadFromEnumerable(new[] { new SmallRow() });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(other));
        StringAssert.Contains(e.Message, "'Image'");
    }

    [TestMethod]
    public void GpuRequestedWithoutCudaIsAClearErrorOrAFallback()
    {
        if (TorchSharp.torch.cuda.is_available()) Assert.Inconclusive("A GPU is present; this checks the CPU-only case.");
        var ml = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = false };
        var e = FitFails(TrainingData(ml), ml: ml);
        StringAssert.Contains(e.Message, "GpuDeviceId is 0");
        StringAssert.Contains(e.Message, "FallbackToCpu");

        var fallback = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = true };
        var warnings = new List<string>();
        fallback.Log += (_, m) => { if (m.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Add(m.Message); };
        using var model = fallback.Transforms.Gan().CycleGan(TinyOptions()).Fit(TrainingData(fallback));
        Assert.IsTrue(warnings.Any(w => w.Contains("FallbackToCpu")));
    }
}
