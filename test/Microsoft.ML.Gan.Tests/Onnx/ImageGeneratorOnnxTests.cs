using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Transforms.Image;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>
/// The save path a GAN transformer uses: generator → ONNX bytes → <c>ApplyOnnxModel(Stream)</c> → model zip, scored
/// by ML.NET alone.
/// </summary>
/// <remarks>
/// What ML.NET 5.0.1 needs, as these tests exercise it: the ONNX input and output names are the column names; the
/// input column is a known-size float vector (a variable-size one is refused) whose length the static ONNX input
/// dimensions divide (here 3·32·32 against [batch, 3, 32, 32], batch counted as 1); the output column becomes a
/// known-size vector whose dimensions are the ONNX output's with the dynamic batch taken as 1, i.e. [1, 3, 32, 32],
/// size 3072, which <c>ConvertToImage</c> accepts. <c>ApplyOnnxModel</c> takes the model from a stream: no file.
/// </remarks>
[TestClass]
public sealed class ImageGeneratorOnnxTests
{
    private const int Side = 32;
    private const int Length = 3 * Side * Side;

    private sealed class VectorRow
    {
        [VectorType(Length)]
        public float[] Input = Array.Empty<float>();
    }

    private sealed class PathRow
    {
        public string ImagePath = "";
    }

    [TestMethod]
    public void SymmetricModelZipScoresInAProcessWithoutMicrosoftMLGan()
    {
        using var g = SmallGenerator();
        var bytes = ImageGeneratorOnnx.Export(g, 3, Side, Side, "Input", "Output", GeneratorImageScale.Symmetric);

        var mlContext = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 2).Select(_ => (rand(Length) * 2 - 1).data<float>().ToArray()).ToArray();
        var data = mlContext.Data.LoadFromEnumerable(rows.Select(r => new VectorRow { Input = r }));
        ITransformer model;
        using (var onnx = new MemoryStream(bytes))
            model = mlContext.Transforms.ApplyOnnxModel("Output", "Input", onnx).Fit(data);

        var outputType = (VectorDataViewType)model.GetOutputSchema(data.Schema)["Output"].Type;
        Assert.AreEqual(Length, outputType.Size, "ML.NET must see a known-size output vector.");

        var folder = Directory.CreateTempSubdirectory("gan-zip-");
        try
        {
            var zip = Path.Combine(folder.FullName, "generator.zip");
            mlContext.Model.Save(model, data.Schema, zip);

            var actual = RoundTripProcess.Score(zip, rows, "Input", "Output");

            Assert.IsFalse(File.Exists(Path.Combine(RoundTripProcess.ProgramFolder, "Microsoft.ML.Gan.dll")),
                "The round-trip program must run without our assembly, or the test proves nothing.");
            Assert.HasCount(rows.Length, actual);
            for (int i = 0; i < rows.Length; i++)
            {
                using var x = tensor(rows[i]).reshape(1, 3, Side, Side);
                OnnxModuleExporterTests.AssertClose(OnnxModuleExporterTests.ForwardToArray(g, x), actual[i], $"row {i}");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void PixelsModelSitsBetweenExtractPixelsAndConvertToImage()
    {
        using var g = SmallGenerator();
        var bytes = ImageGeneratorOnnx.Export(g, 3, Side, Side, "Pixels", "GeneratedPixels", GeneratorImageScale.Pixels);

        var folder = Directory.CreateTempSubdirectory("gan-zip-");
        try
        {
            // A saved pipeline starts from image paths: ML.NET cannot write an image column into a zip's input schema.
            var pngs = Enumerable.Range(0, 2).Select(seed =>
            {
                var path = Path.Combine(folder.FullName, $"input{seed}.png");
                using var image = RandomImage(seed);
                image.Save(path);
                return path;
            }).ToArray();
            var mlContext = new MLContext(seed: 1);
            var data = mlContext.Data.LoadFromEnumerable(pngs.Select(p => new PathRow { ImagePath = p }));

            // ExtractPixels' defaults (planar R, G, B; 0…255 floats) in, ConvertToImage's defaults back out.
            ITransformer model;
            using (var onnx = new MemoryStream(bytes))
                model = mlContext.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
                    // ExtractPixels needs a known-size image column; LoadImages' is unknown-size until resized.
                    .Append(mlContext.Transforms.ResizeImages("Image", Side, Side))
                    .Append(mlContext.Transforms.ExtractPixels("Pixels", "Image"))
                    .Append(mlContext.Transforms.ApplyOnnxModel("GeneratedPixels", "Pixels", onnx))
                    .Append(mlContext.Transforms.ConvertToImage(Side, Side, "Generated", "GeneratedPixels"))
                    .Fit(data);

            // One pass for all columns: ML.NET's image transforms dispose each MLImage once read.
            var pixels = new List<float[]>();
            var generated = new List<float[]>();
            var generatedImages = new List<float[]>();
            var scored = model.Transform(data);
            using (var cursor = scored.GetRowCursor(scored.Schema))
            {
                var getPixels = cursor.GetGetter<VBuffer<float>>(scored.Schema["Pixels"]);
                var getGenerated = cursor.GetGetter<VBuffer<float>>(scored.Schema["GeneratedPixels"]);
                var getImage = cursor.GetGetter<MLImage>(scored.Schema["Generated"]);
                VBuffer<float> buffer = default;
                MLImage image = null!;
                while (cursor.MoveNext())
                {
                    getPixels(ref buffer);
                    pixels.Add(buffer.DenseValues().ToArray());
                    getGenerated(ref buffer);
                    generated.Add(buffer.DenseValues().ToArray());
                    getImage(ref image);
                    generatedImages.Add(PlanarRgb(image));
                }
            }

            Assert.HasCount(pngs.Length, generated);
            for (int i = 0; i < pngs.Length; i++)
            {
                using var scope = NewDisposeScope();
                var x = tensor(pixels[i]).reshape(1, 3, Side, Side) / 127.5f - 1;
                var expected = ((g.forward(x) + 1) * 127.5f).clamp(0, 255).data<float>().ToArray();
                // The generator's tolerance, carried to the 0…255 scale.
                OnnxModuleExporterTests.AssertClose(expected, generated[i], $"image {i}", tolerance: 1e-4f * 127.5f);
                for (int k = 0; k < expected.Length; k++)
                    Assert.IsTrue(Math.Abs(generatedImages[i][k] - generated[i][k]) <= 1f,
                        $"ConvertToImage moved value {k} of image {i}: {generated[i][k]} → {generatedImages[i][k]}.");
            }

            // The same zip in a process without our assembly.
            var zip = Path.Combine(folder.FullName, "pixels.zip");
            mlContext.Model.Save(model, data.Schema, zip);
            var fromChild = RoundTripProcess.ScoreImages(zip, pngs, "ImagePath", "Generated");
            for (int i = 0; i < pngs.Length; i++)
                CollectionAssert.AreEqual(generatedImages[i], fromChild[i], $"image {i} differs after the round trip");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static ResnetGenerator SmallGenerator()
    {
        var g = new ResnetGenerator(blocks: 2, ngf: 8);
        Layers.InitNormal(g, new Generator(11));
        g.eval();
        return g;
    }

    private static MLImage RandomImage(int seed)
    {
        var random = new Random(seed);
        var bgra = new byte[4 * Side * Side];
        random.NextBytes(bgra);
        for (int i = 3; i < bgra.Length; i += 4) bgra[i] = 255;
        return MLImage.CreateFromPixels(Side, Side, MLPixelFormat.Bgra32, bgra);
    }

    private static float[] PlanarRgb(MLImage image)
    {
        Assert.AreEqual(MLPixelFormat.Bgra32, image.PixelFormat);
        var p = image.Pixels;
        int plane = image.Width * image.Height;
        var rgb = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            rgb[i] = p[4 * i + 2];
            rgb[plane + i] = p[4 * i + 1];
            rgb[2 * plane + i] = p[4 * i];
        }
        return rgb;
    }
}
