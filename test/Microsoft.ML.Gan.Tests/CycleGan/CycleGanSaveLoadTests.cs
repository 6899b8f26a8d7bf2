using Microsoft.ML.Data;
using Microsoft.ML.Gan.Tests.Onnx;
using static Microsoft.ML.Gan.Tests.CycleGan.CycleGanTestData;

namespace Microsoft.ML.Gan.Tests.CycleGan;

[TestClass]
public sealed class CycleGanSaveLoadTests
{
    private static string EmojiFixture => Path.Combine(AppContext.BaseDirectory, "TestData", "emoji");

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void VectorModelSavedWithModelSaveLoadsInAProcessWithoutOurAssembly(bool flatAdam)
    {
        // With the flat Adam the trained generators' parameters are views of one buffer when they are saved.
        var ml = new MLContext(seed: 3);
        var data = TrainingData(ml);
        var options = TinyOptions();
        options.FlatAdam = flatAdam;
        var model = ml.Transforms.Gan().CycleGan(options).Fit(data);
        string zip = Path.Combine(TempDirectory(), "cyclegan.zip");
        ml.Model.Save(model, data.Schema, zip);

        var ours = model.Transform(data).GetColumn<float[]>("Translated").ToArray();
        var inputs = Rows().Select(r => r.Image).ToArray();
        var theirs = RoundTripProcess.Score(zip, inputs, "Image", "Translated");

        Assert.IsFalse(File.Exists(Path.Combine(RoundTripProcess.ProgramFolder, "Microsoft.ML.Gan.dll")));
        Assert.AreEqual(ours.Length, theirs.Length);
        float worst = ours.Zip(theirs).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.IsTrue(worst <= 1e-4f, $"Largest difference {worst} exceeds 1e-4.");
    }

    [TestMethod]
    public void ImagePipelineSavedAndLoadedInAnotherProcessGivesTheSameImagesWithinOneGreyLevel()
    {
        var ml = new MLContext(seed: 4);
        var emoji = EmojiDataset.Open(EmojiFixture);
        var data = emoji.LoadTrainingData(ml);
        var options = TinyOptions();
        options.InputColumnName = "Pixels"; options.DomainColumnName = "IsTwitter";
        options.Epochs = 1; options.DecayEpochs = 0;
        var pipeline = ml.Transforms.LoadImages("Pixels", null, "Image")
            .Append(ml.Transforms.ResizeImages("Pixels", 32, 32, "Pixels"))
            .Append(ml.Transforms.Gan().CycleGan(options));
        var model = pipeline.Fit(data);
        string zip = Path.Combine(TempDirectory(), "cyclegan-images.zip");
        ml.Model.Save(model, data.Schema, zip);

        var paths = emoji.GetTestPairs().Select(p => p.GooglePath).ToArray();
        var pathData = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Image = p }));
        var translated = model.Transform(pathData);
        var ours = translated.GetColumn<MLImage>("Translated").Select(i => PlanarBytes(i)).ToArray();
        var theirs = RoundTripProcess.ScoreImages(zip, paths, "Image", "Translated");

        Assert.AreEqual(paths.Length, theirs.Length);
        for (int i = 0; i < paths.Length; i++)
        {
            Assert.AreEqual(ours[i].Length, theirs[i].Length);
            float worst = ours[i].Zip(theirs[i]).Max(p => Math.Abs(p.First - p.Second));
            Assert.IsTrue(worst <= 1f, $"Image {i}: largest difference {worst} grey levels.");
        }
    }

    private sealed class PathRow { public string Image { get; set; } = ""; }

    private static float[] PlanarBytes(MLImage image) =>
        ImageTensors.ToPlanarRgb(image).Select(v => (float)Math.Round((v + 1) * 127.5)).ToArray();

    [TestMethod]
    public void ExportOnnxWritesAModelNamedAfterTheColumns()
    {
        var ml = new MLContext(seed: 3);
        using var model = ml.Transforms.Gan().CycleGan(TinyOptions()).Fit(TrainingData(ml));
        string path = Path.Combine(TempDirectory(), "g.onnx");
        model.ExportOnnx(path);
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.AreEqual("Image", proto.Graph.Input.Single().Name);
        Assert.AreEqual("Translated", proto.Graph.Output.Single().Name);
        Assert.IsTrue(new FileInfo(path).Length > 4 * model.GeneratorA.parameters().Sum(p => p.numel()), "The weights are in the file.");
    }
}
