using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>Random draws from a seeded generator for a tensor that may live on another device.</summary>
internal static class Draw
{
    /// <summary>
    /// U[0, 1) of <paramref name="like"/>'s dtype on <paramref name="like"/>'s device. libtorch draws only on the
    /// generator's own device (a CPU generator cannot fill a CUDA tensor), so the numbers are drawn there and moved;
    /// with no generator they come from the default generator of <paramref name="like"/>'s device.
    /// </summary>
    public static Tensor Uniform(long[] shape, Tensor like, Generator? generator)
    {
        var device = generator?.device ?? like.device;
        var u = rand(shape, dtype: like.dtype, device: device, generator: generator);
        return device.type == like.device.type && device.index == like.device.index ? u : u.to(like.device);
    }

    /// <summary>
    /// One category per row of <paramref name="logits"/> [rows, V], with probability softmax(logits): the distribution
    /// of argmax(logits + Gumbel noise), drawn by inverting each row's cumulative distribution instead. That takes one
    /// uniform draw per row instead of V, and one exp per entry instead of two logs: on the CPU of BENCHMARKS.md, sampling
    /// 100,000 Cora-ML walks took about a third of the time ("CPU levers", 6). The cumulative sums are float32; a
    /// category whose exp underflows against the row's largest is never drawn. Returns int64 [rows].
    /// </summary>
    public static Tensor FromLogits(Tensor logits, Generator? generator)
    {
        using var scope = NewDisposeScope();
        long rows = logits.shape[0], categories = logits.shape[1];
        var cumulative = (logits - logits.amax(new long[] { -1 }, keepdim: true)).exp_().cumsum(-1);
        var targets = Uniform(new[] { rows, 1L }, cumulative, generator).mul_(cumulative.narrow(1, categories - 1, 1));
        // The first category whose cumulative sum exceeds the target; a target rounded up to the total stays in range.
        var chosen = searchsorted(cumulative, targets, right: true).clamp_max_(categories - 1);
        return chosen.squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One category per row of <paramref name="weights"/> [rows, V] (non-negative, not necessarily normalised), with
    /// probability proportional to its weight: what <c>multinomial(weights, 1)</c> draws, in two stages (a block of
    /// about √V categories, then a category inside it), so that it makes about 2√V random draws per row instead of V.
    /// On a CPU libtorch's multinomial costs about 20 ns per category, which made it most of a SeqGAN sampling step at
    /// V = 5,000. Returns int64 [rows].
    /// </summary>
    public static Tensor Categorical(Tensor weights, Generator? generator)
    {
        using var scope = NewDisposeScope();
        long rows = weights.shape[0], categories = weights.shape[1];
        long block = Math.Max(1, (long)Math.Ceiling(Math.Sqrt(categories)));
        long blocks = (categories + block - 1) / block;
        var padded = blocks * block == categories ? weights : nn.functional.pad(weights, new[] { 0L, blocks * block - categories });
        var grouped = padded.reshape(rows, blocks, block);
        // A block of zero weight is never drawn, so the block drawn always has a category of positive weight.
        var chosenBlock = multinomial(grouped.sum(-1), 1, generator: generator);
        var inside = grouped.gather(1, chosenBlock.unsqueeze(-1).expand(rows, 1, block)).squeeze(1);
        var chosen = multinomial(inside, 1, generator: generator);
        return (chosenBlock * block + chosen).squeeze(1).MoveToOuterDisposeScope();
    }
}
