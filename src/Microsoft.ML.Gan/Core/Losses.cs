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
    public static Tensor GradientPenalty(Func<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator? generator = null)
    {
        var alphaShape = new long[real.dim()];
        Array.Fill(alphaShape, 1L);
        alphaShape[0] = real.shape[0];
        var alpha = Draw.Uniform(alphaShape, real, generator);
        return GradientPenaltyAt(critic, real + alpha * (fake - real));
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
