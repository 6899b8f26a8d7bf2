using static TorchSharp.torch;

namespace Microsoft.ML.Gan.NetGan;

/// <summary>
/// NetGAN's score matrix (<c>score_matrix_from_random_walks</c>, symmetric): S[u, v] counts the generated walks'
/// transitions u→v plus v→u. Dense N×N, which is what limits NetGAN to graphs of some ten thousand nodes.
/// </summary>
internal sealed class TransitionCounts
{
    private readonly long _nodes;
    private readonly double[] _counts;

    public TransitionCounts(int nodes)
    {
        _nodes = nodes;
        _counts = new double[(long)nodes * nodes];
    }

    public int Nodes => (int)_nodes;
    public long Transitions { get; private set; }

    /// <summary>Adds the transitions of walks [count, length] of node ids.</summary>
    public void Add(Tensor walks)
    {
        using var scope = NewDisposeScope();
        var w = walks.cpu().to(int64);
        var from = w[.., ..^1].flatten();
        var to = w[.., 1..].flatten();
        var index = cat(new[] { from * _nodes + to, to * _nodes + from });
        var counts = bincount(index, minlength: _nodes * _nodes).to(float64);
        var added = counts.data<double>();
        for (long i = 0; i < added.Count; i++) _counts[i] += added[i];
        Transitions += from.shape[0];
    }

    public double this[int u, int v] => _counts[u * _nodes + v];

    /// <summary>The matrix, row-major, as single precision (what the assembly and the saved scorer use).</summary>
    public float[] ToDense() => _counts.Select(c => (float)c).ToArray();
}
