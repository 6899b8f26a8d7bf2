using Microsoft.ML.Gan.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.NetGan;

/// <summary>How <see cref="NetGanGenerator.Sample(Tensor, int, Generator?, NodeDraw)"/> draws each step's node from the generator's logits.</summary>
internal enum NodeDraw
{
    /// <summary>argmax(logits + Gumbel noise): the hard <see cref="NetGanGenerator.Generate"/>'s own draws, which the
    /// critic's steps use on a GPU (<see cref="NetGanSettings.CriticWalkDraw"/>).</summary>
    GumbelMax,
    /// <summary>The same distribution by inverting each step's cumulative distribution (<see cref="Draw.FromLogits"/>): one
    /// uniform per walk and step instead of N, about twice as fast on a CPU; for evaluations and scores, and for the
    /// critic's steps on the CPU.</summary>
    InverseCdf,
}

/// <summary>
/// TensorFlow's <c>BasicLSTMCell</c>, which NetGAN's code uses: one kernel over [input, h] giving the gates in the
/// order i, j, f, o; the forget gate gets +1 before its sigmoid; no peepholes. Written with plain tensor operations so
/// that the gradient penalty can differentiate through it twice.
/// </summary>
internal sealed class BasicLstmCell : nn.Module
{
    public readonly Linear kernel;
    private readonly long _hidden;
    private readonly double _forgetBias;

    public BasicLstmCell(long inputSize, long hiddenSize, double forgetBias = 1.0) : base(nameof(BasicLstmCell))
    {
        kernel = nn.Linear(inputSize + hiddenSize, 4 * hiddenSize);
        (_hidden, _forgetBias) = (hiddenSize, forgetBias);
        RegisterComponents();
    }

    public long HiddenSize => _hidden;

    public (Tensor H, Tensor C) Step(Tensor input, Tensor h, Tensor c)
    {
        var gates = kernel.forward(cat(new[] { input, h }, 1)).chunk(4, 1);
        var (i, j, f, o) = (gates[0], gates[1], gates[2], gates[3]);
        var newC = c * (f + _forgetBias).sigmoid() + i.sigmoid() * j.tanh();
        return (newC.tanh() * o.sigmoid(), newC);
    }
}

/// <summary>
/// NetGAN's generator (<c>generator_recurrent</c>, non-legacy): z → dense tanh → (h₀, c₀) by two dense tanh layers;
/// each step the LSTM's output is projected to node logits by W_up, a straight-through Gumbel-softmax picks a node
/// (one-hot), and W_down embeds that node as the next input. Returns [batch, walk length, N] one-hot walks.
/// </summary>
internal sealed class NetGanGenerator : nn.Module
{
    public readonly Linear intermediate, initial_h, initial_c;
    public readonly BasicLstmCell lstm;
    public readonly Parameter W_up, W_up_bias, W_down;

    public NetGanGenerator(long nodes, long noiseSize = 16, long hiddenSize = 40, long embeddingSize = 128) : base(nameof(NetGanGenerator))
    {
        Nodes = nodes;
        NoiseSize = noiseSize;
        EmbeddingSize = embeddingSize;
        intermediate = nn.Linear(noiseSize, hiddenSize);
        initial_h = nn.Linear(hiddenSize, hiddenSize);
        initial_c = nn.Linear(hiddenSize, hiddenSize);
        lstm = new BasicLstmCell(embeddingSize, hiddenSize);
        W_up = new Parameter(empty(hiddenSize, nodes));
        W_up_bias = new Parameter(zeros(nodes));
        W_down = new Parameter(empty(nodes, embeddingSize));
        RegisterComponents();
    }

    public long Nodes { get; }
    public long NoiseSize { get; }
    public long EmbeddingSize { get; }

    /// <summary>Walks of <paramref name="length"/> nodes from noise <paramref name="z"/> [batch, NoiseSize].</summary>
    public Tensor Generate(Tensor z, int length, double temperature, bool hard = true, Generator? generator = null)
    {
        var shared = intermediate.forward(z).tanh();
        var h = initial_h.forward(shared).tanh();
        var c = initial_c.forward(shared).tanh();
        var input = zeros(z.shape[0], EmbeddingSize, device: z.device);
        var steps = new List<Tensor>(length);
        for (int t = 0; t < length; t++)
        {
            (h, c) = lstm.Step(input, h, c);
            var logits = h.matmul(W_up) + W_up_bias;
            var node = GumbelSoftmax.Sample(logits, temperature, hard, generator);
            input = node.matmul(W_down);
            steps.Add(node);
        }
        return stack(steps, 1);
    }

    /// <summary>
    /// Walks as node ids [count, length] (int64), from the distribution of the hard <see cref="Generate"/>, without
    /// building the [count, length, N] one-hot tensor or keeping any step's [count, N] intermediates. No gradient flows.
    /// With <see cref="NodeDraw.GumbelMax"/> (the default) they are the same draws as the hard <see cref="Generate"/>
    /// (argmax of logits plus Gumbel noise; the softmax and τ do not move the argmax); <see cref="NodeDraw.InverseCdf"/>
    /// draws from the same distribution faster. On the CPU the rows go in blocks of about 4 MB per [rows, N] tensor
    /// (<see cref="CpuBlockElements"/>), each block walked to the end before the next; a block's draws then come before
    /// the next block's, so a count above one block draws other walks than <see cref="Generate"/> would.
    /// </summary>
    public Tensor Sample(Tensor z, int length, Generator? generator = null, NodeDraw draw = NodeDraw.GumbelMax) =>
        Sample(z, length, generator, z.device.type == DeviceType.CPU ? Math.Max(1, CpuBlockElements / Nodes) : z.shape[0], draw);

    /// <summary><see cref="Sample(Tensor, int, Generator?, NodeDraw)"/> in blocks of <paramref name="block"/> rows.</summary>
    internal Tensor Sample(Tensor z, int length, Generator? generator, long block, NodeDraw draw = NodeDraw.GumbelMax)
    {
        long count = z.shape[0];
        if (count <= block) return SampleBlock(z, length, generator, draw);
        using var scope = NewDisposeScope();
        var blocks = new List<Tensor>();
        for (long start = 0; start < count; start += block)
            blocks.Add(SampleBlock(z.narrow(0, start, Math.Min(block, count - start)), length, generator, draw));
        return cat(blocks, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Elements of one [rows, N] float tensor in a CPU sampling block (4 MiB). Larger tensors are served by fresh
    /// memory maps that are faulted in page by page on every use: on the 2-core machine of BENCHMARKS.md, 30,000
    /// Cora-ML walks took 170 s in blocks of 10,000 rows (112 MB tensors) and 8.8 s in blocks of 356.
    /// </summary>
    internal const long CpuBlockElements = 1 << 20;

    private Tensor SampleBlock(Tensor z, int length, Generator? generator, NodeDraw draw)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var shared = intermediate.forward(z).tanh();
        var h = initial_h.forward(shared).tanh();
        var c = initial_c.forward(shared).tanh();
        var input = zeros(z.shape[0], EmbeddingSize, device: z.device);
        var nodes = new List<Tensor>(length);
        for (int t = 0; t < length; t++)
        {
            using var stepScope = NewDisposeScope();
            (h, c) = lstm.Step(input, h, c);
            var logits = h.matmul(W_up) + W_up_bias;
            var node = draw == NodeDraw.GumbelMax
                ? (logits + GumbelSoftmax.Noise(logits, generator)).argmax(-1)
                : Draw.FromLogits(logits, generator);
            input = W_down.index_select(0, node);
            (h, c, input) = (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope(), input.MoveToOuterDisposeScope());
            nodes.Add(node.MoveToOuterDisposeScope());
        }
        return stack(nodes, 1).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// NetGAN's critic (<c>discriminator_recurrent</c>): one-hot walk · W_down → LSTM (zero initial state) → a linear
/// score of the last output. <see cref="forward"/> takes [batch, length, N] walks; training splits it into
/// <see cref="EmbedNodes"/> (or <see cref="Embed"/>) and <see cref="Score"/>, because a one-hot row times W_down is
/// a row of W_down: walks given as node ids skip the [batch · length, N] × [N, 128] product.
/// </summary>
internal sealed class NetGanDiscriminator : nn.Module<Tensor, Tensor>
{
    public readonly Parameter W_down;
    public readonly BasicLstmCell lstm;
    public readonly Linear output;

    public NetGanDiscriminator(long nodes, long hiddenSize = 30, long embeddingSize = 128) : base(nameof(NetGanDiscriminator))
    {
        W_down = new Parameter(empty(nodes, embeddingSize));
        lstm = new BasicLstmCell(embeddingSize, hiddenSize);
        output = nn.Linear(hiddenSize, 1);
        RegisterComponents();
    }

    /// <param name="walks">[batch, length, N] one-hot (or relaxed) walks.</param>
    public override Tensor forward(Tensor walks) => Score(Embed(walks));

    /// <summary>[batch, length, N] one-hot (or relaxed) walks · W_down: [batch, length, embedding].</summary>
    public Tensor Embed(Tensor walks) =>
        walks.reshape(-1, walks.shape[2]).matmul(W_down).reshape(walks.shape[0], walks.shape[1], -1);

    /// <summary>
    /// What <see cref="Embed"/> gives for the one-hot form of <paramref name="walks"/> (node ids, int64 [batch,
    /// length]): the rows of W_down they pick, with the same gradient for W_down.
    /// </summary>
    public Tensor EmbedNodes(Tensor walks) =>
        W_down.index_select(0, walks.flatten()).reshape(walks.shape[0], walks.shape[1], -1);

    /// <summary>The LSTM and the output layer over embedded walks [batch, length, embedding]: one score per walk.</summary>
    public Tensor Score(Tensor embedded)
    {
        long batch = embedded.shape[0], length = embedded.shape[1];
        var h = zeros(batch, lstm.HiddenSize, device: embedded.device);
        var c = zeros(batch, lstm.HiddenSize, device: embedded.device);
        for (long t = 0; t < length; t++) (h, c) = lstm.Step(embedded[.., t], h, c);
        return output.forward(h).squeeze(1);
    }
}
