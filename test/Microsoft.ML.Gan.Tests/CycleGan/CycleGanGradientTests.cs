using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.CycleGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.CycleGan;

[TestClass]
public sealed class CycleGanGradientTests
{
    /// <summary>
    /// The case where libtorch 2.10's oneDNN convolution backward returned NaN in 7–10 of 10 runs on 2 threads:
    /// the generator's weight gradients for a random upstream gradient. With the CPU settings the library applies,
    /// every run must give finite gradients.
    /// </summary>
    [TestMethod]
    public void GeneratorGradientsAreFiniteWithTheLibrarysCpuSettings()
    {
        _ = new GanEnvironment(new MLContext(1), "test").ResolveDevice();
        Assert.AreNotEqual(true, LibTorchContext.OneDnnEnabled, "Training on the CPU turns oneDNN off.");
        using var g = new ResnetGenerator(1, 3, 4);
        Layers.InitNormal(g, new Generator(1));
        var parameters = g.parameters().ToArray();
        var x = randn(2L, 3L, 24L, 24L);
        var y = g.forward(x);
        var upstream = randn_like(y);
        for (int run = 0; run < 10; run++)
        {
            var grads = autograd.grad(new[] { y }, parameters, new[] { upstream }, retain_graph: true);
            Assert.IsTrue(grads.All(t => isfinite(t).all().item<bool>()), $"Run {run} gave a non-finite gradient.");
        }
    }
}
