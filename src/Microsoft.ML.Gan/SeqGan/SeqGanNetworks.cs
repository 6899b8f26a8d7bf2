using Microsoft.ML.Gan.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.SeqGan;

/// <summary>
/// The LSTM cell of the official SeqGAN code (<c>create_recurrent_unit</c>): input, forget and output gates and the
/// candidate memory, each with its own W (input), U (hidden) and b, no peepholes and no forget-gate bias offset.
/// Parameters are named as in the code.
/// </summary>
internal sealed class SeqGanLstmCell : nn.Module
{
    public readonly Parameter Wi, Ui, bi, Wf, Uf, bf, Wog, Uog, bog, Wc, Uc, bc;

    public SeqGanLstmCell(long inputSize, long hiddenSize) : base(nameof(SeqGanLstmCell))
    {
        Parameter Matrix(long rows) => new(empty(rows, hiddenSize));
        Parameter Vector() => new(empty(hiddenSize));
        (Wi, Ui, bi) = (Matrix(inputSize), Matrix(hiddenSize), Vector());
        (Wf, Uf, bf) = (Matrix(inputSize), Matrix(hiddenSize), Vector());
        (Wog, Uog, bog) = (Matrix(inputSize), Matrix(hiddenSize), Vector());
        (Wc, Uc, bc) = (Matrix(inputSize), Matrix(hiddenSize), Vector());
        HiddenSize = hiddenSize;
        RegisterComponents();
    }

    public long HiddenSize { get; }

    /// <summary>One step: (h, c) after reading <paramref name="x"/> [batch, input].</summary>
    public (Tensor H, Tensor C) Step(Tensor x, Tensor h, Tensor c)
    {
        var i = (x.matmul(Wi) + h.matmul(Ui) + bi).sigmoid();
        var f = (x.matmul(Wf) + h.matmul(Uf) + bf).sigmoid();
        var o = (x.matmul(Wog) + h.matmul(Uog) + bog).sigmoid();
        var candidate = (x.matmul(Wc) + h.matmul(Uc) + bc).tanh();
        var newC = f * c + i * candidate;
        return (o * newC.tanh(), newC);
    }
}

/// <summary>
/// SeqGAN's generator G_θ (official <c>generator.py</c>): token embedding → LSTM → output layer (logits over the
/// vocabulary). Every sequence starts from the embedding of the start token 0, and h₀ = c₀ = 0. The oracle of the
/// synthetic experiment is the same network with other weights (<see cref="OracleLstm"/>).
/// </summary>
internal sealed class SeqGanGenerator : nn.Module
{
    /// <summary>The official code feeds token 0 as the first input (START_TOKEN).</summary>
    public const long StartToken = 0;
    /// <summary>The official code clips probabilities to [1e-20, 1] before the log.</summary>
    private static readonly double MinLogProbability = Math.Log(1e-20);

    public readonly Parameter g_embeddings;
    public readonly SeqGanLstmCell lstm;
    public readonly Parameter Wo, bo;

    public SeqGanGenerator(long vocabularySize, long embeddingSize = 32, long hiddenSize = 32) : base(nameof(SeqGanGenerator))
    {
        g_embeddings = new Parameter(empty(vocabularySize, embeddingSize));
        lstm = new SeqGanLstmCell(embeddingSize, hiddenSize);
        Wo = new Parameter(empty(hiddenSize, vocabularySize));
        bo = new Parameter(empty(vocabularySize));
        VocabularySize = vocabularySize;
        RegisterComponents();
    }

    public long VocabularySize { get; }

    /// <summary>Every weight and bias ~ N(0, <paramref name="std"/>): 0.1 for the generator, 1 for the oracle.</summary>
    public void InitNormal(double std, Generator generator)
    {
        using var _ = no_grad();
        foreach (var p in parameters()) p.normal_(0, std, generator);
    }

    private Device Device => Wo.device;

    private (Tensor H, Tensor C, Tensor Input) Start(long batch)
    {
        var h = zeros(batch, lstm.HiddenSize, device: Device);
        var start = full(batch, StartToken, dtype: int64, device: Device);
        return (h, h, g_embeddings.index_select(0, start));
    }

    private Tensor Output(Tensor h) => h.matmul(Wo) + bo;

    /// <summary>
    /// Teacher-forced logits [batch, length, V] of <paramref name="x"/> [batch, length] (the code's
    /// <c>_pretrain_recurrence</c>): step t reads token t − 1 (the start token at t = 0).
    /// </summary>
    public Tensor Logits(Tensor x)
    {
        var (h, c, input) = Start(x.shape[0]);
        var embedded = g_embeddings.index_select(0, x.flatten()).reshape(x.shape[0], x.shape[1], -1);
        var steps = new List<Tensor>((int)x.shape[1]);
        for (long t = 0; t < x.shape[1]; t++)
        {
            (h, c) = lstm.Step(input, h, c);
            steps.Add(h);
            input = embedded[.., t];
        }
        // One output product for all steps: the [*, V] projection is the expensive part.
        return Output(stack(steps, 1));
    }

    /// <summary>log G(x_t | x_&lt;t) [batch, length], clipped below at log 1e-20 as the official losses clip.</summary>
    public Tensor TokenLogProbabilities(Tensor x) =>
        nn.functional.log_softmax(Logits(x), -1).gather(-1, x.unsqueeze(-1)).squeeze(-1).clamp_min(MinLogProbability);

    /// <summary>The pretraining loss: mean −log G(x_t | x_&lt;t) over tokens (the code's <c>pretrain_loss</c>).</summary>
    public Tensor MaximumLikelihoodLoss(Tensor x) => -TokenLogProbabilities(x).mean();

    /// <summary><paramref name="count"/> sequences of <paramref name="length"/> tokens [count, length] (int64), no gradient.</summary>
    public Tensor Sample(long count, int length, Generator? generator, double temperature = 1.0) =>
        Complete(zeros(count, 0, dtype: int64, device: Device), length, generator, temperature);

    /// <summary>
    /// Keeps the first <c>prefix.shape[1]</c> tokens of each row of <paramref name="prefix"/> and samples the rest up to
    /// <paramref name="length"/> (the rollout network's two recurrences: given tokens, then multinomial draws).
    /// </summary>
    public Tensor Complete(Tensor prefix, int length, Generator? generator, double temperature = 1.0)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        long batch = prefix.shape[0], given = prefix.shape[1];
        var (h, c, input) = Start(batch);
        for (long t = 0; t < given; t++)
        {
            (h, c) = lstm.Step(input, h, c);
            input = g_embeddings.index_select(0, prefix[.., t]);
        }
        var tokens = new List<Tensor> { prefix };
        for (long t = given; t < length; t++)
        {
            // A step's [batch, V] logits and probabilities go when it ends; kept to the end they would take
            // batch × V × length floats (16 GB for the oracle's 9,984 sequences over 5,000 tokens).
            using var step = NewDisposeScope();
            (h, c) = lstm.Step(input, h, c);
            var logits = Output(h);
            if (temperature != 1.0) logits = logits / temperature;
            var next = Draw.Categorical(nn.functional.softmax(logits, -1), generator);
            input = g_embeddings.index_select(0, next).MoveToOuterDisposeScope();
            (h, c) = (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
            tokens.Add(next.unsqueeze(1).MoveToOuterDisposeScope());
        }
        return cat(tokens, 1).MoveToOuterDisposeScope();
    }
    /// <summary>
    /// For every prefix length <paramref name="shortest"/> … <paramref name="longest"/> (within 1 … length − 1) of each
    /// row of <paramref name="x"/> [batch, length], <paramref name="copies"/> completions drawn as <see cref="Complete"/>
    /// draws them: [prefix lengths · copies · batch, length], ordered by prefix length, then copy, then row. The
    /// prefixes' states come from one teacher-forced pass over <paramref name="x"/> (the state that draws token t is
    /// the one that read token t − 1), and all completions advance together, those of longer prefixes dropping off
    /// the end of the batch as they finish: for all prefix lengths, 2·length − 1 LSTM steps where completing each
    /// prefix length on its own takes length² (which made the rollout launch-bound on a GPU).
    /// </summary>
    public Tensor CompletePrefixes(Tensor x, int shortest, int longest, int copies, Generator? generator)
    {
        long batch = x.shape[0];
        int length = (int)x.shape[1];
        if (shortest < 1 || shortest > longest || longest > length - 1)
            throw new ArgumentOutOfRangeException(nameof(longest), $"Expected 1 ≤ shortest ≤ longest ≤ {length - 1}; found {shortest} and {longest}.");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        int groups = longest - shortest + 1;
        long hidden = lstm.HiddenSize, rowsPerGroup = copies * batch;
        var (h, c, input) = Start(batch);
        var states = new List<(Tensor H, Tensor C)>(groups);
        for (int t = 0; t <= longest; t++)
        {
            (h, c) = lstm.Step(input, h, c);
            if (t >= shortest) states.Add((h, c));
            if (t < longest) input = g_embeddings.index_select(0, x[.., t]);
        }
        Tensor Rows(Func<(Tensor H, Tensor C), Tensor> part) =>
            stack(states.Select(part), 0).unsqueeze(1).expand(groups, copies, batch, hidden).reshape(-1, hidden);
        var (hRows, cRows) = (Rows(s => s.H), Rows(s => s.C));
        var completed = x.unsqueeze(0).expand(groups * copies, batch, length).reshape(-1, length).clone();
        var position = arange(groups * rowsPerGroup, dtype: int64, device: Device).div(rowsPerGroup, RoundingMode.floor) + shortest;
        Tensor? previous = null;
        for (int k = 0; k < length - shortest; k++)
        {
            using var step = NewDisposeScope();
            // Group g (prefix length shortest + g) draws position shortest + g + k while that is inside the sequence,
            // so the groups still drawing are the first ones.
            int active = (int)(Math.Min(groups, length - shortest - k) * rowsPerGroup);
            if (previous is not null)
            {
                (hRows, cRows) = lstm.Step(g_embeddings.index_select(0, previous[..active]), hRows[..active], cRows[..active]);
                // Out of this step's scope into the method's (the first step's states are the method's already).
                (hRows, cRows) = (hRows.MoveToOuterDisposeScope(), cRows.MoveToOuterDisposeScope());
            }
            var next = DrawNext(hRows, generator);
            completed[..active].scatter_(1, (position[..active] + k).unsqueeze(1), next.unsqueeze(1));
            previous = next.MoveToOuterDisposeScope();
        }
        return completed.MoveToOuterDisposeScope();
    }

    /// <summary>One token per row of the states <paramref name="h"/>, drawn in chunks of at most 2²⁴ logits.</summary>
    private Tensor DrawNext(Tensor h, Generator? generator)
    {
        long rows = h.shape[0], chunk = Math.Max(1, (1L << 24) / VocabularySize);
        if (rows <= chunk) return Draw.Categorical(nn.functional.softmax(Output(h), -1), generator);
        var parts = new List<Tensor>();
        for (long start = 0; start < rows; start += chunk)
        {
            using var part = NewDisposeScope();
            var slice = h[TensorIndex.Slice(start, Math.Min(start + chunk, rows))];
            parts.Add(Draw.Categorical(nn.functional.softmax(Output(slice), -1), generator).MoveToOuterDisposeScope());
        }
        return cat(parts, 0);
    }
}

/// <summary>
/// The oracle of the synthetic experiment (official <c>target_lstm.py</c>): an LSTM shaped like the generator with
/// every weight and bias ~ N(0, 1), drawn here from a fixed seed (the official code ships its draws as a pickle).
/// It provides the "real" data and scores generated sequences by <see cref="NllOracle"/>.
/// </summary>
internal sealed class OracleLstm : IDisposable
{
    public OracleLstm(long vocabularySize, long seed, long embeddingSize = 32, long hiddenSize = 32)
    {
        Network = new SeqGanGenerator(vocabularySize, embeddingSize, hiddenSize);
        using var generator = new Generator((ulong)seed);
        Network.InitNormal(1.0, generator);
        Network.eval();
    }

    public SeqGanGenerator Network { get; }

    public OracleLstm To(Device device)
    {
        Network.to(device);
        return this;
    }

    /// <summary>Sequences from the oracle's distribution [count, length].</summary>
    public Tensor Sample(long count, int length, Generator? generator) => Network.Sample(count, length, generator);

    /// <summary>
    /// NLL-oracle (paper §4): the oracle's mean −log p(x_t | x_&lt;t) per token of <paramref name="sequences"/>, in nats
    /// (the code's <c>target_loss</c>: batches of equal size, so the mean of batch means is this mean). Computed in
    /// batches of <paramref name="batchSize"/> so that the [batch, length, V] logits stay small.
    /// </summary>
    public double NllOracle(Tensor sequences, int batchSize = 1024)
    {
        using var _ = no_grad();
        double sum = 0;
        for (long start = 0; start < sequences.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = sequences[TensorIndex.Slice(start, Math.Min(start + batchSize, sequences.shape[0]))].to(Network.Wo.device);
            var logits = Network.Logits(batch);
            sum -= nn.functional.log_softmax(logits, -1).gather(-1, batch.unsqueeze(-1)).sum().item<float>();
        }
        return sum / sequences.numel();
    }

    public void Dispose() => Network.Dispose();
}

/// <summary>
/// SeqGAN's discriminator (official <c>discriminator.py</c>, after Kim 2014 and Zhang &amp; LeCun 2015): embedding →
/// parallel convolutions over the whole embedding with several window sizes → ReLU → max over time → one highway
/// layer → dropout → linear to two classes (fake, real).
/// </summary>
internal sealed class SeqGanDiscriminator : nn.Module<Tensor, Tensor>
{
    /// <summary>The official window sizes and filter counts (1,720 feature maps) for sequences of 20 tokens.</summary>
    public static readonly (int Window, int Filters)[] OfficialFilters =
    {
        (1, 100), (2, 200), (3, 200), (4, 200), (5, 200), (6, 100), (7, 100), (8, 100), (9, 100), (10, 100), (15, 160), (20, 160),
    };

    public readonly Parameter embedding;
    public readonly ModuleList<Conv1d> convolutions;
    public readonly Linear highway_lin, highway_gate;
    public readonly Linear output;
    private readonly double _keepProbability;

    /// <param name="vocabularySize">Tokens in the vocabulary (ids 0 … V − 1): the rows of the embedding (official: 5,000).</param>
    /// <param name="sequenceLength">Tokens per sequence (official: 20); it decides which windows fit.</param>
    /// <param name="embeddingSize">Width of the discriminator's own token embedding (official <c>dis_embedding_dim</c>: 64).</param>
    /// <param name="filters">Window sizes and filter counts; windows longer than <paramref name="sequenceLength"/> are left out.</param>
    /// <param name="keepProbability">Dropout keep probability in training (official: 0.75).</param>
    public SeqGanDiscriminator(long vocabularySize, int sequenceLength, long embeddingSize = 64,
        IReadOnlyList<(int Window, int Filters)>? filters = null, double keepProbability = 0.75) : base(nameof(SeqGanDiscriminator))
    {
        Filters = (filters ?? OfficialFilters).Where(f => f.Window <= sequenceLength).ToArray();
        if (Filters.Count == 0) throw new ArgumentException($"No window fits sequences of {sequenceLength} tokens.", nameof(filters));
        long features = Filters.Sum(f => f.Filters);
        embedding = new Parameter(empty(vocabularySize, embeddingSize));
        convolutions = nn.ModuleList(Filters.Select(f => nn.Conv1d(embeddingSize, f.Filters, f.Window)).ToArray());
        highway_lin = nn.Linear(features, features);
        highway_gate = nn.Linear(features, features);
        output = nn.Linear(features, 2);
        _keepProbability = keepProbability;
        RegisterComponents();
    }

    public IReadOnlyList<(int Window, int Filters)> Filters { get; }

    /// <summary>
    /// The official initialisation: embedding U(−1, 1); convolution and output weights truncated N(0, 0.1) (cut at 2σ),
    /// their biases 0.1; the highway's matrices and biases Glorot-uniform (tf.get_variable's default, which for a
    /// vector takes fan-in = fan-out = its length).
    /// </summary>
    public void InitOfficial(Generator generator)
    {
        using var _ = no_grad();
        embedding.uniform_(-1, 1, generator);
        foreach (var layer in convolutions.Cast<Conv1d>().Select(c => (c.weight!, c.bias!)).Append((output.weight!, output.bias!)))
        {
            TruncatedNormal(layer.Item1, 0.1, generator);
            layer.Item2.fill_(0.1);
        }
        foreach (var p in highway_lin.parameters().Concat(highway_gate.parameters()))
        {
            long fanSum = p.dim() == 1 ? 2 * p.shape[0] : p.shape[0] + p.shape[1];
            double limit = Math.Sqrt(6.0 / fanSum);
            p.uniform_(-limit, limit, generator);
        }
    }

    /// <summary>
    /// tf.truncated_normal: N(0, σ) with draws beyond 2σ drawn again. (TorchSharp's trunc_normal_ ignores its
    /// generator, so it cannot give seeded weights.)
    /// </summary>
    private static void TruncatedNormal(Tensor target, double std, Generator generator)
    {
        using var scope = NewDisposeScope();
        var values = randn(target.shape, generator: generator);
        for (var outside = values.abs() > 2; outside.any().item<bool>(); outside = values.abs() > 2)
            values = where(outside, randn(target.shape, generator: generator), values);
        target.copy_(values * std);
    }

    /// <summary>Class logits [batch, 2] (index 1 = real) of token sequences [batch, length], without dropout.</summary>
    public override Tensor forward(Tensor x) => Logits(x, dropout: false, null);

    /// <summary>The logits with the training dropout, its mask drawn from <paramref name="generator"/> (null: the device's default).</summary>
    public Tensor TrainingLogits(Tensor x, Generator? generator) => Logits(x, dropout: true, generator);

    /// <summary>D(x): the probability that each sequence is real [batch].</summary>
    public Tensor ProbabilityReal(Tensor x) => nn.functional.softmax(forward(x), -1)[.., 1];

    private Tensor Logits(Tensor x, bool dropout, Generator? generator)
    {
        // [batch, length, E] → [batch, E, length]: a convolution over the whole embedding is the code's
        // [window, E] conv2d with VALID padding.
        var embedded = embedding.index_select(0, x.flatten()).reshape(x.shape[0], x.shape[1], -1).transpose(1, 2);
        bool matrixProduct = embedded.device_type == DeviceType.CPU;
        var pooled = cat(convolutions.Cast<Conv1d>().Select(conv => WindowFeatures(conv, embedded, matrixProduct)).ToArray(), 1);
        // Highway (Srivastava et al.) with the code's gate bias 0: t·relu(W_H y) + (1 − t)·y.
        var transform = highway_gate.forward(pooled).sigmoid();
        var h = transform * highway_lin.forward(pooled).relu() + (1 - transform) * pooled;
        if (dropout && _keepProbability < 1)
        {
            // tf.nn.dropout: keep with probability p and scale the kept units by 1/p.
            var keep = Draw.Uniform(h.shape, h, generator) < _keepProbability;
            h = h * keep / _keepProbability;
        }
        return output.forward(h);
    }

    /// <summary>
    /// One window size's features [batch, filters]: max over time of relu(convolution) of <paramref name="embedded"/>
    /// [batch, E, length]. With <paramref name="asMatrixProduct"/> (the CPU's way) the convolution is computed as one
    /// matrix product over the whole batch: every window of the sequence as a row of E·w values, times the filters as
    /// an [E·w, filters] matrix, which is what the convolution computes. libtorch's CPU convolution without oneDNN
    /// (which CPU training keeps off) multiplies sample by sample: with it the discriminator's update took 1.5× and the
    /// generator's rollout step 1.7–2.0× as long (BENCHMARKS.md, "SeqGAN's discriminator on the CPU"). On a GPU the
    /// convolution runs as it is (cuDNN).
    /// </summary>
    internal static Tensor WindowFeatures(Conv1d conv, Tensor embedded, bool asMatrixProduct)
    {
        if (!asMatrixProduct) return conv.forward(embedded).relu().amax(new long[] { 2 });
        return Layers.ConvolutionAsMatrixProduct(conv, embedded, stride: 1).relu().amax(new long[] { 1 });
    }

    /// <summary>The code's L2 term, tf.nn.l2_loss(W) + tf.nn.l2_loss(b) of the output layer (Σv²/2 each).</summary>
    public Tensor OutputL2() => (output.weight!.pow(2).sum() + output.bias!.pow(2).sum()) / 2;
}
