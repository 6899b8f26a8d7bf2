using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

/// <summary>libtorch's autocast switched from C# (<see cref="Autocast"/>), checked on the CPU, where the same dispatcher policy applies.</summary>
[TestClass]
public sealed class AutocastTests
{
    [TestMethod]
    public void MatrixProductsAndConvolutionsRunInBFloat16OnlyInsideTheScope()
    {
        using var scope = NewDisposeScope();
        // Seeded: the bfloat16 product is outside the tolerance for about 1 in 100,000 draws.
        random.manual_seed(31);
        var a = randn(4, 8);
        var b = randn(8, 3);
        var signal = randn(2, 3, 40);
        var kernel = randn(5, 3, 7);
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
        using (Autocast.Scope(DeviceType.CPU, ScalarType.BFloat16))
        {
            Assert.IsTrue(Autocast.IsEnabled(DeviceType.CPU));
            Assert.AreEqual(ScalarType.BFloat16, a.matmul(b).dtype);
            Assert.AreEqual(ScalarType.BFloat16, nn.functional.conv1d(signal, kernel, stride: 4).dtype);
            // Autocast's policy keeps reductions such as the mean-squared loss in float32.
            Assert.AreEqual(ScalarType.Float32, nn.functional.mse_loss(a.matmul(b), zeros(4, 3)).dtype);
            // The product is the bfloat16 one: close to float32's, not equal to it.
            var low = a.matmul(b).to(float32);
            var exact = a.to(float64).matmul(b.to(float64)).to(float32);
            Assert.IsTrue(low.allclose(exact, rtol: 0.05, atol: 0.05), "a bfloat16 product is near the exact one");
        }
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
        Assert.AreEqual(ScalarType.Float32, a.matmul(b).dtype);
    }

    [TestMethod]
    public void NestedScopesRestoreTheOuterState()
    {
        using (Autocast.Scope(DeviceType.CPU, ScalarType.BFloat16))
        {
            using (Autocast.Scope(DeviceType.CPU, ScalarType.BFloat16)) Assert.IsTrue(Autocast.IsEnabled(DeviceType.CPU));
            Assert.IsTrue(Autocast.IsEnabled(DeviceType.CPU), "leaving the inner scope keeps the outer one on");
        }
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
    }

    [TestMethod]
    public void GradientsReachFloat32WeightsAndAStepIsSeenByTheNextScope()
    {
        using var scope = NewDisposeScope();
        // Seeded: for about 4 in 100,000 draws the row sums of x are all near zero and the step shows too little.
        random.manual_seed(37);
        // The weight goes to matmul itself (not a transposed view of it), so autocast caches its bfloat16 copy.
        var weight = randn(5, 6).requires_grad_(true);
        var x = randn(3, 5);
        Tensor Forward()
        {
            using (Autocast.Scope(DeviceType.CPU, ScalarType.BFloat16)) return x.matmul(weight).to(float32);
        }

        var first = Forward();
        first.sum().backward();
        Assert.AreEqual(ScalarType.Float32, weight.grad!.dtype, "the weight's gradient is float32, like the weight");
        Assert.IsTrue(weight.grad.allclose(x.sum(dim: 0).unsqueeze(1).expand(5, 6), rtol: 0.02, atol: 0.02));

        // An optimiser-like step in place. Autocast caches the bfloat16 copy of a leaf weight within a scope; a copy
        // kept past the scope would make the next forward use the weight before the step.
        using (no_grad()) weight.add_(1.0);
        var second = Forward();
        var expected = x.matmul(weight.detach());
        Assert.IsTrue(second.allclose(expected, rtol: 0.05, atol: 0.1), "the second forward sees the updated weight");
        Assert.IsFalse(second.allclose(first, rtol: 0.05, atol: 0.1));
    }
}
