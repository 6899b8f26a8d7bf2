using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>The value range an exported image generator reads and writes.</summary>
public enum GeneratorImageScale
{
    /// <summary>
    /// Pixel values 0…255, planar (all red, then all green, then all blue): what ML.NET's <c>ExtractPixels</c> gives
    /// with its default settings and what <c>ConvertToImage</c> takes back. The model maps x to x / 127.5 − 1 before
    /// the generator and y to (y + 1) · 127.5, clipped to [0, 255], after it.
    /// </summary>
    Pixels,

    /// <summary>Values in [−1, 1], the generator's own range (Tanh output); no conversion in the model.</summary>
    Symmetric,

    /// <summary>
    /// As <see cref="Pixels"/>, but the input also carries alpha first (A, R, G, B planes: <c>ExtractPixels</c> with
    /// <c>ColorBits.All</c>). ML.NET images hold colour premultiplied by alpha, so c + (255 − a) composites onto white,
    /// as <see cref="ImageTensors.ToPlanarRgb(Microsoft.ML.Data.MLImage)"/> does when training.
    /// </summary>
    PixelsWithAlpha,
}

/// <summary>
/// Builds the ONNX model an image-to-image GAN transformer saves: one float input column, the generator, one float
/// output column, scored by ML.NET's <c>OnnxTransformer</c> with no GAN code loaded.
/// </summary>
/// <remarks>
/// <para>What ML.NET's OnnxTransformer (5.0) needs, and this model gives it: input and output names equal to the
/// column names; a float input whose static dimensions multiply to a divisor of the input column's vector length
/// (it must be a known-size vector, such as <c>ExtractPixels</c>' 3·H·W); and an output with a full static shape
/// apart from the batch axis, because ML.NET sizes the output column as the product of the output dimensions with
/// every dynamic one taken as 1. The batch axis is dynamic (<c>batch</c>), so ONNX Runtime callers may score
/// several images at once while ML.NET feeds one row at a time.</para>
/// </remarks>
internal static class ImageGeneratorOnnx
{
    private const float HalfRange = 127.5f;

    /// <summary>
    /// Exports <paramref name="generator"/> for images of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>.
    /// </summary>
    /// <param name="generator">An image-to-image generator (NCHW in, NCHW out in [−1, 1]) made of modules that
    /// <see cref="OnnxModuleExporter"/> knows. Its training mode is restored afterwards.</param>
    /// <param name="channels">Image channels (3 for RGB).</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="inputColumnName">ML.NET input column, and ONNX input name.</param>
    /// <param name="outputColumnName">ML.NET output column, and ONNX output name.</param>
    /// <param name="scale">Whether the model reads and writes 0…255 pixels or [−1, 1] values.</param>
    /// <returns>The serialized ONNX model, for <c>mlContext.Transforms.ApplyOnnxModel(output, input, stream)</c>.</returns>
    public static byte[] Export(nn.Module<Tensor, Tensor> generator, int channels, int height, int width,
        string inputColumnName, string outputColumnName, GeneratorImageScale scale) =>
        Build(generator, channels, height, width, inputColumnName, outputColumnName, scale).ToBytes();

    /// <summary>As <see cref="Export"/>, but returns the builder so the caller may <see cref="OnnxGraphBuilder.Save"/> it.</summary>
    public static OnnxGraphBuilder Build(nn.Module<Tensor, Tensor> generator, int channels, int height, int width,
        string inputColumnName, string outputColumnName, GeneratorImageScale scale)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Image size must be positive; got {channels}×{height}×{width}.");
        if (inputColumnName == outputColumnName)
            throw new ArgumentException($"ONNX needs distinct input and output names; both are '{inputColumnName}'.", nameof(outputColumnName));

        var outputShape = GeneratorOutputShape(generator, channels, height, width);
        var graph = new OnnxGraphBuilder(generator.GetType().Name);
        bool alpha = scale == GeneratorImageScale.PixelsWithAlpha;
        var x = graph.AddFloatInput(inputColumnName, -1, alpha ? channels + 1 : channels, height, width);
        graph.AddFloatOutput(outputColumnName, -1, outputShape[1], outputShape[2], outputShape[3]);

        if (alpha)
        {
            var axis = graph.AddInt64Initializer("alpha.axis", new[] { 1L }, 1);
            var a = graph.AddNode("Slice", new[] { x, graph.AddInt64Initializer("alpha.start", new[] { 0L }, 1), graph.AddInt64Initializer("alpha.end", new[] { 1L }, 1), axis }, "alpha");
            var rgb = graph.AddNode("Slice", new[] { x, graph.AddInt64Initializer("rgb.start", new[] { 1L }, 1), graph.AddInt64Initializer("rgb.end", new[] { 1L + channels }, 1), axis }, "rgb");
            var transparency = graph.AddNode("Sub", new[] { graph.AddScalar("alpha.opaque", 255f), a }, "transparency");
            x = graph.AddNode("Add", new[] { rgb, transparency }, "on_white");
        }

        if (scale != GeneratorImageScale.Symmetric)
        {
            // 0…255 onto the generator's [-1, 1]: the official code's ToTensor then Normalize(0.5, 0.5).
            x = graph.AddNode("Div", new[] { x, graph.AddScalar("pixels.half_range", HalfRange) }, "pixels.scaled");
            x = graph.AddNode("Sub", new[] { x, graph.AddScalar("pixels.one", 1f) }, "pixels.normalized");
        }

        var y = new OnnxModuleExporter(graph).Export(generator, x, "generator");

        if (scale != GeneratorImageScale.Symmetric)
        {
            y = graph.AddNode("Add", new[] { y, graph.AddScalar("image.one", 1f) }, "image.shifted");
            y = graph.AddNode("Mul", new[] { y, graph.AddScalar("image.half_range", HalfRange) }, "image.scaled");
            // Tanh keeps y in [-1, 1] already; the clip guards against rounding just past 255 and non-Tanh heads.
            y = graph.AddNode("Clip", new[] { y, graph.AddScalar("image.min", 0f), graph.AddScalar("image.max", 255f) }, "image.clipped");
        }

        graph.SetOutput(outputColumnName, y);
        return graph;
    }

    /// <summary>
    /// One forward pass on zeros, in eval mode, to learn the output shape: ML.NET needs it statically and a
    /// module tree does not state it. Eval mode so a batch norm's running statistics are left alone.
    /// </summary>
    private static long[] GeneratorOutputShape(nn.Module<Tensor, Tensor> generator, int channels, int height, int width)
    {
        var device = generator.parameters().FirstOrDefault()?.device ?? CPU;
        bool wasTraining = generator.training;
        try
        {
            generator.eval();
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var shape = generator.forward(zeros(1, channels, height, width, device: device)).shape;
            if (shape.Length != 4)
                throw new NotSupportedException($"An image generator must return NCHW; '{generator.GetType().Name}' returned rank {shape.Length}.");
            return shape;
        }
        finally
        {
            generator.train(wasTraining);
        }
    }
}
