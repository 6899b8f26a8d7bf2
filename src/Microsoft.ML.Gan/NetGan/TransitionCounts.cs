using System.Runtime.InteropServices;
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
        if (walks.dim() != 2) throw new ArgumentException($"Walks must be [count, length]; found [{string.Join(", ", walks.shape)}].", nameof(walks));
        long[] ids;
        // Tensor.bytes copies in one go; the element accessor (data<long>()) is far slower per element.
        using (var cpu = walks.detach().to(int64, CPU).contiguous()) ids = MemoryMarshal.Cast<byte, long>(cpu.bytes).ToArray();
        int length = (int)walks.shape[1];
        // Counting in place costs O(transitions); a dense bincount per batch cost O(N²) per batch (80 s per
        // evaluation of 1M walks on Cora-ML).
        for (int start = 0; start + length <= ids.Length; start += length)
        {
            for (int k = start; k < start + length - 1; k++)
            {
                long from = ids[k], to = ids[k + 1];
                if ((ulong)from >= (ulong)_nodes || (ulong)to >= (ulong)_nodes)
                    throw new ArgumentOutOfRangeException(nameof(walks), $"Walk node {(from < 0 || from >= _nodes ? from : to)} is outside 0 … {_nodes - 1}.");
                _counts[from * _nodes + to]++;
                _counts[to * _nodes + from]++;
            }
        }
        Transitions += ids.Length / length * (length - 1);
    }

    public double this[int u, int v] => _counts[u * _nodes + v];

    /// <summary>The matrix, row-major, as single precision (what the assembly and the saved scorer use).</summary>
    public float[] ToDense() => _counts.Select(c => (float)c).ToArray();
}
