using Microsoft.ML.Gan.SeqGan;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DataType = global::Onnx.TensorProto.Types.DataType;

namespace Microsoft.ML.Gan.Onnx;

/// <summary>
/// The ONNX model a SeqGAN transformer saves (opset 20, for StringConcat): the discriminator's probability that a row's
/// tokens are real, and a sequence sampled from the generator and written as text, both in one graph.
/// </summary>
/// <remarks>
/// <para>Inputs: <c>keys</c> [batch, n] UInt32, a row's tokens as ML.NET keys over the vocabulary without its first two
/// ids (key k is id k + 1, and the missing key 0, which <c>MapValueToKey</c> gives an unknown token, is id 1, the
/// unknown token); for the character tokenizer also <c>words</c> [batch, m] String, the row's white-space-separated
/// words, so that a row of white space only reads as empty, as in training. Any n: the ids are cut or padded to the
/// sequence length here.</para>
/// <para>Sampling: G's LSTM unrolled over the sequence length, each token drawn by inverting the cumulative
/// distribution of softmax(logits / T) at a uniform number u_t (the count of cumulative probabilities ≤ u_t · total).
/// That is an exact draw from the same distribution as the TorchSharp transformer's, with other random numbers. The
/// uniforms come from a <c>RandomUniformLike</c> node with a fixed seed: ONNX Runtime seeds its generator once per
/// session and each run continues the stream, so a freshly loaded model gives the same samples to the same rows read in
/// the same order, and reading the rows again gives new samples. With <c>noiseInput</c> the uniforms are an input
/// instead (the tests compare the draws with TorchSharp's networks that way).</para>
/// <para>Text: ids after the first padding are dropped, the rest looked up in the vocabulary and joined as
/// <see cref="Data.TokenColumn.Join"/> joins them (concatenated characters, or words separated by one space).</para>
/// </remarks>
internal static class SeqGanOnnx
{
    /// <summary>Name of the graph output with the sampled ids [batch, length] (Int64; 0 is padding), for ONNX Runtime callers.</summary>
    public const string IdsOutput = "sampled_ids";

    /// <summary>Name of the noise input [batch, length] in [0, 1) when the graph is built with <c>noiseInput</c>.</summary>
    public const string NoiseInput = "noise";

    /// <param name="generator">G (its weights are copied).</param>
    /// <param name="discriminator">D (inference: no dropout).</param>
    /// <param name="vocabulary">The training vocabulary: id 0 padding, id 1 the unknown token.</param>
    /// <param name="tokenizer">How the text was split; decides how tokens are joined and whether <c>words</c> is an input.</param>
    /// <param name="sequenceLength">Tokens per sequence.</param>
    /// <param name="temperature">Sampling temperature.</param>
    /// <param name="seed">Seed of the RandomUniformLike node; below 2^24, as ONNX stores it as a float.</param>
    /// <param name="keysInput">Name of the keys input (the ML.NET key column).</param>
    /// <param name="wordsInput">Name of the words input (characters only; the ML.NET word column).</param>
    /// <param name="textOutput">Name of the generated-text output.</param>
    /// <param name="scoreOutput">Name of the score output.</param>
    /// <param name="noiseInput">Take the uniforms from the input <see cref="NoiseInput"/> instead of RandomUniformLike.</param>
    public static OnnxGraphBuilder Build(SeqGanGenerator generator, SeqGanDiscriminator discriminator, IReadOnlyList<string> vocabulary,
        SeqGanTokenizer tokenizer, int sequenceLength, double temperature, long seed,
        string keysInput, string wordsInput, string textOutput, string scoreOutput, bool noiseInput = false)
    {
        if (seed is < 0 or >= 1 << 24)
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "ONNX stores the seed as a float: expected 0 ≤ seed < 2^24.");
        var graph = new OnnxGraphBuilder("SeqGan", OnnxGraphBuilder.TextOpset);
        var keys = graph.AddInput(keysInput, DataType.Uint32, -1, -1);
        var words = tokenizer == SeqGanTokenizer.Characters ? graph.AddInput(wordsInput, DataType.String, -1, -1) : null;
        var noise = noiseInput ? graph.AddFloatInput(NoiseInput, -1, sequenceLength) : null;
        graph.AddOutput(textOutput, DataType.String, -1);
        graph.AddFloatOutput(scoreOutput, -1);
        graph.AddOutput(IdsOutput, DataType.Int64, -1, sequenceLength);

        var batch = graph.AddNode("Shape", new[] { keys }, "batch", OnnxGraphBuilder.Int("start", 0), OnnxGraphBuilder.Int("end", 1));
        var ids = Sample(graph, generator, batch, noise, sequenceLength, temperature, seed);
        graph.SetOutput(IdsOutput, ids);
        graph.SetOutput(textOutput, Text(graph, ids, vocabulary, tokenizer, sequenceLength));
        graph.SetOutput(scoreOutput, Score(graph, discriminator, InputIds(graph, keys, words, sequenceLength)));
        return graph;
    }

    private static string Int64(OnnxGraphBuilder g, string name, long value) => g.AddInt64Initializer(name, new[] { value });

    private static string Int64s(OnnxGraphBuilder g, string name, params long[] values) => g.AddInt64Initializer(name, values, values.Length);

    private static string Slice(OnnxGraphBuilder g, string x, long start, long end, long axis, string hint) =>
        g.AddNode("Slice", new[] { x, Int64s(g, $"{hint}.start", start), Int64s(g, $"{hint}.end", end), Int64s(g, $"{hint}.axis", axis) }, hint);

    /// <summary>A [batch, size] tensor of <paramref name="value"/> (Expand of a scalar initializer).</summary>
    private static string Filled(OnnxGraphBuilder g, string batch, long size, string value, string hint)
    {
        var shape = g.AddNode("Concat", new[] { batch, Int64s(g, $"{hint}.size", size) }, $"{hint}.shape", OnnxGraphBuilder.Int("axis", 0));
        return g.AddNode("Expand", new[] { value, shape }, hint);
    }

    /// <summary>G's sampling recurrence (the code's <c>gen_x</c> loop), one token per step; returns ids [batch, length].</summary>
    private static string Sample(OnnxGraphBuilder g, SeqGanGenerator generator, string batch, string? noise, int length, double temperature, long seed)
    {
        var lstm = generator.lstm;
        long hidden = lstm.HiddenSize, vocabularySize = generator.VocabularySize;
        string embeddings = g.AddInitializer("generator.g_embeddings", generator.g_embeddings);
        string inputWeights, hiddenWeights, biases;
        using (NewDisposeScope())
        {
            // The four gates' products in one MatMul each, in the cell's order: input, forget, output, candidate.
            inputWeights = g.AddInitializer("generator.lstm.W", cat(new[] { lstm.Wi, lstm.Wf, lstm.Wog, lstm.Wc }, 1));
            hiddenWeights = g.AddInitializer("generator.lstm.U", cat(new[] { lstm.Ui, lstm.Uf, lstm.Uog, lstm.Uc }, 1));
            biases = g.AddInitializer("generator.lstm.b", cat(new[] { lstm.bi, lstm.bf, lstm.bog, lstm.bc }, 0));
        }
        string outputWeights = g.AddInitializer("generator.Wo", generator.Wo), outputBias = g.AddInitializer("generator.bo", generator.bo);

        var zero = g.AddScalar("zero", 0f);
        var uniforms = noise ?? g.AddNode("RandomUniformLike", new[] { Filled(g, batch, length, zero, "noise.like") }, "noise",
            OnnxGraphBuilder.Int("dtype", (long)DataType.Float), OnnxGraphBuilder.Float("low", 0f), OnnxGraphBuilder.Float("high", 1f),
            OnnxGraphBuilder.Float("seed", seed));
        var h = Filled(g, batch, hidden, zero, "h0");
        var c = h;
        var start = g.AddNode("Expand", new[] { Int64(g, "start_token", SeqGanGenerator.StartToken), batch }, "start");
        var x = g.AddNode("Gather", new[] { embeddings, start }, "x0");
        var cumulativeAxis = Int64(g, "vocabulary_axis", 1);
        var lastId = Int64(g, "last_id", vocabularySize - 1);
        var tokens = new List<string>(length);
        for (int t = 0; t < length; t++)
        {
            string step = $"step{t}";
            var gates = g.AddNode("Add", new[]
            {
                g.AddNode("Add", new[] { g.AddNode("MatMul", new[] { x, inputWeights }, $"{step}.xW"), g.AddNode("MatMul", new[] { h, hiddenWeights }, $"{step}.hU") }, $"{step}.xW_hU"),
                biases,
            }, $"{step}.gates");
            string Gate(int k, string op, string name) => g.AddNode(op, new[] { Slice(g, gates, k * hidden, (k + 1) * hidden, 1, $"{step}.{name}.z") }, $"{step}.{name}");
            var (i, f, o, candidate) = (Gate(0, "Sigmoid", "i"), Gate(1, "Sigmoid", "f"), Gate(2, "Sigmoid", "o"), Gate(3, "Tanh", "candidate"));
            c = g.AddNode("Add", new[] { g.AddNode("Mul", new[] { f, c }, $"{step}.fc"), g.AddNode("Mul", new[] { i, candidate }, $"{step}.ig") }, $"{step}.c");
            h = g.AddNode("Mul", new[] { o, g.AddNode("Tanh", new[] { c }, $"{step}.tanh_c") }, $"{step}.h");

            var logits = g.AddNode("Add", new[] { g.AddNode("MatMul", new[] { h, outputWeights }, $"{step}.hWo"), outputBias }, $"{step}.logits");
            if (temperature != 1.0) logits = g.AddNode("Div", new[] { logits, g.AddScalar($"{step}.temperature", (float)temperature) }, $"{step}.tempered");
            var cdf = g.AddNode("CumSum", new[] { g.AddNode("Softmax", new[] { logits }, $"{step}.p", OnnxGraphBuilder.Int("axis", 1)), cumulativeAxis }, $"{step}.cdf");
            // u · total rather than u: the float sum of V probabilities is 1 only to rounding.
            var target = g.AddNode("Mul", new[] { Slice(g, uniforms, t, t + 1, 1, $"{step}.u"), Slice(g, cdf, vocabularySize - 1, vocabularySize, 1, $"{step}.total") }, $"{step}.target");
            var below = g.AddNode("Cast", new[] { g.AddNode("LessOrEqual", new[] { cdf, target }, $"{step}.below") }, $"{step}.below_count",
                OnnxGraphBuilder.Int("to", (long)DataType.Int64));
            var count = g.AddNode("ReduceSum", new[] { below, Int64s(g, $"{step}.sum_axis", 1) }, $"{step}.count", OnnxGraphBuilder.Int("keepdims", 0));
            // u = 1 (or rounding at the top) would count every id; the last id is then the draw.
            var next = g.AddNode("Min", new[] { count, lastId }, $"{step}.token");
            tokens.Add(g.AddNode("Unsqueeze", new[] { next, Int64s(g, $"{step}.token_axis", 1) }, $"{step}.column"));
            x = g.AddNode("Gather", new[] { embeddings, next }, $"{step}.x");
        }
        return g.AddNode("Concat", tokens, "ids", OnnxGraphBuilder.Int("axis", 1));
    }

    /// <summary>The sampled ids as text, up to the first padding, joined as the tokenizer joins.</summary>
    private static string Text(OnnxGraphBuilder g, string ids, IReadOnlyList<string> vocabulary, SeqGanTokenizer tokenizer, int length)
    {
        var padding = Int64(g, "padding_id", Vocabulary.Padding);
        var padsSoFar = g.AddNode("CumSum", new[]
        {
            g.AddNode("Cast", new[] { g.AddNode("Equal", new[] { ids, padding }, "is_padding") }, "padding_count", OnnxGraphBuilder.Int("to", (long)DataType.Int64)),
            Int64(g, "sequence_axis", 1),
        }, "paddings_so_far");
        var kept = g.AddNode("Where", new[] { g.AddNode("Equal", new[] { padsSoFar, padding }, "before_padding"), ids, padding }, "kept_ids");

        // Padding reads as nothing; every later word carries the space before it.
        string separator = tokenizer == SeqGanTokenizer.Whitespace ? " " : "";
        var first = vocabulary.Select((token, id) => id == Vocabulary.Padding ? "" : token).ToArray();
        var later = vocabulary.Select((token, id) => id == Vocabulary.Padding ? "" : separator + token).ToArray();
        var firstPieces = g.AddStringInitializer("vocabulary", first, first.Length);
        var laterPieces = separator.Length == 0 ? firstPieces : g.AddStringInitializer("vocabulary.after_separator", later, later.Length);
        string? text = null;
        for (int t = 0; t < length; t++)
        {
            var id = g.AddNode("Gather", new[] { kept, Int64(g, $"text{t}.position", t) }, $"text{t}.id", OnnxGraphBuilder.Int("axis", 1));
            var piece = g.AddNode("Gather", new[] { t == 0 ? firstPieces : laterPieces, id }, $"text{t}.piece");
            text = text is null ? piece : g.AddNode("StringConcat", new[] { text, piece }, $"text{t}");
        }
        return text!;
    }

    /// <summary>The row's ids [batch, length]: key k → id k + 1, cut or padded with 0 to the sequence length.</summary>
    private static string InputIds(OnnxGraphBuilder g, string keys, string? words, int length)
    {
        var ids = g.AddNode("Add", new[]
        {
            g.AddNode("Cast", new[] { keys }, "input.keys", OnnxGraphBuilder.Int("to", (long)DataType.Int64)),
            Int64(g, "input.key_offset", 1),
        }, "input.ids");
        var count = g.AddNode("Shape", new[] { keys }, "input.count", OnnxGraphBuilder.Int("start", 1), OnnxGraphBuilder.Int("end", 2));
        var missing = g.AddNode("Max", new[] { g.AddNode("Sub", new[] { Int64s(g, "input.length", length), count }, "input.short_by"), Int64s(g, "input.none", 0) }, "input.missing");
        var pads = g.AddNode("Concat", new[] { Int64s(g, "input.pads_before", 0, 0, 0), missing }, "input.pads", OnnxGraphBuilder.Int("axis", 0));
        ids = Slice(g, g.AddNode("Pad", new[] { ids, pads }, "input.padded"), 0, length, 1, "input.sequence");
        if (words is null) return ids;
        var blank = g.AddNode("Equal", new[]
        {
            g.AddNode("Shape", new[] { words }, "input.word_count", OnnxGraphBuilder.Int("start", 1), OnnxGraphBuilder.Int("end", 2)),
            Int64s(g, "input.no_words", 0),
        }, "input.blank");
        return g.AddNode("Where", new[] { blank, Int64(g, "input.padding", Vocabulary.Padding), ids }, "input.sequence_or_empty");
    }

    /// <summary>D(x) [batch]: the discriminator's forward without dropout, then softmax's "real" class.</summary>
    private static string Score(OnnxGraphBuilder g, SeqGanDiscriminator d, string ids)
    {
        var exporter = new OnnxModuleExporter(g);
        var embedded = g.AddNode("Transpose", new[] { g.AddNode("Gather", new[] { g.AddInitializer("discriminator.embedding", d.embedding), ids }, "discriminator.embedded") },
            "discriminator.channels_first", OnnxGraphBuilder.Ints("perm", new long[] { 0, 2, 1 }));
        var timeAxis = Int64s(g, "discriminator.time_axis", 2);
        var pooled = d.convolutions.Cast<Conv1d>().Select((conv, k) =>
        {
            var path = $"discriminator.convolutions.{k}";
            var features = g.AddNode("Relu", new[] { exporter.Export(conv, embedded, path) }, $"{path}.relu");
            return g.AddNode("ReduceMax", new[] { features, timeAxis }, $"{path}.max_over_time", OnnxGraphBuilder.Int("keepdims", 0));
        }).ToArray();
        var y = g.AddNode("Concat", pooled, "discriminator.pooled", OnnxGraphBuilder.Int("axis", 1));
        // t·relu(W_H y) + (1 − t)·y, as y + t·(relu(W_H y) − y).
        var gate = g.AddNode("Sigmoid", new[] { exporter.Export(d.highway_gate, y, "discriminator.highway_gate") }, "discriminator.highway_gate.sigmoid");
        var transform = g.AddNode("Relu", new[] { exporter.Export(d.highway_lin, y, "discriminator.highway_lin") }, "discriminator.highway_lin.relu");
        var highway = g.AddNode("Add", new[] { y, g.AddNode("Mul", new[] { gate, g.AddNode("Sub", new[] { transform, y }, "discriminator.highway.delta") }, "discriminator.highway.gated") },
            "discriminator.highway");
        var probabilities = g.AddNode("Softmax", new[] { exporter.Export(d.output, highway, "discriminator.output") }, "discriminator.probabilities", OnnxGraphBuilder.Int("axis", 1));
        return g.AddNode("Gather", new[] { probabilities, Int64(g, "discriminator.real_class", 1) }, "discriminator.real", OnnxGraphBuilder.Int("axis", 1));
    }
}
