using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.Gan.Core;
using Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// Builds one ONNX graph (default domain, opset <see cref="Opset"/>) from inputs, initializers, nodes and outputs,
/// giving every value a unique name. OnnxSharp only ships the protobuf classes; this is the small layer over them.
/// </summary>
/// <remarks>
/// Values are referred to by name. Each <c>Add…</c> method takes a name hint (usually the module path, as in a
/// TorchSharp <c>state_dict</c>) and returns the name actually used, so a reader of the .onnx file can trace a weight
/// back to its module. Graph input and output names are taken verbatim because ML.NET binds columns to them.
/// </remarks>
internal sealed class OnnxGraphBuilder
{
    /// <summary>
    /// Opset 17: every op used here has had its current form since then (Pad and Clip take their sizes and bounds as
    /// inputs), and ONNX Runtime has run it since 1.13; ML.NET 5.0.1 asks for 1.23.2, the tests run 1.31.
    /// </summary>
    public const int Opset = 17;

    /// <summary>IR version 8 is the one ONNX 1.12 wrote alongside opset 17.</summary>
    private const long IrVersion = 8;
    private const long TextIrVersion = 9;

    /// <summary>
    /// Opset 20 brings StringConcat, which a model needs to write text; ONNX Runtime has run it since 1.16. IR version
    /// 9 is the one ONNX 1.15 wrote alongside it.
    /// </summary>
    public const int TextOpset = 20;

    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pendingOutputs = new(StringComparer.Ordinal);
    private readonly int _opset;

    /// <param name="graphName">The graph's name, shown by viewers such as Netron.</param>
    /// <param name="opset">The default domain's opset: <see cref="Opset"/>, or <see cref="TextOpset"/> for a graph with string ops.</param>
    public OnnxGraphBuilder(string graphName = "graph", int opset = Opset)
    {
        if (opset is not (Opset or TextOpset))
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"Expected opset {Opset} or {TextOpset}, the two this exporter is written for.");
        _graph = new GraphProto { Name = graphName };
        _opset = opset;
    }

    /// <summary>Number of nodes appended so far.</summary>
    public int NodeCount => _graph.Node.Count;

    /// <summary>
    /// Declares a float graph input. A negative size makes that axis dynamic (a named dimension: <c>batch</c> on
    /// axis 0); ML.NET's OnnxTransformer treats a dynamic axis as size 1.
    /// </summary>
    /// <returns>The input's name, which is <paramref name="name"/> itself.</returns>
    public string AddFloatInput(string name, params long[] shape) => AddInput(name, TensorProto.Types.DataType.Float, shape);

    /// <summary>As <see cref="AddFloatInput"/>, for any element type (ML.NET feeds a key column to a UInt32 input).</summary>
    public string AddInput(string name, TensorProto.Types.DataType type, params long[] shape)
    {
        Reserve(name, "graph input");
        _graph.Input.Add(ValueInfo(name, type, shape));
        return name;
    }

    /// <summary>
    /// Declares a float graph output now so that its name is reserved; <see cref="SetOutput"/> later says which value
    /// it is. Give the full static shape where known: ML.NET sizes the output column's vector from it.
    /// </summary>
    public string AddFloatOutput(string name, params long[] shape) => AddOutput(name, TensorProto.Types.DataType.Float, shape);

    /// <summary>As <see cref="AddFloatOutput"/>, for any element type (a String output becomes a Text column in ML.NET).</summary>
    public string AddOutput(string name, TensorProto.Types.DataType type, params long[] shape)
    {
        Reserve(name, "graph output");
        _graph.Output.Add(ValueInfo(name, type, shape));
        _pendingOutputs.Add(name);
        return name;
    }

    /// <summary>Makes the declared graph output <paramref name="output"/> carry <paramref name="value"/>.</summary>
    public void SetOutput(string output, string value)
    {
        if (!_pendingOutputs.Remove(output))
            throw new InvalidOperationException($"'{output}' is not a declared graph output, or it was already set.");
        // An Identity keeps the output's name exactly the column name; ONNX Runtime removes it when optimising.
        _graph.Node.Add(NewNode("Identity", new[] { value }, output, Array.Empty<AttributeProto>()));
    }

    /// <summary>Adds a float initializer copied from a TorchSharp tensor (any device, any float dtype).</summary>
    public string AddInitializer(string nameHint, Tensor tensor)
    {
        // The scope frees the detached, converted and copied intermediates, never the caller's tensor.
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
        return AddInitializer(nameHint, cpu.data<float>().ToArray(), cpu.shape);
    }

    /// <summary>Adds a float initializer with the given shape (an empty shape is a scalar).</summary>
    public string AddInitializer(string nameHint, float[] values, params long[] shape)
    {
        CheckCount(nameHint, values.Length, shape);
        var tensor = new TensorProto { Name = UniqueName(nameHint), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(shape);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds an int64 initializer, as ops such as Pad take their sizes as inputs.</summary>
    public string AddInt64Initializer(string nameHint, long[] values, params long[] shape)
    {
        CheckCount(nameHint, values.Length, shape);
        var tensor = new TensorProto { Name = UniqueName(nameHint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(shape);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a string initializer (UTF-8), e.g. the vocabulary a Gather turns token ids into text with.</summary>
    public string AddStringInitializer(string nameHint, IReadOnlyList<string> values, params long[] shape)
    {
        CheckCount(nameHint, values.Count, shape);
        var tensor = new TensorProto { Name = UniqueName(nameHint), DataType = (int)TensorProto.Types.DataType.String };
        tensor.Dims.AddRange(shape);
        tensor.StringData.AddRange(values.Select(ByteString.CopyFromUtf8));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a float scalar initializer (rank 0, so it broadcasts against anything).</summary>
    public string AddScalar(string nameHint, float value) => AddInitializer(nameHint, new[] { value });

    /// <summary>
    /// Appends a node of the default domain with one output. An empty string in <paramref name="inputs"/> stands for
    /// an omitted optional input, as in the ONNX specification.
    /// </summary>
    /// <returns>The name of the node's output.</returns>
    public string AddNode(string opType, IReadOnlyList<string> inputs, string outputHint, params AttributeProto[] attributes)
    {
        var output = UniqueName(outputHint);
        _graph.Node.Add(NewNode(opType, inputs, output, attributes));
        return output;
    }

    /// <summary>An <c>INT</c> attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An <c>INTS</c> attribute.</summary>
    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A <c>FLOAT</c> attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A <c>FLOATS</c> attribute.</summary>
    public static AttributeProto Floats(string name, IEnumerable<float> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    /// <summary>A <c>STRING</c> attribute (UTF-8).</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>A <c>STRINGS</c> attribute (UTF-8).</summary>
    public static AttributeProto Strings(string name, IEnumerable<string> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    /// <summary>
    /// Returns <paramref name="hint"/> if no value, node or initializer uses it yet, otherwise the hint with the
    /// first free suffix <c>_1</c>, <c>_2</c>, …; either way the name is then taken.
    /// </summary>
    public string UniqueName(string hint)
    {
        if (string.IsNullOrEmpty(hint)) hint = "value";
        if (_names.Add(hint)) return hint;
        for (int i = 1; ; i++)
        {
            var candidate = $"{hint}_{i}";
            if (_names.Add(candidate)) return candidate;
        }
    }

    /// <summary>The finished model. Throws if a declared output was never set.</summary>
    public ModelProto ToModel()
    {
        if (_pendingOutputs.Count > 0)
            throw new InvalidOperationException($"Graph output(s) never set: {string.Join(", ", _pendingOutputs)}.");
        var model = new ModelProto
        {
            IrVersion = _opset == TextOpset ? TextIrVersion : IrVersion,
            ProducerName = "Microsoft.ML.Gan",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "",
            Graph = _graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        return model;
    }

    /// <summary>The serialized model, as ONNX Runtime and <c>ApplyOnnxModel(Stream)</c> read it.</summary>
    public byte[] ToBytes() => ToModel().ToByteArray();

    /// <summary>
    /// Writes the model to <paramref name="path"/> through a temporary file in the same folder and a rename, so a
    /// crash never leaves a truncated .onnx where a good one was.
    /// </summary>
    public void Save(string path)
    {
        var bytes = ToBytes();
        AtomicFile.Write(path, temp => File.WriteAllBytes(temp, bytes));
    }

    private void Reserve(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"A {what} needs a non-empty name.", nameof(name));
        if (!_names.Add(name)) throw new ArgumentException($"The {what} name '{name}' is already used in this graph.", nameof(name));
    }

    private NodeProto NewNode(string opType, IReadOnlyList<string> inputs, string output, AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName($"{output}/{opType}") };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        for (int axis = 0; axis < shape.Length; axis++)
            tensorShape.Dim.Add(shape[axis] >= 0
                ? new TensorShapeProto.Types.Dimension { DimValue = shape[axis] }
                : new TensorShapeProto.Types.Dimension { DimParam = axis == 0 ? "batch" : $"{name}_dim{axis}" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape },
            },
        };
    }

    private static void CheckCount(string name, int count, long[] shape)
    {
        long expected = shape.Aggregate(1L, (a, b) => a * b);
        if (expected != count)
            throw new ArgumentException($"Initializer '{name}' has {count} values but shape [{string.Join(", ", shape)}] needs {expected}.");
    }
}
