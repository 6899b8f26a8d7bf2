using Microsoft.ML.Data;
using Microsoft.ML.Gan.Tests.Onnx;
using static Microsoft.ML.Gan.Tests.TestSupport;

namespace Microsoft.ML.Gan.Tests.WaveGan;

[TestClass]
public sealed class WaveGanSaveLoadTests
{
    [TestMethod]
    public void SavedModelGeneratesTheSameWaveformsInAProcessWithoutOurAssembly()
    {
        var ml = new MLContext(seed: 7);
        var options = WaveGanEstimatorTests.Tiny();
        options.DiscriminatorUpdates = 1;
        using var model = ml.Transforms.Gan().WaveGan(options).Fit(WaveGanEstimatorTests.TrainingData(ml));
        var generated = model.Generate(3);
        string zip = Path.Combine(TempDirectory(), "wavegan.zip");
        ml.Model.Save(model, generated.Schema, zip);

        var latents = generated.GetColumn<float[]>("Latent").ToArray();
        var ours = generated.GetColumn<float[]>("Waveform").ToArray();
        var theirs = RoundTripProcess.Score(zip, latents, "Latent", "Waveform");

        Assert.IsFalse(File.Exists(Path.Combine(RoundTripProcess.ProgramFolder, "Microsoft.ML.Gan.dll")));
        Assert.AreEqual(3, theirs.Length);
        Assert.IsTrue(theirs.All(w => w.Length == 16384));
        float worst = ours.Zip(theirs).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.IsTrue(worst <= 1e-4f, $"Largest difference {worst} exceeds 1e-4.");

        string onnx = Path.Combine(TempDirectory(), "generator.onnx");
        model.ExportOnnx(onnx);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        Assert.AreEqual("Latent", session.InputMetadata.Keys.Single());
        Assert.AreEqual("Waveform", session.OutputMetadata.Keys.Single(), "ExportOnnx names the output after the column, as documented.");
    }
}
