namespace Microsoft.ML.Gan.Core;

/// <summary>
/// The training loop's own random source (xoshiro256**): data order, crops, flips and history-pool draws.
/// Unlike <see cref="Random"/>, its whole state is four numbers, so a checkpoint can store and restore it exactly.
/// </summary>
internal sealed class GanRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public GanRandom(long seed)
    {
        // SplitMix64 spreads one seed over the four state words, as the xoshiro authors recommend.
        ulong x = unchecked((ulong)seed);
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Must be positive.");
        return (int)(NextDouble() * maxExclusive);
    }

    /// <summary>A seed for another generator (e.g. a torch.Generator) drawn from this one.</summary>
    /// <remarks>52 bits, so that a double (a checkpoint scalar) holds it exactly.</remarks>
    public long NextSeed() => (long)(NextUInt64() >> 12);

    /// <summary>A uniformly shuffled 0..count−1 (Fisher–Yates).</summary>
    public int[] Permutation(int count)
    {
        var p = Enumerable.Range(0, count).ToArray();
        for (int i = count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    public ulong[] GetState() => new[] { _s0, _s1, _s2, _s3 };

    public void SetState(IReadOnlyList<ulong> state)
    {
        if (state.Count != 4) throw new InvalidDataException($"A random state has 4 words; found {state.Count}.");
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }
}
