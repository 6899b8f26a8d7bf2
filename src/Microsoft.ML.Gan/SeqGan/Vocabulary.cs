using System.Security.Cryptography;
using System.Text;

namespace Microsoft.ML.Gan.SeqGan;

/// <summary>
/// The token ids SeqGAN trains on, built from the training data: id 0 is padding (also the generator's start token
/// and the end of a generated sequence), id 1 the unknown token, then the tokens from the most frequent down (ties in
/// ordinal order), at most <c>maxSize</c> ids in all. Rarer tokens map to the unknown token.
/// </summary>
internal sealed class Vocabulary
{
    public const long Padding = 0;
    public const long Unknown = 1;
    public const string PaddingToken = "<pad>";
    public const string UnknownToken = "<unk>";

    private readonly Dictionary<string, long> _ids;

    public Vocabulary(IReadOnlyList<string> tokens)
    {
        if (tokens.Count < 3 || tokens[0] != PaddingToken || tokens[1] != UnknownToken)
            throw new ArgumentException($"A vocabulary starts with {PaddingToken}, {UnknownToken} and has at least one token.", nameof(tokens));
        Tokens = tokens;
        _ids = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 2; i < tokens.Count; i++) _ids[tokens[i]] = i;
    }

    public IReadOnlyList<string> Tokens { get; }
    public int Count => Tokens.Count;

    /// <summary>The vocabulary of <paramref name="sequences"/>, with how many distinct tokens and occurrences did not fit.</summary>
    public static (Vocabulary Vocabulary, int DroppedTokens, long DroppedOccurrences) Build(IEnumerable<string[]> sequences, int maxSize)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sequence in sequences)
            foreach (var token in sequence)
                counts[token] = counts.GetValueOrDefault(token) + 1;
        var ranked = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        int kept = Math.Min(ranked.Count, maxSize - 2);
        var tokens = new[] { PaddingToken, UnknownToken }.Concat(ranked.Take(kept).Select(kv => kv.Key)).ToList();
        return (new Vocabulary(tokens), ranked.Count - kept, ranked.Skip(kept).Sum(kv => kv.Value));
    }

    /// <summary>Ids of <paramref name="tokens"/>, cut or padded to <paramref name="length"/>.</summary>
    public long[] Encode(IReadOnlyList<string> tokens, int length)
    {
        var ids = new long[length];
        for (int i = 0; i < Math.Min(length, tokens.Count); i++) ids[i] = _ids.TryGetValue(tokens[i], out var id) ? id : Unknown;
        return ids;
    }

    /// <summary>Ids of every sequence, each cut or padded to <paramref name="length"/>: a [count, length] Int64 tensor.</summary>
    public TorchSharp.torch.Tensor EncodeAll(IReadOnlyList<IReadOnlyList<string>> sequences, int length) =>
        TorchSharp.torch.tensor(sequences.SelectMany(s => Encode(s, length)).ToArray(), new long[] { sequences.Count, length });

    /// <summary>The tokens of generated ids up to the first padding.</summary>
    public IEnumerable<string> Decode(IEnumerable<long> ids) => ids.TakeWhile(id => id != Padding).Select(id => Tokens[(int)id]);

    /// <summary>A short hash of the token list, so that a checkpoint made on other data is refused.</summary>
    public string Fingerprint() =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', Tokens))))[..16];
}
