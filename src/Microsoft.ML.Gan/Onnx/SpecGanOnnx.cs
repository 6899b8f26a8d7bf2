using Microsoft.ML.Gan.WaveGan;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// The ONNX model a SpecGAN transformer saves: latent vectors [batch, LatentSize] in, waveforms [batch, 16384] out.
/// The generator's layers one for one (MatMul + Add, Reshape, Transpose, Relu, ConvTranspose with TensorFlow's
/// asymmetric 'same' pads, Tanh), the spectrogram's denormalisation (Pad, Mul, Add, Exp), then Griffin-Lim unrolled:
/// each STFT and inverse STFT a MatMul with the fixed windowed-DFT bases of <see cref="ShortTimeFourierTransform"/>
/// between reshapes of 128-sample blocks, so no DFT or STFT operator is needed.
/// </summary>
internal static class SpecGanOnnx
{
    public static OnnxGraphBuilder Build(SpecGanGenerator generator, SpecGanTransform spectrogram, int iterations, string inputName, string outputName)
    {
        if (inputName == outputName)
            throw new ArgumentException($"ONNX needs distinct input and output names; both are '{inputName}'.", nameof(outputName));
        var graph = new OnnxGraphBuilder(nameof(SpecGanGenerator));
        var z = graph.AddFloatInput(inputName, -1, generator.LatentSize);
        graph.AddFloatOutput(outputName, -1, SpecGanTransform.SliceLength);
        var image = new OnnxModuleExporter(graph).Export(generator, z, "generator");
        var magnitude = ExportMagnitude(graph, spectrogram, image);
        var waveform = ExportGriffinLim(graph, spectrogram.Stft, magnitude, iterations);
        graph.SetOutput(outputName, waveform);
        return graph;
    }

    /// <summary>The generator's forward: [batch, LatentSize] → [batch, 1, 128, 128].</summary>
    public static string ExportGenerator(OnnxModuleExporter e, SpecGanGenerator g, string input, string path)
    {
        var x = e.Export(g.z_project, input, OnnxModuleExporter.Join(path, "z_project"));
        var shape = e.Graph.AddInt64Initializer($"{path}.initial_shape",
            new[] { -1L, SpecGanShape.InitialSide, SpecGanShape.InitialSide, g.InitialChannels }, 4);
        x = e.Graph.AddNode("Reshape", new[] { x, shape }, $"{path}.reshape");
        x = e.Graph.AddNode("Transpose", new[] { x }, $"{path}.channels_first", OnnxGraphBuilder.Ints("perm", new long[] { 0, 3, 1, 2 }));
        x = e.Graph.AddNode("Relu", new[] { x }, $"{path}.relu");
        for (int i = 0; i < g.upconv.Count; i++)
        {
            string layer = OnnxModuleExporter.Join(path, $"upconv.{i}");
            var up = g.upconv[i];
            var inputs = new List<string> { x, e.AddWeight(layer, "weight", up.conv.weight!) };
            if (up.conv.bias is not null) inputs.Add(e.AddWeight(layer, "bias", up.conv.bias));
            x = e.Graph.AddNode("ConvTranspose", inputs, $"{layer}.conv_transpose",
                OnnxGraphBuilder.Ints("kernel_shape", up.conv.kernel_size),
                OnnxGraphBuilder.Ints("strides", new[] { up.Stride, up.Stride }),
                // TensorFlow's 'same' crop on both axes: (k − s) / 2 at the start, the rest at the end.
                OnnxGraphBuilder.Ints("pads", new[] { up.CropBefore, up.CropBefore, up.CropAfter, up.CropAfter }),
                OnnxGraphBuilder.Ints("dilations", new[] { 1L, 1L }),
                OnnxGraphBuilder.Int("group", 1));
            x = e.Graph.AddNode(i < g.upconv.Count - 1 ? "Relu" : "Tanh", new[] { x }, $"{layer}.activation");
        }
        return x;
    }

    /// <summary>[batch, 1, 128, 128] normalised spectrograms → [batch, 128 frames, 129 bins] magnitudes (<c>f_to_t</c>).</summary>
    private static string ExportMagnitude(OnnxGraphBuilder graph, SpecGanTransform spectrogram, string image)
    {
        var frames = graph.AddInt64Initializer("spectrogram.shape", new[] { -1L, SpecGanTransform.Frames, SpecGanTransform.Bins }, 3);
        var x = graph.AddNode("Reshape", new[] { image, frames }, "spectrogram");
        // The Nyquist bin comes back as a normalised 0: its training mean.
        var pads = graph.AddInt64Initializer("spectrogram.nyquist_pads", new long[] { 0, 0, 0, 0, 0, 1 }, 6);
        x = graph.AddNode("Pad", new[] { x, pads }, "spectrogram.with_nyquist", OnnxGraphBuilder.String("mode", "constant"));
        x = graph.AddNode("Mul", new[] { x, graph.AddScalar("spectrogram.clip_deviations", (float)SpecGanTransform.ClipDeviations) }, "spectrogram.deviations");
        x = graph.AddNode("Mul", new[] { x, graph.AddInitializer("spectrogram.std", spectrogram.Std) }, "spectrogram.scaled");
        x = graph.AddNode("Add", new[] { x, graph.AddInitializer("spectrogram.mean", spectrogram.Mean) }, "spectrogram.log_magnitude");
        return graph.AddNode("Exp", new[] { x }, "magnitude");
    }

    /// <summary><see cref="GriffinLim.Invert"/>, unrolled, then the first 16,384 samples: [batch, 16384].</summary>
    private static string ExportGriffinLim(OnnxGraphBuilder graph, ShortTimeFourierTransform stft, string magnitude, int iterations)
    {
        const int frames = SpecGanTransform.Frames, half = ShortTimeFourierTransform.FrameStep, bins = ShortTimeFourierTransform.Bins;
        var analysis = graph.AddInitializer("stft.analysis", stft.AnalysisBasis);
        var synthesis = graph.AddInitializer("stft.synthesis", stft.SynthesisBasis);
        var floor = graph.AddScalar("griffin_lim.phase_floor", 1e-8f);
        var zero = graph.AddScalar("griffin_lim.zero", 0f);
        var blockShape = graph.AddInt64Initializer("stft.block_shape", new[] { -1L, frames + 1, half }, 3);
        var samplesShape = graph.AddInt64Initializer("stft.samples_shape", new[] { -1L, (frames + 1L) * half }, 2);
        var padAfter = graph.AddInt64Initializer("stft.pad_block_after", new long[] { 0, 0, 0, 0, 1, 0 }, 6);
        var padBefore = graph.AddInt64Initializer("stft.pad_block_before", new long[] { 0, 1, 0, 0, 0, 0 }, 6);
        var cache = new Dictionary<long, string>();
        string Index(long value) => cache.TryGetValue(value, out var name) ? name : cache[value] = graph.AddInt64Initializer($"index_{value}", new[] { value }, 1);
        string Slice(string x, long axis, long start, long end, string hint) =>
            graph.AddNode("Slice", new[] { x, Index(start), Index(end), Index(axis) }, hint);

        // [batch, frames, 2·bins] → [batch, (frames + 1)·128]: the first half of frame j plus the second half of frame j − 1.
        string Inverse(string spectrum, string hint)
        {
            var x = graph.AddNode("MatMul", new[] { spectrum, synthesis }, $"{hint}.frames");
            var first = graph.AddNode("Pad", new[] { Slice(x, 2, 0, half, $"{hint}.first_halves"), padAfter }, $"{hint}.first_blocks");
            var second = graph.AddNode("Pad", new[] { Slice(x, 2, half, 2 * half, $"{hint}.second_halves"), padBefore }, $"{hint}.second_blocks");
            return graph.AddNode("Reshape", new[] { graph.AddNode("Add", new[] { first, second }, $"{hint}.blocks"), samplesShape }, hint);
        }

        // [batch, (frames + 1)·128] → [batch, frames, 2·bins]: frame j is blocks j and j + 1.
        string Forward(string waveform, string hint)
        {
            var blocks = graph.AddNode("Reshape", new[] { waveform, blockShape }, $"{hint}.blocks");
            var framed = graph.AddNode("Concat", new[] { Slice(blocks, 1, 0, frames, $"{hint}.first_halves"), Slice(blocks, 1, 1, frames + 1, $"{hint}.second_halves") },
                $"{hint}.frames", OnnxGraphBuilder.Int("axis", 2));
            return graph.AddNode("MatMul", new[] { framed, analysis }, hint);
        }

        var spectrum = graph.AddNode("Concat", new[] { magnitude, graph.AddNode("Mul", new[] { magnitude, zero }, "griffin_lim.zero_phase") },
            "griffin_lim.spectrum", OnnxGraphBuilder.Int("axis", 2));
        for (int i = 0; i < iterations; i++)
        {
            string step = $"griffin_lim.{i}";
            var estimate = Forward(Inverse(spectrum, $"{step}.waveform"), $"{step}.estimate");
            var real = Slice(estimate, 2, 0, bins, $"{step}.real");
            var imaginary = Slice(estimate, 2, bins, 2 * bins, $"{step}.imaginary");
            var power = graph.AddNode("Add", new[]
            {
                graph.AddNode("Mul", new[] { real, real }, $"{step}.real_squared"),
                graph.AddNode("Mul", new[] { imaginary, imaginary }, $"{step}.imaginary_squared"),
            }, $"{step}.power");
            var estimated = graph.AddNode("Max", new[] { graph.AddNode("Sqrt", new[] { power }, $"{step}.estimated_magnitude"), floor }, $"{step}.floored_magnitude");
            var ratio = graph.AddNode("Div", new[] { magnitude, estimated }, $"{step}.ratio");
            var ratios = graph.AddNode("Concat", new[] { ratio, ratio }, $"{step}.ratios", OnnxGraphBuilder.Int("axis", 2));
            spectrum = graph.AddNode("Mul", new[] { estimate, ratios }, $"{step}.spectrum");
        }
        return Slice(Inverse(spectrum, "griffin_lim.waveform"), 1, 0, SpecGanTransform.SliceLength, "waveform");
    }
}
