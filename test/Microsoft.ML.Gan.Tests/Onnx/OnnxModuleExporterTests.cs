using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Onnx;

[TestClass]
public sealed class OnnxModuleExporterTests
{
    private const float Tolerance = 1e-4f;

    [TestMethod]
    public void ResnetGeneratorMatchesTorchSharp()
    {
        using var g = new ResnetGenerator(blocks: 2, ngf: 8);
        Layers.InitNormal(g);
        AssertExportMatches(g, randn(2, 3, 32, 32), "generator");
    }

    [TestMethod]
    public void PatchDiscriminatorMatchesTorchSharp()
    {
        using var d = new PatchDiscriminator(ndf: 8);
        Layers.InitNormal(d);
        AssertExportMatches(d, randn(1, 3, 64, 64), "discriminator");
    }

    [TestMethod]
    public void ConvolutionVariantsAndNormsMatchTorchSharp()
    {
        using var net = nn.Sequential(
            ("reflect_conv", nn.Conv2d(3, 6, 3, padding: 1, padding_mode: TorchSharp.PaddingModes.Reflect)),
            ("bn", nn.BatchNorm2d(6)),
            ("lrelu", nn.LeakyReLU(0.1)),
            ("constant", nn.ConstantPad2d((1, 2, 0, 3), 0.5)),
            ("edge", nn.ReplicationPad2d(1)),
            ("grouped", nn.Conv2d(6, 4, 3, stride: 2, dilation: 2, groups: 2)),
            ("same", nn.Conv2d(4, 4, 4, padding: TorchSharp.Padding.Same, bias: false)),
            ("up", nn.ConvTranspose2d(4, 2, 4, stride: 2, padding: 1, output_padding: 1, groups: 2)),
            ("affine_in", nn.InstanceNorm2d(2, affine: true)),
            ("drop", nn.Dropout(0.5)),
            ("sigmoid", nn.Sigmoid()));
        using (no_grad())
        {
            var bn = (BatchNorm2d)net[1];
            bn.running_mean!.uniform_(-1, 1);
            bn.running_var!.uniform_(0.5, 2);
            foreach (var p in net.parameters()) p.normal_(0, 0.5);
        }
        AssertExportMatches(net, randn(2, 3, 17, 19), "zoo");
    }

    [TestMethod]
    public void LinearAndOneDimensionalLayersMatchTorchSharp()
    {
        using var mlp = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3, hasBias: false), nn.Tanh());
        AssertExportMatches(mlp, randn(4, 5), "mlp");

        using var audio = nn.Sequential(
            ("pad", nn.ReflectionPad1d(2)),
            ("conv", nn.Conv1d(2, 4, 5, stride: 2)),
            ("norm", nn.InstanceNorm1d(4)),
            ("up", nn.ConvTranspose1d(4, 2, 25, stride: 4, padding: 11, output_padding: 1)));
        AssertExportMatches(audio, randn(1, 2, 64), "audio");
    }

    [TestMethod]
    public void UnknownModuleTypeIsNamedWithItsPath()
    {
        using var net = nn.Sequential(("conv", nn.Conv2d(3, 3, 1)), ("squash", new Squash()));
        var graph = new OnnxGraphBuilder();
        var x = graph.AddFloatInput("x", -1, 3, 4, 4);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => new OnnxModuleExporter(graph).Export(net, x, "net"));
        StringAssert.Contains(error.Message, typeof(Squash).FullName);
        StringAssert.Contains(error.Message, "net.squash");
    }

    [TestMethod]
    public void IOnnxExportableModuleExportsItself()
    {
        using var net = nn.Sequential(("conv", nn.Conv2d(3, 3, 1)), ("squash", new ExportableSquash()));
        AssertExportMatches(net, randn(1, 3, 4, 4), "custom");
    }

    [TestMethod]
    public void BuilderNamesAreUniqueAndSaveReplacesAtomically()
    {
        var graph = new OnnxGraphBuilder();
        Assert.AreEqual("w", graph.UniqueName("w"));
        Assert.AreEqual("w_1", graph.UniqueName("w"));
        Assert.AreEqual("w_2", graph.AddScalar("w", 1f));
        var x = graph.AddFloatInput("x", -1, 2);
        Assert.ThrowsExactly<ArgumentException>(() => graph.AddFloatInput("x", 2));
        graph.AddFloatOutput("y", -1, 2);
        Assert.ThrowsExactly<InvalidOperationException>(() => graph.ToBytes());
        graph.SetOutput("y", graph.AddNode("Relu", new[] { x }, "relu"));

        var folder = Directory.CreateTempSubdirectory("onnx-save-");
        try
        {
            var path = Path.Combine(folder.FullName, "model.onnx");
            File.WriteAllText(path, "old");
            graph.Save(path);
            CollectionAssert.AreEqual(graph.ToBytes(), File.ReadAllBytes(path));
            Assert.AreEqual(1, folder.GetFiles().Length, "The temporary file must be renamed, not left behind.");
            using var session = new InferenceSession(path);
            var output = Run(session, "x", new[] { -1f, 2f }, new[] { 1, 2 });
            CollectionAssert.AreEqual(new[] { 0f, 2f }, output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Exports <paramref name="module"/> alone, runs it with ONNX Runtime (CPU) and compares to TorchSharp.</summary>
    internal static void AssertExportMatches(nn.Module<Tensor, Tensor> module, Tensor input, string path)
    {
        using var scope = NewDisposeScope();
        module.eval();
        var expected = ForwardToArray(module, input);

        var graph = new OnnxGraphBuilder();
        var x = graph.AddFloatInput("input", input.shape.Select((d, i) => i == 0 ? -1 : d).ToArray());
        var y = new OnnxModuleExporter(graph).Export(module, x, path);
        using (no_grad())
        {
            var outShape = module.forward(input).shape;
            graph.AddFloatOutput("output", outShape.Select((d, i) => i == 0 ? -1 : d).ToArray());
        }
        graph.SetOutput("output", y);

        using var session = new InferenceSession(graph.ToBytes());
        var actual = Run(session, "input", input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        AssertClose(expected, actual, path);
    }

    internal static float[] ForwardToArray(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using var _ = no_grad();
        using var y = module.forward(input);
        return y.contiguous().data<float>().ToArray();
    }

    internal static float[] Run(InferenceSession session, string inputName, float[] values, int[] shape)
    {
        var inputs = new[] { NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor(values, shape)) };
        using var results = session.Run(inputs);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    internal static void AssertClose(float[] expected, float[] actual, string what, float tolerance = Tolerance)
    {
        Assert.HasCount(expected.Length, actual, $"{what}: output length");
        float worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.IsTrue(worst <= tolerance, $"{what}: max |ONNX − TorchSharp| = {worst:G3} > {tolerance:G3}.");
    }

    private sealed class Squash : nn.Module<Tensor, Tensor>
    {
        public Squash() : base(nameof(Squash)) { }
        public override Tensor forward(Tensor x) => x / (1 + x.abs());
    }

    private sealed class ExportableSquash : nn.Module<Tensor, Tensor>, IOnnxExportable
    {
        public ExportableSquash() : base(nameof(ExportableSquash)) { }
        public override Tensor forward(Tensor x) => x / (1 + x.abs());

        public string ExportOnnx(OnnxModuleExporter exporter, string input, string path)
        {
            var g = exporter.Graph;
            var denominator = g.AddNode("Add", new[] { g.AddNode("Abs", new[] { input }, $"{path}.abs"), g.AddScalar($"{path}.one", 1f) }, $"{path}.denominator");
            return g.AddNode("Div", new[] { input, denominator }, $"{path}.squash");
        }
    }
}
