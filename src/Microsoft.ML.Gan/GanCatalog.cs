using Microsoft.ML.Runtime;

namespace Microsoft.ML.Gan
{
    /// <summary>
    /// The generative adversarial networks of Microsoft.ML.Gan, reached as <c>mlContext.Transforms.Gan()</c> or
    /// <c>mlContext.Gan()</c>.
    /// </summary>
    public sealed class GanCatalog
    {
        internal GanCatalog(IHostEnvironment environment) =>
            Environment = environment ?? throw new ArgumentNullException(nameof(environment));

        internal IHostEnvironment Environment { get; }

        /// <summary>
        /// Trains a CycleGAN that translates images between two unpaired domains.
        /// </summary>
        /// <param name="outputColumnName">The column that receives the translation (same kind and size as the input).</param>
        /// <param name="inputColumnName">An image column (ML.NET image, or a vector of 3×H×W Single values in [−1, 1]).</param>
        /// <param name="domainColumnName">A Boolean column: false = domain A, true = domain B.</param>
        /// <param name="epochs">Epochs in all: the first half at the constant rate, the second half decaying to zero (paper: 200).</param>
        /// <param name="batchSize">Images per step (paper: 1).</param>
        /// <example>
        /// <code>
        /// var pipeline = mlContext.Transforms.LoadImages("Image", imageFolder, "Path")
        ///     .Append(mlContext.Transforms.ResizeImages("Image", 64, 64))
        ///     .Append(mlContext.Transforms.Gan().CycleGan("Translated", "Image", "IsTwitter", epochs: 20));
        /// var model = pipeline.Fit(data);
        /// </code>
        /// </example>
        public CycleGanEstimator CycleGan(string outputColumnName, string inputColumnName, string domainColumnName, int epochs = 200, int batchSize = 1)
        {
            if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "CycleGAN needs at least one epoch.");
            return CycleGan(new CycleGanEstimator.Options
            {
                OutputColumnName = outputColumnName,
                InputColumnName = inputColumnName,
                DomainColumnName = domainColumnName,
                Epochs = (epochs + 1) / 2,
                DecayEpochs = epochs / 2,
                BatchSize = batchSize,
            });
        }

        /// <summary>
        /// Trains NetGAN on an undirected graph given as an edge list; the transformer scores node pairs (link prediction).
        /// </summary>
        /// <param name="sourceColumnName">Column of edge sources (integer node ids from 0).</param>
        /// <param name="targetColumnName">Column of edge targets.</param>
        /// <param name="scoreColumnName">Column the transformer adds: the link score of the row's pair.</param>
        /// <param name="maxIterations">Training iterations at most (paper: 50,000; stops earlier at edge overlap 0.5).</param>
        /// <example>
        /// <code>
        /// var edges = mlContext.Data.LoadFromTextFile&lt;Edge&gt;("cora_ml_lcc.edges", separatorChar: '\t');
        /// var model = mlContext.Transforms.Gan().NetGan("Source", "Target", "Score").Fit(edges);
        /// var scored = model.Transform(candidatePairs);
        /// </code>
        /// </example>
        public NetGanEstimator NetGan(string sourceColumnName, string targetColumnName, string scoreColumnName, int maxIterations = 50_000) =>
            NetGan(new NetGanEstimator.Options
            {
                SourceColumnName = sourceColumnName,
                TargetColumnName = targetColumnName,
                ScoreColumnName = scoreColumnName,
                MaxIterations = maxIterations,
            });

        /// <summary>
        /// Trains WaveGAN, which learns to generate raw audio like the clips of <paramref name="inputColumnName"/>; the
        /// transformer turns latent vectors into waveforms and scores clips with the critic.
        /// </summary>
        /// <param name="outputColumnName">The column of generated waveforms (a vector of 16,384 Single values in [−1, 1]).</param>
        /// <param name="inputColumnName">The training clips: a vector of 16,384 Single values, as <see cref="LoadAudio"/> makes them.</param>
        /// <param name="epochs">Passes of the critic over the clips (5 batches per generator update).</param>
        /// <param name="batchSize">Clips per batch (paper: 64).</param>
        /// <param name="modelSize">d, the width of both networks (paper: 64; 8–16 trains in reasonable time on a CPU).</param>
        /// <example>
        /// <code>
        /// var pipeline = mlContext.Transforms.Gan().LoadAudio("Audio", "digits", "Path")
        ///     .Append(mlContext.Transforms.Gan().WaveGan("Waveform", "Audio", epochs: 50));
        /// var model = pipeline.Fit(files).LastTransformer;
        /// AudioFile.WriteWavs(model.Generate(16), "Waveform", "generated");
        /// </code>
        /// </example>
        public WaveGanEstimator WaveGan(string outputColumnName, string inputColumnName, int epochs = 100, int batchSize = 64, int modelSize = 64) =>
            WaveGan(new WaveGanEstimator.Options
            {
                OutputColumnName = outputColumnName,
                InputColumnName = inputColumnName,
                Epochs = epochs,
                BatchSize = batchSize,
                ModelSize = modelSize,
            });

        /// <summary>
        /// Trains WaveGAN with every option spelled out, or the paper's SpecGAN with
        /// <see cref="WaveGanEstimator.Options.Architecture"/> = <see cref="WaveGanArchitecture.SpecGan"/>.
        /// </summary>
        /// <example>
        /// <code>
        /// var estimator = mlContext.Transforms.Gan().WaveGan(new WaveGanEstimator.Options
        /// {
        ///     InputColumnName = "Audio", ModelSize = 16, BatchSize = 32, Epochs = 20, CheckpointDirectory = "checkpoints",
        /// });
        /// var specGan = mlContext.Transforms.Gan().WaveGan(new WaveGanEstimator.Options
        /// {
        ///     Architecture = WaveGanArchitecture.SpecGan, InputColumnName = "Audio", ModelSize = 16, Epochs = 20,
        /// });
        /// </code>
        /// </example>
        public WaveGanEstimator WaveGan(WaveGanEstimator.Options options) => new(Environment, options);

        /// <summary>
        /// Decodes a column of audio file paths (WAV, AIFF or OGG Vorbis) into a column of clips, as WaveGAN's official loader
        /// does: channels averaged to mono, resampled to <paramref name="sampleRate"/>, divided by the file's peak, the
        /// first <paramref name="sliceLength"/> samples, zero-padded. Usable in any pipeline.
        /// </summary>
        /// <param name="outputColumnName">The column of clips added: a vector of <paramref name="sliceLength"/> Single values in [−1, 1].</param>
        /// <param name="audioFolder">The folder relative paths start from; null for the current folder.</param>
        /// <param name="inputColumnName">A text column of file paths.</param>
        /// <param name="sampleRate">Samples per second of the clips; files at other rates are resampled.</param>
        /// <param name="sliceLength">Samples per clip (WaveGAN: 16,384, about 1 s at 16 kHz).</param>
        /// <example>
        /// <code>
        /// var files = mlContext.Data.LoadFromEnumerable(Directory.GetFiles("digits", "*.wav").Select(p => new { Path = p }));
        /// var clips = mlContext.Transforms.Gan().LoadAudio("Audio", null, "Path").Fit(files).Transform(files);
        /// </code>
        /// </example>
        public AudioLoadingEstimator LoadAudio(string outputColumnName, string? audioFolder, string inputColumnName, int sampleRate = 16000, int sliceLength = 16384) =>
            new(outputColumnName, inputColumnName, audioFolder, sampleRate, sliceLength);

        /// <summary>Trains NetGAN with every option spelled out.</summary>
        /// <example>
        /// <code>
        /// var estimator = mlContext.Transforms.Gan().NetGan(new NetGanEstimator.Options
        /// {
        ///     StoppingCriterion = NetGanStoppingCriterion.ValidationLinkPrediction, CheckpointDirectory = "checkpoints",
        /// });
        /// </code>
        /// </example>
        public NetGanEstimator NetGan(NetGanEstimator.Options options) => new(Environment, options);

        /// <summary>
        /// Trains SeqGAN on a column of token sequences; the transformer adds a generated sequence per row and the
        /// discriminator's probability that the row's input is real.
        /// </summary>
        /// <param name="outputColumnName">Column the transformer adds: a generated sequence per row, as text.</param>
        /// <param name="inputColumnName">The training column: Text, a vector of Text (tokens) or a vector of keys.</param>
        /// <param name="scoreColumnName">Column the transformer adds: the discriminator's probability that the row's input is real.</param>
        /// <param name="tokenizer">How a Text column is split: characters (e.g. Chinese poems) or white space (words, pitch numbers).</param>
        /// <param name="sequenceLength">Tokens per sequence; rows are cut or padded to it (paper: 20).</param>
        /// <param name="adversarialRounds">Adversarial rounds after 120 MLE epochs and 50 discriminator rounds (paper: 200).</param>
        /// <example>
        /// <code>
        /// var poems = mlContext.Data.LoadFromTextFile&lt;Poem&gt;("poems.txt");
        /// var model = mlContext.Transforms.Gan().SeqGan("Generated", "Text", tokenizer: SeqGanTokenizer.Characters).Fit(poems);
        /// var samples = model.Generate(10);
        /// </code>
        /// </example>
        public SeqGanEstimator SeqGan(string outputColumnName, string inputColumnName, string scoreColumnName = "Score",
            SeqGanTokenizer tokenizer = SeqGanTokenizer.Whitespace, int sequenceLength = 20, int adversarialRounds = 200) =>
            SeqGan(new SeqGanEstimator.Options
            {
                OutputColumnName = outputColumnName,
                InputColumnName = inputColumnName,
                ScoreColumnName = scoreColumnName,
                Tokenizer = tokenizer,
                SequenceLength = sequenceLength,
                AdversarialRounds = adversarialRounds,
            });

        /// <summary>Trains SeqGAN with every option spelled out.</summary>
        /// <example>
        /// <code>
        /// var estimator = mlContext.Transforms.Gan().SeqGan(new SeqGanEstimator.Options
        /// {
        ///     InputColumnName = "Melody", OutputColumnName = "Generated", SequenceLength = 32,
        ///     PretrainEpochs = 50, AdversarialRounds = 100, CheckpointDirectory = "checkpoints",
        /// });
        /// </code>
        /// </example>
        public SeqGanEstimator SeqGan(SeqGanEstimator.Options options) => new(Environment, options);

        /// <summary>Trains a CycleGAN with every option spelled out.</summary>
        /// <example>
        /// <code>
        /// var estimator = mlContext.Transforms.Gan().CycleGan(new CycleGanEstimator.Options
        /// {
        ///     InputColumnName = "Image", DomainColumnName = "IsTwitter", OutputColumnName = "Translated",
        ///     Epochs = 10, DecayEpochs = 10, ResidualBlocks = 6, CheckpointDirectory = "checkpoints",
        /// });
        /// </code>
        /// </example>
        public CycleGanEstimator CycleGan(CycleGanEstimator.Options options) => new(Environment, options);
    }
}

namespace Microsoft.ML
{
    using System.Reflection;
    using Microsoft.ML.Gan;

    /// <summary>Entry points to <see cref="GanCatalog"/>, as ML.NET's own add-on catalogs have them.</summary>
    public static class GanCatalogExtensions
    {
        /// <summary>The GAN catalog of this context.</summary>
        public static GanCatalog Gan(this MLContext mlContext) =>
            new(mlContext ?? throw new ArgumentNullException(nameof(mlContext)));

        /// <summary>The GAN catalog, next to ML.NET's own transforms.</summary>
        public static GanCatalog Gan(this TransformsCatalog catalog)
        {
            ArgumentNullException.ThrowIfNull(catalog);
            // TransformsCatalog keeps its environment internal (dotnet/machinelearning #4911): it is the catalog's
            // one field of type IHostEnvironment.
            var field = typeof(TransformsCatalog).GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
                .FirstOrDefault(f => f.FieldType == typeof(IHostEnvironment));
            if (field?.GetValue(catalog) is not IHostEnvironment env)
                throw new NotSupportedException("This version of ML.NET hides the catalog's environment; use mlContext.Gan() instead.");
            return new GanCatalog(env);
        }
    }
}
