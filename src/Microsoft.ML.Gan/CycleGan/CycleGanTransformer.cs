using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// A fitted CycleGAN: adds the output column, the input translated by G_A (A→B) or G_B (B→A).
/// Saving with <c>mlContext.Model.Save</c> stores the generator as an ONNX model inside an ML.NET
/// <c>OnnxTransformer</c>, so the saved zip loads with <c>mlContext.Model.Load</c> in programs that do not reference
/// Microsoft.ML.Gan (they need Microsoft.ML.OnnxTransformer, and Microsoft.ML.ImageAnalytics for image columns).
/// </summary>
public sealed class CycleGanTransformer : ITransformer, IDisposable
{
    private readonly IHostEnvironment _env;
    private readonly ImageColumnShape _shape;
    private readonly CycleGanEstimator.Options _options;
    private readonly Device _device;

    internal CycleGanTransformer(IHostEnvironment env, DataViewSchema trainingSchema, CycleGanEstimator.Options options,
        ImageColumnShape shape, ResnetGenerator generatorA, ResnetGenerator generatorB)
    {
        _env = env;
        _options = options;
        _shape = shape;
        InputType = trainingSchema[options.InputColumnName].Type;
        GeneratorA = generatorA;
        GeneratorB = generatorB;
        GeneratorA.eval();
        GeneratorB.eval();
        _device = GeneratorA.parameters().First().device;
    }

    internal ResnetGenerator GeneratorA { get; }
    internal ResnetGenerator GeneratorB { get; }
    internal DataViewType InputType { get; }

    /// <summary>The column translated.</summary>
    public string InputColumnName => _options.InputColumnName;
    /// <summary>The column added.</summary>
    public string OutputColumnName => _options.OutputColumnName;
    /// <summary>Which generator <see cref="Transform"/> applies.</summary>
    public CycleGanDirection Direction => _options.Direction;
    /// <summary>Image height the generators were trained on.</summary>
    public int ImageHeight => _shape.Height;
    /// <summary>Image width the generators were trained on.</summary>
    public int ImageWidth => _shape.Width;

    /// <summary>False: use <see cref="Transform"/> (the saved, ONNX-backed form can make prediction engines).</summary>
    public bool IsRowToRowMapper => false;

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("CycleGanTransformer maps whole data views; call Transform, or save and load the model for a row-to-row mapper.");

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return MappedDataView.WithColumn(inputSchema, OutputColumnName, InputType);
    }

    private DataViewSchema.Column CheckInput(DataViewSchema schema)
    {
        var column = ImageColumn.Find(schema, InputColumnName, "Input");
        if (!column.Type.Equals(InputType) && !(column.Type is ImageDataViewType && InputType is ImageDataViewType))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{InputColumnName}' has type {column.Type}; this model was trained on {InputType}.");
        return column;
    }

    /// <summary>Adds the translated column, computed lazily, row by row, as cursors ask for it.</summary>
    public IDataView Transform(IDataView input)
    {
        var column = CheckInput(input.Schema);
        var vectorShape = _shape.Kind == ImageColumnKind.Vector ? _shape : null;
        return new MappedDataView(input, OutputColumnName, InputType, row =>
        {
            var read = ImageColumn.RowReader(row, row.Schema[column.Index], vectorShape);
            var translated = MappedDataView.OncePerRow(row, () =>
            {
                var (values, h, w) = read();
                if (h != _shape.Height || w != _shape.Width)
                    throw new InvalidOperationException($"Input column '{InputColumnName}', row {row.Position}: the image is {w}×{h}; this model translates {_shape.Width}×{_shape.Height} images.");
                return Translate(values, Direction);
            });
            if (_shape.Kind == ImageColumnKind.Vector)
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => value = new VBuffer<float>(_shape.Length, translated()));
            return (ValueGetter<MLImage>)((ref MLImage value) => value = ImageTensors.ToImage(translated(), _shape.Height, _shape.Width));
        }, InputColumnName);
    }

    /// <summary>Translates one image given as planar RGB in [−1, 1] (3×H×W values).</summary>
    public float[] Translate(float[] planar, CycleGanDirection direction)
    {
        if (planar.Length != _shape.Length)
            throw new ArgumentException($"Expected {_shape.Length} values (3×{_shape.Height}×{_shape.Width}); found {planar.Length}.", nameof(planar));
        using var scope = NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        using var _ = no_grad();
        var x = tensor(planar, new long[] { 1, 3, _shape.Height, _shape.Width }).to(_device);
        var generator = direction == CycleGanDirection.AToB ? GeneratorA : GeneratorB;
        return generator.forward(x).cpu().data<float>().ToArray();
    }

    /// <summary>Translates an ML.NET image (transparency composited on white) of the trained size.</summary>
    public MLImage Translate(MLImage image, CycleGanDirection direction)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Height != _shape.Height || image.Width != _shape.Width)
            throw new ArgumentException($"The image is {image.Width}×{image.Height}; this model translates {_shape.Width}×{_shape.Height} images.", nameof(image));
        return ImageTensors.ToImage(Translate(ImageTensors.ToPlanarRgb(image), direction), _shape.Height, _shape.Width);
    }

    /// <summary>
    /// Writes the generator of <see cref="Direction"/> as an ONNX model: input and output named after the columns (the
    /// output "<c>{OutputColumnName}.translated</c>" when the output column replaces the input column, as ONNX needs
    /// distinct names).
    /// For image columns the input is 0…255 planar A, R, G, B (<c>ExtractPixels</c> with <c>ColorBits.All</c>; alpha
    /// is composited onto white as in training) and the output 0…255 planar R, G, B; for vector columns both are in [−1, 1].
    /// </summary>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OnnxModel(InputColumnName, OnnxOutputName).Save(path);
    }

    private string OnnxOutputName => OutputColumnName == InputColumnName ? OutputColumnName + ".translated" : OutputColumnName;

    private OnnxGraphBuilder OnnxModel(string input, string output) =>
        ImageGeneratorOnnx.Build(Direction == CycleGanDirection.AToB ? GeneratorA : GeneratorB, 3, _shape.Height, _shape.Width,
            input, output, _shape.Kind == ImageColumnKind.Image ? GeneratorImageScale.PixelsWithAlpha : GeneratorImageScale.Symmetric);

    /// <summary>
    /// ML.NET gives third-party transformers no way to store their own weights in a model zip; the public way is to
    /// save an equivalent chain of ML.NET's own transformers: (ExtractPixels →) ApplyOnnxModel (→ ConvertToImage),
    /// with temporary columns dropped. Loading the zip then needs no Microsoft.ML.Gan at all.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)OnnxEquivalent()).Save(ctx);

    /// <summary>The chain of ML.NET transformers that computes what this transformer does, through ONNX Runtime.</summary>
    internal ITransformer OnnxEquivalent()
    {
        var ml = new MLContext();
        string pixels = $"{OutputColumnName}.pixels", onnxOut = $"{OutputColumnName}.onnx";
        bool isImage = _shape.Kind == ImageColumnKind.Image;
        string onnxIn = isImage ? pixels : InputColumnName;
        var bytes = OnnxModel(onnxIn, onnxOut).ToBytes();
        IEstimator<ITransformer> pipeline = isImage
            ? ml.Transforms.ExtractPixels(pixels, InputColumnName, ImagePixelExtractingEstimator.ColorBits.All, ImagePixelExtractingEstimator.ColorsOrder.ARGB)
                .Append(ml.Transforms.ApplyOnnxModel(onnxOut, onnxIn, new MemoryStream(bytes)))
                .Append(ml.Transforms.ConvertToImage(_shape.Height, _shape.Width, OutputColumnName, onnxOut))
                .Append(ml.Transforms.DropColumns(pixels, onnxOut))
            : ml.Transforms.ApplyOnnxModel(onnxOut, onnxIn, new MemoryStream(bytes))
                .Append(ml.Transforms.CopyColumns(OutputColumnName, onnxOut))
                .Append(ml.Transforms.DropColumns(onnxOut));
        return pipeline.Fit(SchemaOnlyData.Create(InputColumnName, InputType));
    }

    /// <summary>Frees the generators' native memory.</summary>
    public void Dispose()
    {
        GeneratorA.Dispose();
        GeneratorB.Dispose();
    }
}
