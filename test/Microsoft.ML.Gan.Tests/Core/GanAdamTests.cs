using Microsoft.ML.Gan.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Core;

[TestClass]
public sealed class GanAdamTests
{
    [TestMethod]
    public void MatchesTorchSharpsAdamStepForStep()
    {
        random.manual_seed(7);
        using var ours = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1));
        using var theirs = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 1));
        using (no_grad())
            foreach (var (a, b) in ours.parameters().Zip(theirs.parameters())) b.copy_(a);
        using var adam = new GanAdam(ours.parameters(), 2e-3, 0.5, 0.999);
        var reference = optim.Adam(theirs.parameters(), 2e-3, 0.5, 0.999);
        for (int step = 0; step < 25; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(16, 5);
            adam.ZeroGrad();
            ours.forward(x).pow(2).mean().backward();
            adam.Step();
            reference.zero_grad();
            theirs.forward(x).pow(2).mean().backward();
            reference.step();
        }
        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f, "Parameters drifted from torch.optim.Adam.");
        Assert.AreEqual(25, adam.StepCount);
    }

    [TestMethod]
    public void WeightDecayIsAddedToTheGradientAsInPyTorch()
    {
        random.manual_seed(3);
        using var ours = nn.Linear(4, 2);
        using var theirs = nn.Linear(4, 2);
        using (no_grad())
            foreach (var (a, b) in ours.parameters().Zip(theirs.parameters())) b.copy_(a);
        using var adam = new GanAdam(ours.parameters(), 1e-2, weightDecay: 0.1);
        var reference = optim.Adam(theirs.parameters(), 1e-2, weight_decay: 0.1);
        for (int step = 0; step < 5; step++)
        {
            var x = randn(3, 4);
            adam.ZeroGrad(); ours.forward(x).sum().backward(); adam.Step();
            reference.zero_grad(); theirs.forward(x).sum().backward(); reference.step();
        }
        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f);
    }
}
