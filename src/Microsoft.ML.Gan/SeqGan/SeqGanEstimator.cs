using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.SeqGan;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>How <see cref="SeqGanEstimator"/> splits a Text column into tokens.</summary>
public enum SeqGanTokenizer
{
    /// <summary>One token per character (Unicode scalar), e.g. Chinese poems; generated text is the characters concatenated.</summary>
    Characters,
    /// <summary>Tokens separated by white space, e.g. words or music written as pitch numbers; generated text joins them with spaces.</summary>
    Whitespace,
}

/// <summary>
/// Trains SeqGAN (Yu et al., AAAI 2017) on token sequences: an LSTM generator is pretrained by maximum likelihood,
/// then trained as a policy whose reward is a CNN discriminator's probability that the sequence is real, estimated
/// by Monte-Carlo rollouts. The fitted <see cref="SeqGanTransformer"/> adds a generated sequence to every row and the
/// discriminator's probability that the row's input is real, and saves with <c>mlContext.Model.Save</c> as a model that
/// loads without this library.
/// </summary>
/// <remarks>
/// The input column is Text (split by <see cref="Options.Tokenizer"/>), a vector of Text (tokens, e.g. from
/// <c>TokenizeIntoWords</c>) or a vector of keys (e.g. from <c>MapValueToKey</c>). The vocabulary is built from the
/// training rows: padding, an unknown token and then the most frequent tokens, at most
/// <see cref="Options.MaxVocabularySize"/> in all; rarer tokens become the unknown token (the log says how many).
/// Sequences are cut or padded to <see cref="Options.SequenceLength"/>; rows without any token are left out.
/// Networks, losses, rollout and schedule follow the authors' TensorFlow code (its defaults are the defaults here).
/// </remarks>
public sealed class SeqGanEstimator : IEstimator<SeqGanTransformer>
{
    /// <summary>Options of <see cref="SeqGanEstimator"/>; the defaults are the official code's.</summary>
    public sealed class Options : GanTrainerOptions
    {
        /// <summary>Column the transformer adds: one generated sequence per row, as text.</summary>
        public string OutputColumnName = "Generated";
        /// <summary>The training column: Text, a vector of Text, or a vector of keys.</summary>
        public string InputColumnName = "Text";
        /// <summary>Column the transformer adds: the discriminator's probability that the row's input is real (Single).</summary>
        public string ScoreColumnName = "Score";
        /// <summary>How a Text input column is split into tokens.</summary>
        public SeqGanTokenizer Tokenizer = SeqGanTokenizer.Whitespace;
        /// <summary>Tokens per sequence; longer rows are cut, shorter ones padded (paper: 20). At least 2.</summary>
        public int SequenceLength = 20;
        /// <summary>Most token ids, padding and the unknown token included (paper: 5,000); rarer tokens become the unknown token.</summary>
        public int MaxVocabularySize = 5000;
        /// <summary>Token embedding size of the generator (paper: 32).</summary>
        public int EmbeddingSize = 32;
        /// <summary>LSTM units of the generator (paper: 32).</summary>
        public int HiddenSize = 32;
        /// <summary>Token embedding size of the discriminator (paper: 64).</summary>
        public int DiscriminatorEmbeddingSize = 64;
        /// <summary>Maximum-likelihood epochs over the training sequences before adversarial training (paper: 120).</summary>
        public int PretrainEpochs = 120;
        /// <summary>Discriminator pretraining rounds, each on fresh generated negatives for <see cref="DiscriminatorEpochsPerRound"/> epochs (paper: 50).</summary>
        public int DiscriminatorPretrainRounds = 50;
        /// <summary>
        /// Adversarial rounds: one policy-gradient generator step, then <see cref="AdversarialDiscriminatorRounds"/> ×
        /// <see cref="DiscriminatorEpochsPerRound"/> discriminator epochs on fresh negatives (paper: 200).
        /// </summary>
        public int AdversarialRounds = 200;
        /// <summary>Discriminator epochs over each set of fresh negatives (as many as the training rows) (paper's code: 3).</summary>
        public int DiscriminatorEpochsPerRound = 3;
        /// <summary>Sets of fresh negatives the discriminator trains on in each adversarial round (paper's code: 5).</summary>
        public int AdversarialDiscriminatorRounds = 5;
        /// <summary>Monte-Carlo completions per prefix behind each token's reward (paper: 16).</summary>
        public int RolloutCount = 16;
        /// <summary>Sequences per step (paper: 64); the training data needs at least this many non-empty rows.</summary>
        public int BatchSize = 64;
        /// <summary>Sampling temperature of the transformer's generated sequences (training samples at 1, as the paper).</summary>
        public double Temperature = 1.0;
        /// <summary>Adam's learning rate for the generator, in pretraining and adversarial training (paper: 0.01).</summary>
        public double GeneratorLearningRate = 0.01;
        /// <summary>Adam's learning rate for the discriminator (paper: 1e-4).</summary>
        public double DiscriminatorLearningRate = 1e-4;
        /// <summary>
        /// On a GPU, replay the discriminator's update (forward with dropout, backward, Adam) and the generator's MLE
        /// update (with its gradient clipping) each as one captured CUDA graph instead of launching their kernels one by
        /// one: they are 98 % and 2 % of SeqGAN's training steps at the paper's settings (the adversarial generator steps,
        /// with their rollouts, stay eager). Null (the default): on wherever the GPU's libtorch exports the graph API, off
        /// on the CPU; true on the CPU is an error. On an H200 the graphed updates matched the eager ones step by step,
        /// and a discriminator update took 2.2 ms against 9.8 eager (BENCHMARKS.md, "GPU (H200, 2026-11-27, third GPU
        /// session)").
        /// </summary>
        public bool? CudaGraphs;

        /// <summary>The discriminator's windows and filter counts (tests use smaller ones); windows longer than the sequence are left out.</summary>
        internal IReadOnlyList<(int Window, int Filters)> DiscriminatorFilters = SeqGanDiscriminator.OfficialFilters;

        internal Options Clone() => (Options)MemberwiseClone();

        /// <param name="vocabulary">The vocabulary built from the training text: its size and fingerprint.</param>
        internal SeqGanSettings ToSettings(Vocabulary vocabulary) => new()
        {
            VocabularySize = vocabulary.Count, SequenceLength = SequenceLength, EmbeddingSize = EmbeddingSize,
            HiddenSize = HiddenSize, DiscriminatorEmbeddingSize = DiscriminatorEmbeddingSize, BatchSize = BatchSize,
            PretrainEpochs = PretrainEpochs, DiscriminatorPretrainRounds = DiscriminatorPretrainRounds,
            AdversarialRounds = AdversarialRounds, RolloutCount = RolloutCount,
            DiscriminatorEpochsPerRound = DiscriminatorEpochsPerRound, AdversarialDiscriminatorRounds = AdversarialDiscriminatorRounds,
            DiscriminatorFilters = DiscriminatorFilters,
            GeneratorLearningRate = GeneratorLearningRate, DiscriminatorLearningRate = DiscriminatorLearningRate,
            DataFingerprint = vocabulary.Fingerprint(), FlatAdam = FlatAdam, CudaGraphs = CudaGraphs,
        };
    }

    private readonly GanEnvironment _env;
    private readonly Options _options;

    internal SeqGanEstimator(IHostEnvironment env, Options options)
    {
        _env = new GanEnvironment(env, "SeqGan");
        // A copy: the user's object may change after this (the next run's settings), and the checks below and the
        // fitted transformer must see the options as they were here.
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        Validate(_options);
    }

    private static void Validate(Options o)
    {
        void Require(bool ok, string name, object value, string expected) => GanTrainerOptions.Require("SeqGAN", ok, name, value, expected);
        Require(!string.IsNullOrWhiteSpace(o.InputColumnName), nameof(o.InputColumnName), o.InputColumnName, "a column name");
        Require(!string.IsNullOrWhiteSpace(o.OutputColumnName), nameof(o.OutputColumnName), o.OutputColumnName, "a column name");
        Require(!string.IsNullOrWhiteSpace(o.ScoreColumnName) && o.ScoreColumnName != o.OutputColumnName, nameof(o.ScoreColumnName), o.ScoreColumnName,
            "a column name other than OutputColumnName");
        Require(Enum.IsDefined(o.Tokenizer), nameof(o.Tokenizer), o.Tokenizer, "Characters or Whitespace");
        Require(o.SequenceLength >= 2, nameof(o.SequenceLength), o.SequenceLength, "2 or more (a sequence needs a prefix and a next token)");
        Require(o.MaxVocabularySize >= 3, nameof(o.MaxVocabularySize), o.MaxVocabularySize, "3 or more (padding, the unknown token and one token)");
        Require(o.EmbeddingSize >= 1, nameof(o.EmbeddingSize), o.EmbeddingSize, "1 or more");
        Require(o.HiddenSize >= 1, nameof(o.HiddenSize), o.HiddenSize, "1 or more");
        Require(o.DiscriminatorEmbeddingSize >= 1, nameof(o.DiscriminatorEmbeddingSize), o.DiscriminatorEmbeddingSize, "1 or more");
        Require(o.PretrainEpochs >= 0, nameof(o.PretrainEpochs), o.PretrainEpochs, "0 or more");
        Require(o.DiscriminatorPretrainRounds >= 0, nameof(o.DiscriminatorPretrainRounds), o.DiscriminatorPretrainRounds, "0 or more");
        Require(o.AdversarialRounds >= 0, nameof(o.AdversarialRounds), o.AdversarialRounds, "0 or more");
        Require(o.PretrainEpochs + o.DiscriminatorPretrainRounds + o.AdversarialRounds > 0, nameof(o.PretrainEpochs), o.PretrainEpochs,
            "some training: PretrainEpochs, DiscriminatorPretrainRounds and AdversarialRounds are all 0");
        Require(o.DiscriminatorEpochsPerRound >= 1, nameof(o.DiscriminatorEpochsPerRound), o.DiscriminatorEpochsPerRound, "1 or more");
        Require(o.AdversarialDiscriminatorRounds >= 0, nameof(o.AdversarialDiscriminatorRounds), o.AdversarialDiscriminatorRounds, "0 or more");
        Require(o.RolloutCount >= 1, nameof(o.RolloutCount), o.RolloutCount, "1 or more");
        Require(o.BatchSize >= 1, nameof(o.BatchSize), o.BatchSize, "1 or more");
        Require(o.Temperature > 0 && double.IsFinite(o.Temperature), nameof(o.Temperature), o.Temperature, "a positive number");
        Require(o.GeneratorLearningRate > 0, nameof(o.GeneratorLearningRate), o.GeneratorLearningRate, "a positive rate");
        Require(o.DiscriminatorLearningRate > 0, nameof(o.DiscriminatorLearningRate), o.DiscriminatorLearningRate, "a positive rate");
        o.CheckTrainerOptions();
    }

    /// <summary>Checks the input column and returns the schema the transformer will produce (a Text and a Single column added).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = inputSchema.FirstOrDefault(c => c.Name == _options.InputColumnName);
        if (input.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_options.InputColumnName}' was not found.");
        bool ok = input.ItemType is TextDataViewType || input.ItemType is KeyDataViewType && input.Kind != SchemaShape.Column.VectorKind.Scalar;
        if (!ok)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Input column '{_options.InputColumnName}' has type {input.ItemType} ({input.Kind}); expected Text, a vector of Text (tokens) or a vector of keys.");
        // SchemaShape.Column has no public constructor; ML.NET's CustomMapping reports the columns of a class, which
        // the schema definition renames.
        var added = SchemaDefinition.Create(typeof(AddedColumns));
        added[nameof(AddedColumns.Generated)].ColumnName = _options.OutputColumnName;
        added[nameof(AddedColumns.Score)].ColumnName = _options.ScoreColumnName;
        return new MLContext().Transforms.CustomMapping<NoColumns, AddedColumns>((_, _) => { }, null, outputSchemaDefinition: added)
            .GetOutputSchema(inputSchema);
    }

    private sealed class NoColumns;

    private sealed class AddedColumns
    {
        public string Generated { get; set; } = "";
        public float Score { get; set; }
    }

    /// <summary>Reads the training sequences, builds the vocabulary, trains (or resumes) and returns the fitted transformer.</summary>
    public SeqGanTransformer Fit(IDataView input)
    {
        var (sequences, rows, emptyRows) = TokenColumn.ReadAll(input, _options.InputColumnName, _options.Tokenizer, _options.CancellationToken);
        CheckRows(sequences.Count, rows, emptyRows);
        var (vocabulary, droppedTokens, droppedOccurrences) = Vocabulary.Build(sequences, _options.MaxVocabularySize);
        using (var ch = _env.Host.Start("Vocabulary"))
        {
            ch.Info(MessageSensitivity.None, $"SeqGAN: {sequences.Count} sequences ({emptyRows} empty rows left out), vocabulary of {vocabulary.Count} ids.");
            if (droppedTokens > 0)
                ch.Info(MessageSensitivity.None, $"SeqGAN: {droppedTokens} rarer distinct tokens ({droppedOccurrences} occurrences) exceed MaxVocabularySize {_options.MaxVocabularySize} and become '{Vocabulary.UnknownToken}'.");
        }
        var settings = _options.ToSettings(vocabulary);
        var device = _env.ResolveDevice();
        if (SeqGanModel.UsesCudaGraphs(settings, device))
            using (var ch = _env.Host.Start("Training"))
                ch.Info(MessageSensitivity.None, "SeqGAN: the discriminator's and the MLE updates are replayed as CUDA graphs (option CudaGraphs).");
        long seed = _env.NextSeed();
        using var real = vocabulary.EncodeAll(sequences, _options.SequenceLength);
        var model = new SeqGanModel(settings, real, null, device, seed);
        try
        {
            new GanTrainingLoop(_env.Host, _options.ToLoopOptions()).Run(model, seed);
            return new SeqGanTransformer(_env.Environment, _options.Clone(), input.Schema[TokenColumn.Find(input.Schema, _options.InputColumnName).Index].Type,
                vocabulary, model.Generator, model.Discriminator, seed);
        }
        catch
        {
            model.Generator.Dispose();
            model.Discriminator.Dispose();
            throw;
        }
        finally
        {
            model.Dispose();
        }
    }

    private void CheckRows(int sequences, long rows, long emptyRows)
    {
        string column = _options.InputColumnName;
        if (rows == 0)
            throw new ArgumentException($"The training data has no rows; SeqGAN needs at least {nameof(Options.BatchSize)} ({_options.BatchSize}) sequences in column '{column}'.", "input");
        if (sequences == 0)
            throw new ArgumentException($"Every one of the {rows} rows of input column '{column}' is empty or white space; SeqGAN needs token sequences to learn from.", "input");
        if (sequences < _options.BatchSize)
            throw new ArgumentException(
                $"Input column '{column}' has {sequences} non-empty rows ({emptyRows} empty), fewer than one batch of {nameof(Options.BatchSize)} = {_options.BatchSize}; " +
                "add rows or lower BatchSize.", "input");
    }
}
