using Microsoft.ML.Gan.Core.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class OneDnnTests
{
    [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "getenv")]
    private static extern IntPtr NativeGetEnv(string name);

    /// <summary>
    /// The cap itself, read back from the native environment oneDNN reads (.NET's own copy of the environment, taken at
    /// start-up, does not see a later setenv). The test below passes without the cap on CPUs whose AVX-512 kernels are
    /// right, so this is what fails when the cap is gone.
    /// </summary>
    [TestMethod]
    public void LoadingTheLibraryCapsOneDnnAtAvx2UnlessTheUserChose()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The cap is set on Linux only.");
        _ = new Microsoft.ML.Gan.CycleGanEstimator.Options(); // loads the library, which runs its module initializers
        string? userChoice = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA");
        string? native = System.Runtime.InteropServices.Marshal.PtrToStringAnsi(NativeGetEnv("ONEDNN_MAX_CPU_ISA"));
        if (userChoice is null) Assert.AreEqual("AVX2", native);
        else Assert.AreEqual(Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA"), native, "A value the user set is left as it is.");
    }

    /// <summary>
    /// The shapes oneDNN 3.7.1's AVX-512 kernels got wrong (a side with one channel, the other not a multiple of 16),
    /// run through oneDNN with one thread as CPU training runs them, against float64 (which does not go through
    /// oneDNN). Passes because the library caps oneDNN at AVX2 when it loads (<see cref="LibTorchContext.CapOneDnnIsa"/>);
    /// with <c>ONEDNN_MAX_CPU_ISA=AVX512_CORE</c> set before the test run it failed on the AVX-512 host where the fault
    /// was found, and passed on a later one (AMD family 26; BENCHMARKS.md, "oneDNN on the CPU, checked again").
    /// </summary>
    [TestMethod]
    public void FewChannelConvolutionsAreRightThroughOneDnn()
    {
        bool? before = LibTorchContext.OneDnnEnabled;
        int threads = get_num_threads();
        try
        {
            set_num_threads(1);
            LibTorchContext.OneDnnEnabled = true;
            using var scope = NewDisposeScope();
            using var random = new Generator(7);
            using var down = nn.Conv2d(1, 8, 5, stride: 2, padding: 2, bias: false);
            using var down64 = nn.Conv2d(1, 8, 5, stride: 2, padding: 2, bias: false);
            using var up = nn.ConvTranspose2d(8, 1, 5, stride: 2, padding: 2, output_padding: 1, bias: false);
            using var up64 = nn.ConvTranspose2d(8, 1, 5, stride: 2, padding: 2, output_padding: 1, bias: false);
            down64.to(float64);
            up64.to(float64);
            using (no_grad())
            {
                down64.weight!.copy_(down.weight!);
                up64.weight!.copy_(up.weight!);
            }
            var x = (rand(new long[] { 2, 1, 128, 128 }, generator: random) - 0.5).requires_grad_(true);
            var x64 = x.detach().to(float64).requires_grad_(true);
            var g = autograd.grad(new[] { down.forward(x).sum() }, new[] { x })[0];
            var g64 = autograd.grad(new[] { down64.forward(x64).sum() }, new[] { x64 })[0];
            Assert.IsTrue(RelativeError(g, g64) < 1e-5, $"conv 1 → 8, input gradient off by {RelativeError(g, g64)}.");

            var h = rand(new long[] { 2, 8, 64, 64 }, generator: random) - 0.5;
            var y = up.forward(h);
            var y64 = up64.forward(h.to(float64));
            Assert.IsTrue(RelativeError(y, y64) < 1e-5, $"transposed conv 8 → 1 off by {RelativeError(y, y64)}.");
        }
        finally
        {
            set_num_threads(threads);
            LibTorchContext.OneDnnEnabled = before;
        }
    }

    private static double RelativeError(Tensor single, Tensor reference) =>
        ((single.to(float64) - reference).norm() / reference.norm()).item<double>();
}
