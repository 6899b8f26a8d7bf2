using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.Onnx;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// A fitted SeqGAN. <see cref="Transform"/> adds two columns: <see cref="OutputColumnName"/>, a sequence generated for
/// each row (the same for a given training seed and row position), and <see cref="ScoreColumnName"/>, the
/// discriminator's probability that the row's input sequence is real, useful for filtering and anomaly detection.
/// <see cref="Generate"/> makes any number of new sequences. <c>mlContext.Model.Save</c> writes a model that loads
/// without this library (ML.NET's tokenizers, MapValueToKey and ONNX), with the same scores and samples from the same
/// distribution; see <see cref="ICanSaveModel.Save"/> for how its sampling randomness differs.
/// </summary>
public sealed class SeqGanTransformer : ITransformer, IDisposable
{
    private readonly IHostEnvironment _env;
    private readonly SeqGanEstimator.Options _options;
    private readonly Vocabulary _vocabulary;
    private readonly long _seed;
    private readonly GanRandom _random;

    internal SeqGanTransformer(IHostEnvironment env, SeqGanEstimator.Options options, DataViewType inputType, Vocabulary vocabulary,
        SeqGanGenerator generator, SeqGanDiscriminator discriminator, long seed)
    {
        (_env, _options, InputType, _vocabulary, _seed) = (env, options, inputType, vocabulary, seed);
        _random = new GanRandom(seed);
        // Per-row draws come from seeded CPU generators (TorchSharp's Generator is CPU-only), so the fitted networks
        // sample and score on the CPU.
        Generator = generator;
        Discriminator = discriminator;
        Generator.to(CPU).eval();
        Discriminator.to(CPU).eval();
    }

    internal SeqGanGenerator Generator { get; }
    internal SeqGanDiscriminator Discriminator { get; }
    internal DataViewType InputType { get; }

    /// <summary>The training column.</summary>
    public string InputColumnName => _options.InputColumnName;
    /// <summary>The generated-text column added.</summary>
    public string OutputColumnName => _options.OutputColumnName;
    /// <summary>The score column added: D's probability that the input row is real.</summary>
    public string ScoreColumnName => _options.ScoreColumnName;
    /// <summary>Tokens per generated sequence (at most; a generated padding token ends a sequence early).</summary>
    public int SequenceLength => _options.SequenceLength;
    /// <summary>The vocabulary: id 0 padding ("&lt;pad&gt;"), id 1 the unknown token ("&lt;unk&gt;"), then tokens from the most frequent.</summary>
    public IReadOnlyList<string> Vocabulary => _vocabulary.Tokens;

    /// <summary>False: use <see cref="Transform"/>.</summary>
    public bool IsRowToRowMapper => false;

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("SeqGanTransformer maps whole data views; call Transform.");

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        TokenColumn.Find(inputSchema, InputColumnName);
        // As Transform builds it: a column the output replaces stays, hidden, at its index.
        return MappedDataView.WithColumn(MappedDataView.WithColumn(inputSchema, OutputColumnName, TextDataViewType.Instance),
            ScoreColumnName, NumberDataViewType.Single);
    }

    /// <summary>Adds the generated sequence and the score of each row, computed lazily as cursors ask for them.</summary>
    public IDataView Transform(IDataView input)
    {
        var column = TokenColumn.Find(input.Schema, InputColumnName);
        var generated = new MappedDataView(input, OutputColumnName, TextDataViewType.Instance, row =>
            (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = GenerateForRow(row.Position).AsMemory()));
        return new MappedDataView(generated, ScoreColumnName, NumberDataViewType.Single, row =>
        {
            var read = TokenColumn.Reader(row, row.Schema[column.Index], _options.Tokenizer);
            return (ValueGetter<float>)((ref float value) => value = Score(read()));
        }, InputColumnName);
    }

    /// <summary>The sequence of row <paramref name="position"/>: drawn from a generator seeded by the training seed and the position.</summary>
    private string GenerateForRow(long position)
    {
        using var generator = new Generator((ulong)new GanRandom(_seed + position).NextSeed());
        return Sample(1, generator)[0];
    }

    private string[] Sample(int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        var ids = Generator.Sample(count, SequenceLength, generator, _options.Temperature).data<long>().ToArray();
        return Enumerable.Range(0, count)
            .Select(i => TokenColumn.Join(_vocabulary.Decode(ids.Skip(i * SequenceLength).Take(SequenceLength)), _options.Tokenizer))
            .ToArray();
    }

    /// <summary>D's probability that <paramref name="tokens"/> (cut or padded to the sequence length) is real.</summary>
    private float Score(string[] tokens)
    {
        using var scope = NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        using var _ = no_grad();
        var ids = tensor(_vocabulary.Encode(tokens, SequenceLength), new long[] { 1, SequenceLength });
        return Discriminator.ProbabilityReal(ids).item<float>();
    }

    /// <summary>D's probability that a text (split by the training tokenizer) is real.</summary>
    public float Score(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Score(TokenColumn.Split(text, _options.Tokenizer));
    }

    private sealed class GeneratedRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>
    /// <paramref name="count"/> new sequences, one per row of a single Text column named <see cref="OutputColumnName"/>.
    /// Successive calls continue one seeded stream, so a program that makes the same calls gets the same sequences.
    /// </summary>
    public IDataView Generate(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Ask for at least one sequence.");
        var texts = new List<string>(count);
        using (var generator = new Generator((ulong)_random.NextSeed()))
            for (int done = 0; done < count; done += 1024)
                texts.AddRange(Sample(Math.Min(1024, count - done), generator));
        var definition = SchemaDefinition.Create(typeof(GeneratedRow));
        definition[0].ColumnName = OutputColumnName;
        return new MLContext().Data.LoadFromEnumerable(texts.Select(t => new GeneratedRow { Text = t }).ToList(), definition);
    }

    /// <summary>
    /// Writes the networks as one ONNX model (opset 20): input <c>keys</c> [batch, n] UInt32 (token ids − 1, 0 for an
    /// unknown token) and, for the character tokenizer, <c>words</c> [batch, m] String; outputs
    /// <see cref="OutputColumnName"/> [batch] String, <see cref="ScoreColumnName"/> [batch] Single and
    /// <c>sampled_ids</c> [batch, SequenceLength] Int64. Sampling randomness is as in the saved model (see
    /// <see cref="ICanSaveModel.Save"/>).
    /// </summary>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OnnxGraph("keys", "words").Save(path);
    }

    private OnnxGraphBuilder OnnxGraph(string keysInput, string wordsInput, bool noiseInput = false) =>
        SeqGanOnnx.Build(Generator, Discriminator, _vocabulary.Tokens, _options.Tokenizer, SequenceLength, _options.Temperature, OnnxSeed,
            keysInput, wordsInput, OutputColumnName, ScoreColumnName, noiseInput);

    /// <summary>The saved model's sampling seed, from the training seed; below 2^24 because ONNX keeps it as a float.</summary>
    internal long OnnxSeed => new GanRandom(_seed).NextSeed() & 0xFFFFFF;

    /// <summary>The ONNX graph with the uniforms as an input (<see cref="SeqGanOnnx.NoiseInput"/>), for tests.</summary>
    internal byte[] OnnxBytesWithNoiseInput() => OnnxGraph("keys", "words", noiseInput: true).ToBytes();

    /// <summary>
    /// Saves an equivalent chain of ML.NET's own transformers (ML.NET gives third parties no way to store their own
    /// weights in a model zip), which a process without Microsoft.ML.Gan loads with <c>mlContext.Model.Load</c>: the
    /// row's text is split as in training (<c>TokenizeIntoWords</c> on white space, or <c>TokenizeIntoCharactersAsKeys</c>
    /// and <c>MapKeyToValue</c>), <c>MapValueToKey</c> over the vocabulary gives the token ids (a token outside it is
    /// the unknown token, as in training), and <c>ApplyOnnxModel</c> runs both networks (<see cref="ExportOnnx"/>).
    /// </summary>
    /// <remarks>
    /// <para>Differences from <see cref="Transform"/>, all forced by ML.NET 5's OnnxTransformer, which cannot give a
    /// scalar column and has no row position: the two columns are vectors of one value (Text and Single), and the
    /// generated sequence of a row is drawn from ONNX Runtime's RandomUniformLike with a seed fixed at save time. A
    /// freshly loaded model gives the same samples to the same rows read in the same order by one cursor; each further
    /// read continues the stream (new samples), and parallel cursors share it. The samples come from the same
    /// distribution as <see cref="Transform"/>'s, not the same random numbers. The score is the same as
    /// <see cref="Score(string)"/>'s (to float rounding), except that the character tokenizer splits UTF-16 code
    /// units there: a character outside the Basic Multilingual Plane (an emoji) reads as two unknown tokens.</para>
    /// <para>The input column must be Text or a vector of Text; for a key column, apply <c>MapKeyToValue</c> before
    /// SeqGAN to save the model.</para>
    /// </remarks>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)SavedEquivalent()).Save(ctx);

    /// <summary>Every white-space character <see cref="string.Split(char[])"/> splits on, for <c>TokenizeIntoWords</c>.</summary>
    private static readonly char[] WhiteSpace = Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsWhiteSpace).ToArray();

    internal ITransformer SavedEquivalent()
    {
        if (InputType is not (TextDataViewType or VectorDataViewType { ItemType: TextDataViewType }))
            throw new NotSupportedException(
                $"Input column '{InputColumnName}' is {InputType}; a saved SeqGAN model reads Text or a vector of Text. Apply MapKeyToValue before SeqGAN to save the model.");
        var ml = new MLContext();
        string tokens = $"{OutputColumnName}.tokens", keys = $"{OutputColumnName}.keys", words = $"{OutputColumnName}.words", characters = $"{OutputColumnName}.characters";
        var temporary = new List<string> { tokens, keys };
        bool splitCharacters = _options.Tokenizer == SeqGanTokenizer.Characters && InputType is TextDataViewType;
        IEstimator<ITransformer> split;
        if (splitCharacters)
        {
            temporary.AddRange(new[] { characters, words });
            split = ml.Transforms.Text.TokenizeIntoCharactersAsKeys(characters, InputColumnName, useMarkerCharacters: false)
                .Append(ml.Transforms.Conversion.MapKeyToValue(tokens, characters))
                // Training reads a row of white space only as empty; the graph needs the row's word count to do the same.
                .Append(ml.Transforms.Text.TokenizeIntoWords(words, InputColumnName, WhiteSpace));
        }
        else
        {
            // Training splits a vector's items no further, only leaves out blank ones; splitting them on white space
            // does that too, and differs only for an item with white space inside.
            split = ml.Transforms.Text.TokenizeIntoWords(tokens, InputColumnName, WhiteSpace);
        }
        var keyData = ml.Data.LoadFromEnumerable(_vocabulary.Tokens.Skip(2).Select(t => new TokenRow { Token = t }).ToList());
        var onnxInputs = _options.Tokenizer == SeqGanTokenizer.Characters ? new[] { keys, splitCharacters ? words : tokens } : new[] { keys };
        var bytes = OnnxGraph(keys, onnxInputs.Length > 1 ? onnxInputs[1] : words).ToBytes();
        IEstimator<ITransformer> onnx;
        try
        {
            onnx = ml.Transforms.ApplyOnnxModel(new[] { OutputColumnName, ScoreColumnName }, onnxInputs, new MemoryStream(bytes));
        }
        catch (TypeInitializationException e) when (e.InnerException is DllNotFoundException)
        {
            // This library references ONNX Runtime's managed part only, so that an application picks CPU or GPU.
            throw new InvalidOperationException(
                "Saving a SeqGAN model checks its ONNX graph with ONNX Runtime, whose native library was not found: reference the NuGet package " +
                "Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu in the application.", e);
        }
        var pipeline = split
            .Append(ml.Transforms.Conversion.MapValueToKey(keys, tokens, keyData: keyData))
            .Append(onnx)
            .Append(ml.Transforms.DropColumns(temporary.ToArray()));
        return pipeline.Fit(SchemaOnlyData.Create(InputColumnName, InputType));
    }

    private sealed class TokenRow
    {
        public string Token { get; set; } = "";
    }

    /// <summary>Frees the networks' native memory.</summary>
    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
    }
}
