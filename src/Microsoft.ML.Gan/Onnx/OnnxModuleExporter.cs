using System.Collections.Concurrent;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.WaveGan;
using AttributeProto = global::Onnx.AttributeProto;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// A module that knows its own ONNX form. Implement it on a GAN's custom <c>nn.Module</c> whose forward is more
/// than a chain of the layers <see cref="OnnxModuleExporter"/> already knows.
/// </summary>
internal interface IOnnxExportable
{
    /// <summary>
    /// Appends the nodes that compute this module's forward (inference semantics) from the value
    /// <paramref name="input"/> and returns the name of the result.
    /// </summary>
    /// <param name="exporter">Exports child modules (<see cref="OnnxModuleExporter.Export"/>) and gives the graph.</param>
    /// <param name="input">Name of the input value.</param>
    /// <param name="path">This module's path (<c>model.block0</c>), to name weights and to report errors.</param>
    string ExportOnnx(OnnxModuleExporter exporter, string input, string path);
}

/// <summary>
/// Appends ONNX nodes for a TorchSharp module tree, layer by layer, reading every hyper-parameter and weight from
/// the modules themselves. TorchSharp has no ONNX export and no tracer, so the exporter knows each layer kind.
/// </summary>
/// <remarks>
/// <para>Lookup, in order: the module implements <see cref="IOnnxExportable"/>; an exporter was registered for its
/// exact type (<see cref="Register{TModule}"/>). Exact types only: a subclass of <c>Sequential</c> with its own
/// forward must not silently export as a plain chain.</para>
/// <para>The graph computes inference semantics: dropout is the identity and batch norm uses its running statistics,
/// as <c>eval()</c> would. Tensors may live on any device; weights are copied to float32 on the CPU.</para>
/// </remarks>
internal sealed class OnnxModuleExporter
{
    /// <summary>Appends the nodes for <paramref name="module"/> and returns the name of its output value.</summary>
    public delegate string ModuleExport<in TModule>(OnnxModuleExporter exporter, TModule module, string input, string path)
        where TModule : nn.Module;

    private static readonly ConcurrentDictionary<Type, ModuleExport<nn.Module>> Exporters = new();

    static OnnxModuleExporter()
    {
        Register<Sequential>(ExportSequential);
        Register<Identity>((_, _, x, _) => x);
        foreach (var dropout in new[] { typeof(Dropout), typeof(Dropout1d), typeof(Dropout2d), typeof(Dropout3d), typeof(AlphaDropout), typeof(FeatureAlphaDropout) })
            Exporters[dropout] = (_, _, x, _) => x;

        foreach (var conv in new[] { typeof(Conv1d), typeof(Conv2d), typeof(Conv3d), typeof(ConvTranspose1d), typeof(ConvTranspose2d), typeof(ConvTranspose3d) })
            Exporters[conv] = (e, m, x, p) => ExportConvolution(e, (Convolution)m, x, p);
        Register<Linear>(ExportLinear);

        foreach (var norm in new[] { typeof(InstanceNorm1d), typeof(InstanceNorm2d), typeof(InstanceNorm3d) })
            Exporters[norm] = (e, m, x, p) => ExportInstanceNorm(e, (InstanceNorm)m, x, p);
        foreach (var norm in new[] { typeof(BatchNorm1d), typeof(BatchNorm2d), typeof(BatchNorm3d) })
            Exporters[norm] = (e, m, x, p) => ExportBatchNorm(e, (BatchNorm)m, x, p);

        foreach (var pad in new[] { typeof(ReflectionPad1d), typeof(ReflectionPad2d), typeof(ReflectionPad3d) })
            Exporters[pad] = (e, m, x, p) => ExportPad(e, (PadBase)m, "reflect", x, p);
        foreach (var pad in new[] { typeof(ReplicationPad1d), typeof(ReplicationPad2d), typeof(ReplicationPad3d) })
            Exporters[pad] = (e, m, x, p) => ExportPad(e, (PadBase)m, "edge", x, p);
        foreach (var pad in new[] { typeof(ConstantPad1d), typeof(ConstantPad2d), typeof(ConstantPad3d), typeof(ZeroPad2d) })
            Exporters[pad] = (e, m, x, p) => ExportPad(e, (PadBase)m, "constant", x, p);

        Register<ReLU>((e, _, x, p) => e.Graph.AddNode("Relu", new[] { x }, $"{p}.relu"));
        Register<LeakyReLU>((e, m, x, p) => e.Graph.AddNode("LeakyRelu", new[] { x }, $"{p}.leaky_relu",
            OnnxGraphBuilder.Float("alpha", (float)m.negative_slope)));
        Register<Tanh>((e, _, x, p) => e.Graph.AddNode("Tanh", new[] { x }, $"{p}.tanh"));
        Register<Sigmoid>((e, _, x, p) => e.Graph.AddNode("Sigmoid", new[] { x }, $"{p}.sigmoid"));

        Register<WaveGanGenerator>(WaveGanOnnx.ExportGenerator);
        Register<SpecGanGenerator>(SpecGanOnnx.ExportGenerator);

        // The CycleGAN networks: wrappers whose forward is their Sequential, and the residual block.
        Register<ResnetGenerator>((e, m, x, p) => e.Export(m.model, x, Join(p, "model")));
        Register<PatchDiscriminator>((e, m, x, p) => e.Export(m.model, x, Join(p, "model")));
        Register<ResnetBlock>((e, m, x, p) =>
        {
            var residual = e.Export(m.conv_block, x, Join(p, "conv_block"));
            return e.Graph.AddNode("Add", new[] { x, residual }, $"{p}.add");
        });
    }

    /// <summary>Starts an exporter that appends to <paramref name="graph"/>.</summary>
    public OnnxModuleExporter(OnnxGraphBuilder graph)
    {
        Graph = graph ?? throw new ArgumentNullException(nameof(graph));
    }

    /// <summary>The graph the nodes go to; custom exporters add their nodes and weights here.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>
    /// Teaches every exporter the module type <typeparamref name="TModule"/> (exact type); a later registration
    /// for the same type replaces the earlier one. For a module you own, <see cref="IOnnxExportable"/> is simpler.
    /// </summary>
    public static void Register<TModule>(ModuleExport<TModule> export) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(export);
        Exporters[typeof(TModule)] = (e, m, x, p) => export(e, (TModule)m, x, p);
    }

    /// <summary>Whether <see cref="Export"/> knows <paramref name="module"/>'s own type (not its children's).</summary>
    public static bool CanExport(nn.Module module) => module is IOnnxExportable || Exporters.ContainsKey(module.GetType());

    /// <summary>
    /// Appends the nodes computing <paramref name="module"/>'s forward from the value <paramref name="input"/>.
    /// </summary>
    /// <param name="module">The module; its children are exported recursively.</param>
    /// <param name="input">Name of the input value in <see cref="Graph"/>.</param>
    /// <param name="path">The module's path, used to name weights (<c>model.stem_conv.weight</c>) and in errors.</param>
    /// <returns>Name of the output value.</returns>
    /// <exception cref="NotSupportedException">A module in the tree has a type with no exporter, or a setting the
    /// ONNX form cannot express; the message names the type and the module path.</exception>
    public string Export(nn.Module module, string input, string path = "")
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module is IOnnxExportable exportable) return exportable.ExportOnnx(this, input, path);
        if (Exporters.TryGetValue(module.GetType(), out var export)) return export(this, module, input, path);
        throw new NotSupportedException(
            $"ONNX export does not know the module type '{module.GetType().FullName}' (at '{DisplayPath(path)}'). " +
            $"Implement {nameof(IOnnxExportable)} on it or call {nameof(OnnxModuleExporter)}.{nameof(Register)}.");
    }

    /// <summary>The path of a child module: <c>parent.child</c>, or <c>child</c> at the root.</summary>
    public static string Join(string path, string child) => string.IsNullOrEmpty(path) ? child : $"{path}.{child}";

    /// <summary>Adds a module's weight (or bias) as an initializer named by its path, as in a state dict.</summary>
    public string AddWeight(string path, string name, Tensor tensor) => Graph.AddInitializer(Join(path, name), tensor);

    private static string DisplayPath(string path) => string.IsNullOrEmpty(path) ? "<root>" : path;

    private static NotSupportedException Unsupported(nn.Module module, string path, string why) =>
        new($"ONNX export cannot express the '{module.GetType().Name}' at '{DisplayPath(path)}': {why}.");

    private static string ExportSequential(OnnxModuleExporter e, Sequential sequential, string input, string path)
    {
        var x = input;
        foreach (var (name, child) in sequential.named_children())
            x = e.Export(child, x, Join(path, name));
        return x;
    }

    private static string ExportConvolution(OnnxModuleExporter e, Convolution conv, string input, string path)
    {
        int rank = conv.kernel_size.Length;
        long[] dilation = conv.dilation ?? Enumerable.Repeat(1L, rank).ToArray();
        long[] stride = conv.stride ?? Enumerable.Repeat(1L, rank).ToArray();

        // ONNX pads are all the begins then all the ends; PyTorch's are symmetric except for 'same', which puts the
        // odd extra element at the end.
        var pads = new long[2 * rank];
        for (int i = 0; i < rank; i++)
        {
            long begin, end;
            if (conv.padding_type == Padding.Same)
            {
                long total = dilation[i] * (conv.kernel_size[i] - 1);
                begin = total / 2;
                end = total - begin;
            }
            else if (conv.padding_type == Padding.Valid) begin = end = 0;
            else begin = end = conv.padding?[i] ?? 0;
            pads[i] = begin;
            pads[rank + i] = end;
        }

        var x = input;
        if (conv.padding_mode != PaddingModes.Zeros)
        {
            var mode = conv.padding_mode switch
            {
                PaddingModes.Reflect => "reflect",
                PaddingModes.Replicate => "edge",
                // Opset 17's Pad has no 'wrap' mode (it came with opset 19).
                _ => throw Unsupported(conv, path, $"padding_mode {conv.padding_mode}"),
            };
            x = AddPad(e, x, pads, mode, 0f, $"{path}.pad");
            Array.Clear(pads);
        }

        var inputs = new List<string> { x, e.AddWeight(path, "weight", conv.weight!) };
        if (conv.bias is not null) inputs.Add(e.AddWeight(path, "bias", conv.bias));
        var attributes = new List<AttributeProto>
        {
            OnnxGraphBuilder.Ints("kernel_shape", conv.kernel_size),
            OnnxGraphBuilder.Ints("strides", stride),
            OnnxGraphBuilder.Ints("dilations", dilation),
            OnnxGraphBuilder.Ints("pads", pads),
            OnnxGraphBuilder.Int("group", conv.groups),
        };
        if (conv.transposed)
        {
            // Same weight layout in both: [in, out/groups, k...]; same output-size formula.
            attributes.Add(OnnxGraphBuilder.Ints("output_padding", conv.output_padding ?? new long[rank]));
            return e.Graph.AddNode("ConvTranspose", inputs, $"{path}.conv_transpose", attributes.ToArray());
        }
        return e.Graph.AddNode("Conv", inputs, $"{path}.conv", attributes.ToArray());
    }

    private static string ExportLinear(OnnxModuleExporter e, Linear linear, string input, string path)
    {
        // MatMul + Add rather than Gemm: Gemm needs a 2-D input, Linear takes any leading dimensions.
        string weightT;
        using (NewDisposeScope())
            weightT = e.Graph.AddInitializer(Join(path, "weight_t"), linear.weight!.detach().t());
        var y = e.Graph.AddNode("MatMul", new[] { input, weightT }, $"{path}.matmul");
        if (linear.bias is null) return y;
        return e.Graph.AddNode("Add", new[] { y, e.AddWeight(path, "bias", linear.bias) }, $"{path}.add");
    }

    private static string ExportInstanceNorm(OnnxModuleExporter e, InstanceNorm norm, string input, string path)
    {
        if (norm.track_running_stats)
            throw Unsupported(norm, path, "track_running_stats = true uses running statistics in eval mode, which ONNX's InstanceNormalization does not have");
        var (scale, bias) = AffineOrIdentity(e, norm, path);
        return e.Graph.AddNode("InstanceNormalization", new[] { input, scale, bias }, $"{path}.instance_norm",
            OnnxGraphBuilder.Float("epsilon", (float)norm.eps));
    }

    private static string ExportBatchNorm(OnnxModuleExporter e, BatchNorm norm, string input, string path)
    {
        if (norm.running_mean is null || norm.running_var is null)
            throw Unsupported(norm, path, "without running statistics it normalises by the batch even in eval mode");
        var (scale, bias) = AffineOrIdentity(e, norm, path);
        var mean = e.AddWeight(path, "running_mean", norm.running_mean);
        var variance = e.AddWeight(path, "running_var", norm.running_var);
        return e.Graph.AddNode("BatchNormalization", new[] { input, scale, bias, mean, variance }, $"{path}.batch_norm",
            OnnxGraphBuilder.Float("epsilon", (float)norm.eps));
    }

    private static (string Scale, string Bias) AffineOrIdentity(OnnxModuleExporter e, NormBase norm, string path)
    {
        if (norm.affine && norm.weight is not null && norm.bias is not null)
            return (e.AddWeight(path, "weight", norm.weight), e.AddWeight(path, "bias", norm.bias));
        // ONNX's normalisations always take scale and bias; affine = false is scale 1, bias 0.
        int c = (int)norm.num_features;
        return (e.Graph.AddInitializer(Join(path, "scale"), Enumerable.Repeat(1f, c).ToArray(), c),
                e.Graph.AddInitializer(Join(path, "bias"), new float[c], c));
    }

    private static string ExportPad(OnnxModuleExporter e, PadBase pad, string mode, string input, string path)
    {
        // PyTorch lists (begin, end) pairs from the last axis backwards; ONNX wants every axis, begins then ends.
        // The input is batched: N and C come before the padded axes and are not padded.
        var torchPads = pad.padding;
        int spatial = torchPads.Length / 2;
        int rank = spatial + 2;
        var pads = new long[2 * rank];
        for (int i = 0; i < spatial; i++)
        {
            int axis = rank - 1 - i;
            pads[axis] = torchPads[2 * i];
            pads[rank + axis] = torchPads[2 * i + 1];
        }
        return AddPad(e, input, pads, mode, (float)pad.value, $"{path}.pad", fullRank: true);
    }

    private static string AddPad(OnnxModuleExporter e, string input, long[] pads, string mode, float value, string hint, bool fullRank = false)
    {
        if (!fullRank)
        {
            // Spatial pads only (begins then ends): prepend zeros for N and C.
            int spatial = pads.Length / 2;
            var full = new long[2 * (spatial + 2)];
            Array.Copy(pads, 0, full, 2, spatial);
            Array.Copy(pads, spatial, full, spatial + 2 + 2, spatial);
            pads = full;
        }
        var padsName = e.Graph.AddInt64Initializer($"{hint}.pads", pads, pads.Length);
        var inputs = mode == "constant" && value != 0f
            ? new[] { input, padsName, e.Graph.AddScalar($"{hint}.value", value) }
            : new[] { input, padsName };
        return e.Graph.AddNode("Pad", inputs, hint, OnnxGraphBuilder.String("mode", mode));
    }
}
