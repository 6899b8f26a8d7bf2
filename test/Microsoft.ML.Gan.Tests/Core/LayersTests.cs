using Microsoft.ML.Gan.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class LayersTests
{
    [TestMethod]
    [DataRow(1, 64, 3, 7, 18, 14)]
    [DataRow(2, 5, 4, 3, 9, 11)]
    [DataRow(1, 2, 1, 1, 4, 4)]
    public void ConvolutionAsTapProductsComputesTheConvolutionAndItsGradients(int batch, int inChannels, int outChannels, int kernel, int height, int width)
    {
        // Non-square inputs and kernels of 1, 3 and 7 (CycleGAN's output convolution): the strided view must pick every
        // tap at its own shift, and the gradients must reach the input, the weights and the bias.
        random.manual_seed(41);
        using var conv = nn.Conv2d(inChannels, outChannels, kernel);
        var input = randn(batch, inChannels, height, width, requires_grad: true);
        var upstream = randn(batch, outChannels, height - kernel + 1, width - kernel + 1);

        var expected = conv.forward(input);
        var (inputGrad, weightGrad, biasGrad) = Gradients(expected, upstream, input, conv);
        var actual = Layers.ConvolutionAsTapProducts(conv, input);
        CollectionAssert.AreEqual(expected.shape, actual.shape);
        AssertClose(expected, actual, "output");
        var (inputGrad2, weightGrad2, biasGrad2) = Gradients(actual, upstream, input, conv);
        AssertClose(inputGrad, inputGrad2, "input gradient");
        AssertClose(weightGrad, weightGrad2, "weight gradient");
        AssertClose(biasGrad, biasGrad2, "bias gradient");
    }

    private static (Tensor Input, Tensor Weight, Tensor Bias) Gradients(Tensor output, Tensor upstream, Tensor input, nn.Module conv)
    {
        var parameters = conv.parameters().ToArray();
        var grads = torch.autograd.grad([output], [input, parameters[0], parameters[1]], [upstream]);
        return (grads[0], grads[1], grads[2]);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what) =>
        TestSupport.AssertCloseToLargest(expected, actual, what, relative: 1e-5, smallestScale: 0.1);
}
