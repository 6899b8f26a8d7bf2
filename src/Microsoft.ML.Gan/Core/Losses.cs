using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>GAN losses shared by the models.</summary>
internal static class Losses
{
    /// <summary>LSGAN (Mao et al.): mean squared distance of the score map to 1 (real) or 0 (fake).</summary>
    public static Tensor LeastSquares(Tensor prediction, bool real) =>
        (real ? prediction - 1 : prediction).pow(2).mean();

    /// <summary>
    /// WGAN-GP's gradient penalty (Gulrajani et al. 2017): at random points between real and fake samples (one mixing
    /// weight per sample), the mean of (‖∇ₓ D(x)‖₂ − 1)², the norm taken over all of a sample's other axes.
    /// </summary>
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator? generator = null) =>
        GradientPenaltyAt(critic, Mix(real, fake, generator));

    /// <summary>
    /// <see cref="GradientPenaltyAt"/> for a critic whose first layer is linear, D(x) = f(x·W) with W [inputs, k], at
    /// points given in W's image: <see cref="Mix"/> of the real and fake samples' images x·W [batch, …, k] is the image
    /// of their mix, since x·W is linear in x (the same value and gradients, up to float rounding). ∇ₓD = g·Wᵀ with
    /// g = ∇f at x·W, so ‖∇ₓD‖² = Σ g·(WᵀW)·gᵀ over the sample's rows: the [rows, inputs] gradient is never formed.
    /// For NetGAN's critic (inputs = N nodes, k = 128) this drops the penalty's [batch·length, N] × [N, 128] products
    /// and their double backward, most of a critic step on the CPU.
    /// </summary>
    /// <param name="rest">f, the critic after its first layer.</param>
    /// <param name="points">Points of W's image, [batch, …, k].</param>
    /// <param name="weight">W, [inputs, k].</param>
    public static Tensor GradientPenaltyThroughLinearAt(Func<Tensor, Tensor> rest, Tensor points, Tensor weight)
    {
        // The points depend on W through the images (as f(x·W) does in the plain penalty), so they carry a graph;
        // when W is frozen they are a leaf, which needs asking for its gradient.
        if (!points.requires_grad) points.requires_grad_(true);
        return GradientPenaltyThroughLinearOfScores(rest(points), points, weight);
    }

    /// <summary>
    /// The penalty given f's scores of the points, which the caller computed from <paramref name="points"/> (with
    /// their gradient), e.g. in one pass with other samples.
    /// </summary>
    public static Tensor GradientPenaltyThroughLinearOfScores(Tensor score, Tensor points, Tensor weight)
    {
        var g = autograd.grad(new[] { score }, new[] { points }, new[] { ones_like(score) }, retain_graph: true, create_graph: true)[0];
        var rows = g.reshape(-1, g.shape[^1]);
        var squared = (rows.matmul(weight.t().matmul(weight)) * rows).sum(1).reshape(g.shape[0], -1).sum(1);
        // WᵀW is positive semi-definite; the clamp only keeps rounding near 0 out of the square root.
        return (squared.clamp_min(0).sqrt() - 1).pow(2).mean();
    }

    /// <summary>real + α·(fake − real) with one α ~ U[0, 1) per sample: the penalty's points.</summary>
    public static Tensor Mix(Tensor real, Tensor fake, Generator? generator)
    {
        var alphaShape = new long[real.dim()];
        Array.Fill(alphaShape, 1L);
        alphaShape[0] = real.shape[0];
        var alpha = Draw.Uniform(alphaShape, real, generator);
        return real + alpha * (fake - real);
    }

    /// <summary>The penalty at given points (the deterministic half of <see cref="GradientPenalty"/>).</summary>
    public static Tensor GradientPenaltyAt(Func<Tensor, Tensor> critic, Tensor points)
    {
        var x = points.detach().requires_grad_(true);
        var score = critic(x);
        // TorchSharp's create_graph does not imply retain_graph as PyTorch's does (PLATFORM.md).
        var gradient = autograd.grad(new[] { score }, new[] { x }, new[] { ones_like(score) }, retain_graph: true, create_graph: true)[0];
        var slopes = gradient.flatten(1).pow(2).sum(1).sqrt();
        return (slopes - 1).pow(2).mean();
    }

    /// <summary>
    /// SeqGAN's policy-gradient loss (paper eq. 8; official <c>g_loss</c>): −Σ_b Σ_t log G(y_t | y_&lt;t) · R_t, a sum
    /// over the batch and the sequence with no baseline. <paramref name="rewards"/> are constants (no gradient).
    /// </summary>
    public static Tensor PolicyGradient(Tensor tokenLogProbabilities, Tensor rewards) =>
        -(tokenLogProbabilities * rewards.detach()).sum();

    /// <summary>Mean absolute difference (PyTorch's L1Loss with mean reduction).</summary>
    public static Tensor L1(Tensor a, Tensor b) => (a - b).abs().mean();
}
