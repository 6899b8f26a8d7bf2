using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.SeqGan;

/// <summary>
/// SeqGAN's Monte-Carlo rollout (paper eq. 4; official <c>rollout.py</c>): the reward of token t of a generated
/// sequence is the discriminator's mean P(real) over <c>rolloutCount</c> completions of its first t + 1 tokens, and
/// the reward of the last token is D of the sequence itself.
/// </summary>
/// <remarks>
/// The official <c>ROLLOUT</c> keeps "delayed" parameters β ← r·β + (1 − r)·θ with r = 0.8, but its sampling graph is
/// built once in the constructor from <c>tf.identity</c> reads of the generator's variables, and
/// <c>update_params</c> only builds new, unused tensors; so every rollout of the official run samples from the
/// <em>current</em> generator (as the paper's Algorithm 1 does, β ← θ). <see cref="UpdateRate"/> 0 (the default)
/// reproduces that. A positive rate keeps a real delayed copy updated as <c>update_params</c> writes it (the
/// embeddings are always taken from the generator, as there); it is offered for experiments, not used by the paper.
/// </remarks>
internal sealed class Rollout : IDisposable
{
    private readonly SeqGanGenerator _generator;
    private readonly SeqGanGenerator? _delayed;

    public Rollout(SeqGanGenerator generator, double updateRate = 0)
    {
        if (updateRate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(updateRate), updateRate, "Expected a rate in [0, 1).");
        _generator = generator;
        UpdateRate = updateRate;
        if (updateRate > 0)
        {
            _delayed = new SeqGanGenerator(generator.VocabularySize, generator.g_embeddings.shape[1], generator.lstm.HiddenSize);
            _delayed.to(generator.Wo.device);
            CopyFromGenerator();
        }
    }

    public double UpdateRate { get; }

    /// <summary>The network that completes prefixes: the generator itself, or the delayed copy.</summary>
    public SeqGanGenerator Policy => _delayed ?? _generator;

    /// <summary>The delayed copy, when there is one (a checkpoint stores it).</summary>
    public SeqGanGenerator? Delayed => _delayed;

    private void CopyFromGenerator()
    {
        using var _ = no_grad();
        foreach (var (target, source) in _delayed!.parameters().Zip(_generator.parameters())) target.copy_(source);
    }

    /// <summary>The code's <c>update_params</c>, called after each adversarial generator step.</summary>
    public void Update()
    {
        if (_delayed is null) return;
        using var _ = no_grad();
        foreach (var ((name, target), source) in _delayed.named_parameters().Zip(_generator.parameters()))
        {
            if (name == nameof(SeqGanGenerator.g_embeddings)) target.copy_(source);
            else target.mul_(UpdateRate).add_(source, alpha: 1 - UpdateRate);
        }
    }

    /// <summary>
    /// Rewards [batch, length] in [0, 1] for <paramref name="samples"/> [batch, length]. The completions of
    /// <paramref name="prefixesPerPass"/> prefix lengths and all rollouts are drawn together
    /// (<see cref="SeqGanGenerator.CompletePrefixes"/>) and scored in chunks; D scores without dropout.
    /// </summary>
    /// <param name="samples">Generated sequences [batch, length] of int64 token ids, on the device of the networks.</param>
    /// <param name="rolloutCount">Completions drawn per prefix, whose scores are averaged (the official run uses 16).</param>
    /// <param name="discriminator">Scores the completed sequences; its P(real) is the reward.</param>
    /// <param name="generator">Draws the completions' tokens: a CPU generator for a reproducible CPU run; null, the
    /// device's default generator (on a GPU, where TorchSharp offers no CUDA generator).</param>
    /// <param name="prefixesPerPass">By default all of them on a GPU, where the step is launch-bound, and one on the
    /// CPU, where it is arithmetic-bound and all at once only grows the working set (the paper's size took 5.5 GiB
    /// that way, against 0.8 GiB one prefix length at a time).</param>
    public Tensor Rewards(Tensor samples, int rolloutCount, SeqGanDiscriminator discriminator, Generator? generator, int? prefixesPerPass = null)
    {
        if (rolloutCount < 1) throw new ArgumentOutOfRangeException(nameof(rolloutCount), rolloutCount, "Expected 1 or more rollouts.");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        long batch = samples.shape[0];
        int length = (int)samples.shape[1];
        int perPass = prefixesPerPass ?? (samples.device.type == DeviceType.CUDA ? length - 1 : 1);
        var scores = new List<Tensor>();
        for (int shortest = 1; shortest < length; shortest += perPass)
        {
            using var pass = NewDisposeScope();
            var completed = Policy.CompletePrefixes(samples, shortest, Math.Min(length - 1, shortest + perPass - 1), rolloutCount, generator);
            for (long start = 0; start < completed.shape[0]; start += ScoringChunk)
            {
                var chunk = completed[TensorIndex.Slice(start, Math.Min(start + ScoringChunk, completed.shape[0]))];
                scores.Add(discriminator.ProbabilityReal(chunk).MoveToOuterDisposeScope());
            }
        }
        // Row order: prefix length, then rollout, then sample.
        var prefixRewards = cat(scores, 0).reshape(length - 1, rolloutCount, batch).mean(new long[] { 1 }).t();
        return cat(new[] { prefixRewards, discriminator.ProbabilityReal(samples).unsqueeze(1) }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Completed sequences per discriminator call: bounds its feature maps (about 140 KB a row at the paper's size).</summary>
    private const long ScoringChunk = 4_096;

    public void Dispose() => _delayed?.Dispose();
}
