using Microsoft.ML.Gan.WaveGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// The ONNX model a WaveGAN transformer saves: latent vectors [batch, LatentSize] in, waveforms [batch, SliceLength]
/// out, the generator's layers one for one (MatMul + Add, Reshape, Transpose, Relu, ConvTranspose with TensorFlow's
/// asymmetric 'same' pads, Tanh).
/// </summary>
internal static class WaveGanOnnx
{
    public static OnnxGraphBuilder Build(WaveGanGenerator generator, string inputName, string outputName)
    {
        if (inputName == outputName)
            throw new ArgumentException($"ONNX needs distinct input and output names; both are '{inputName}'.", nameof(outputName));
        var graph = new OnnxGraphBuilder(nameof(WaveGanGenerator));
        var z = graph.AddFloatInput(inputName, -1, generator.LatentSize);
        graph.AddFloatOutput(outputName, -1, generator.SliceLength);
        var exporter = new OnnxModuleExporter(graph);
        var waveform = exporter.Export(generator, z, "generator");
        var flat = graph.AddNode("Reshape", new[] { waveform, graph.AddInt64Initializer("waveform.shape", new[] { -1L, generator.SliceLength }, 2) }, "waveform");
        graph.SetOutput(outputName, flat);
        return graph;
    }

    /// <summary>The generator's forward: [batch, LatentSize] → [batch, 1, SliceLength].</summary>
    public static string ExportGenerator(OnnxModuleExporter e, WaveGanGenerator g, string input, string path)
    {
        var x = e.Export(g.z_project, input, OnnxModuleExporter.Join(path, "z_project"));
        var shape = e.Graph.AddInt64Initializer($"{path}.initial_shape", new[] { -1L, WaveGanShape.InitialLength, g.InitialChannels }, 3);
        x = e.Graph.AddNode("Reshape", new[] { x, shape }, $"{path}.reshape");
        x = e.Graph.AddNode("Transpose", new[] { x }, $"{path}.channels_first", OnnxGraphBuilder.Ints("perm", new long[] { 0, 2, 1 }));
        x = e.Graph.AddNode("Relu", new[] { x }, $"{path}.relu");
        for (int i = 0; i < g.upconv.Count; i++)
        {
            string layer = OnnxModuleExporter.Join(path, $"upconv.{i}");
            x = ExportTransposedConvolution(e, g.upconv[i], x, layer);
            x = e.Graph.AddNode(i < g.upconv.Count - 1 ? "Relu" : "Tanh", new[] { x }, $"{layer}.activation");
        }
        return x;
    }

    private static string ExportTransposedConvolution(OnnxModuleExporter e, SameConvTranspose1d layer, string input, string path)
    {
        var conv = layer.conv;
        var inputs = new List<string> { input, e.AddWeight(path, "weight", conv.weight!) };
        if (conv.bias is not null) inputs.Add(e.AddWeight(path, "bias", conv.bias));
        return e.Graph.AddNode("ConvTranspose", inputs, $"{path}.conv_transpose",
            OnnxGraphBuilder.Ints("kernel_shape", conv.kernel_size),
            OnnxGraphBuilder.Ints("strides", new[] { layer.Stride }),
            // ONNX's pads may differ at the two ends, as TensorFlow's 'same' crop does: (k − s) / 2 before, the rest after.
            OnnxGraphBuilder.Ints("pads", new[] { layer.CropBefore, layer.CropAfter }),
            OnnxGraphBuilder.Ints("dilations", new[] { 1L }),
            OnnxGraphBuilder.Int("group", 1));
    }
}
