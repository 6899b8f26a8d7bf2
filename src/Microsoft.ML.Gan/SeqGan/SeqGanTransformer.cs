using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// A fitted SeqGAN. <see cref="Transform"/> adds two columns: <see cref="OutputColumnName"/>, a sequence generated for
/// each row (the same for a given training seed and row position), and <see cref="ScoreColumnName"/>, the
/// discriminator's probability that the row's input sequence is real, useful for filtering and anomaly detection.
/// <see cref="Generate"/> makes any number of new sequences.
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

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("SeqGanTransformer maps whole data views; call Transform.");

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        TokenColumn.Find(inputSchema, InputColumnName);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema.Where(c => c.Name != OutputColumnName && c.Name != ScoreColumnName));
        builder.AddColumn(OutputColumnName, TextDataViewType.Instance);
        builder.AddColumn(ScoreColumnName, NumberDataViewType.Single);
        return builder.ToSchema();
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
        var ids = Generator.Sample(count, SequenceLength, generator, _options.Temperature).data<long>().ToArray();
        return Enumerable.Range(0, count)
            .Select(i => TokenColumn.Join(_vocabulary.Decode(ids.Skip(i * SequenceLength).Take(SequenceLength)), _options.Tokenizer))
            .ToArray();
    }

    /// <summary>D's probability that <paramref name="tokens"/> (cut or padded to the sequence length) is real.</summary>
    private float Score(string[] tokens)
    {
        using var scope = NewDisposeScope();
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

    /// <summary>Not yet supported: SeqGAN models cannot be saved in this version.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("Saving a SeqGAN transformer is not supported yet; keep the CheckpointDirectory to restore the training state.");

    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
    }
}
