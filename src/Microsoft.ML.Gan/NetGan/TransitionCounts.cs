using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Core;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.NetGan;

/// <summary>
/// NetGAN's score matrix (<c>score_matrix_from_random_walks</c>, symmetric): S[u, v] counts the generated walks'
/// transitions u→v plus v→u. The official code keeps it as a sparse matrix and so does this: only the pairs some walk
/// joined are stored, once per unordered pair, so memory follows the number of distinct transitions, not N².
/// </summary>
internal sealed class TransitionCounts
{
    private readonly long _nodes;
    // S[u, v] for u ≤ v, keyed u·N + v.
    private readonly Dictionary<long, double> _upper = new();

    public TransitionCounts(int nodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        _nodes = nodes;
    }

    public int Nodes => (int)_nodes;

    /// <summary>Transitions counted so far (walks × (length − 1)).</summary>
    public long Transitions { get; private set; }

    /// <summary>Unordered pairs {u, v} with S[u, v] &gt; 0.</summary>
    public int PairCount => _upper.Count;

    /// <summary>Counts the transitions of a [count, length] tensor of node ids (any integer dtype, any device).</summary>
    public void Add(Tensor walks)
    {
        if (walks.dim() != 2) throw new ArgumentException($"Walks must be [count, length]; found [{string.Join(", ", walks.shape)}].", nameof(walks));
        long[] ids;
        // Tensor.bytes copies in one go; the element accessor (data<long>()) is far slower per element.
        using (var cpu = walks.detach().to(int64, CPU).contiguous()) ids = MemoryMarshal.Cast<byte, long>(cpu.bytes).ToArray();
        int length = (int)walks.shape[1];
        for (int start = 0; start + length <= ids.Length; start += length)
        {
            for (int k = start; k < start + length - 1; k++)
            {
                long from = ids[k], to = ids[k + 1];
                if ((ulong)from >= (ulong)_nodes || (ulong)to >= (ulong)_nodes)
                    throw new ArgumentOutOfRangeException(nameof(walks), $"Walk node {(from < 0 || from >= _nodes ? from : to)} is outside 0 … {_nodes - 1}.");
                // u→v adds one to S[u, v] and one to S[v, u]; on the diagonal both land on S[u, u].
                ref double count = ref CollectionsMarshal.GetValueRefOrAddDefault(_upper, Key(from, to), out _);
                count += from == to ? 2 : 1;
            }
        }
        Transitions += ids.Length / length * (length - 1);
    }

    public double this[int u, int v] => _upper.GetValueOrDefault(Key(u, v));

    /// <summary>
    /// A graph of <paramref name="edgeCount"/> edges assembled from S (<see cref="GraphAssembly"/>): the graph
    /// <c>GraphAssembly.FromScores(Entries(), …)</c> gives, from the pairs as stored, without listing and sorting both
    /// directions of every pair first.
    /// </summary>
    public Graph AssembleGraph(int edgeCount, GanRandom random)
    {
        var keys = new long[_upper.Count];
        var weights = new float[_upper.Count];
        int pairs = 0;
        foreach (var (key, count) in _upper)
        {
            if (key / _nodes == key % _nodes) continue; // the diagonal: no self loops
            // S[u, v] + S[v, u], summed in float32 as FromScores sums the two entries.
            (keys[pairs], weights[pairs]) = (key, (float)count + (float)count);
            pairs++;
        }
        return GraphAssembly.FromPairWeights(keys[..pairs], weights[..pairs], Nodes, edgeCount, random);
    }

    /// <summary>The non-zero entries of S in both directions, (u, v) and (v, u), in row-major order.</summary>
    public IEnumerable<(int Row, int Column, float Score)> Entries()
    {
        var entries = new List<(long Index, float Score)>(2 * _upper.Count);
        foreach (var (key, count) in _upper)
        {
            long u = key / _nodes, v = key % _nodes;
            entries.Add((key, (float)count));
            if (u != v) entries.Add((v * _nodes + u, (float)count));
        }
        entries.Sort((a, b) => a.Index.CompareTo(b.Index));
        return entries.Select(e => ((int)(e.Index / _nodes), (int)(e.Index % _nodes), e.Score));
    }

    private long Key(long u, long v) => u <= v ? u * _nodes + v : v * _nodes + u;
}
