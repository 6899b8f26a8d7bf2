using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>GAN losses shared by the models.</summary>
internal static class Losses
{
    /// <summary>LSGAN (Mao et al.): mean squared distance of the score map to 1 (real) or 0 (fake).</summary>
    public static Tensor LeastSquares(Tensor prediction, bool real) =>
        (real ? prediction - 1 : prediction).pow(2).mean();

    /// <summary>Mean absolute difference (PyTorch's L1Loss with mean reduction).</summary>
    public static Tensor L1(Tensor a, Tensor b) => (a - b).abs().mean();
}
