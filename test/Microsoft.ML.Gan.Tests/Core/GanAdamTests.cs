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

    // Several shapes (4-D convolution weights, matrices, biases), as the GANs' parameter lists have.
    private static nn.Module<Tensor, Tensor> SmallConvNet() => nn.Sequential(
        nn.Conv2d(2, 4, 3, padding: 1), nn.LeakyReLU(0.2), nn.Conv2d(4, 3, 3, stride: 2), nn.Flatten(), nn.Linear(27, 5));

    private static void CopyParameters(nn.Module from, nn.Module to)
    {
        using var _ = no_grad();
        foreach (var (a, b) in from.parameters().Zip(to.parameters())) b.copy_(a);
    }

    private static void TrainStep(nn.Module<Tensor, Tensor> net, Action zeroGrad, Action step, Tensor x)
    {
        zeroGrad();
        net.forward(x).pow(2).mean().backward();
        step();
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.01)]
    public void FlatAdamMatchesTorchSharpsAdamStepForStep(double weightDecay)
    {
        random.manual_seed(11);
        using var ours = SmallConvNet();
        using var theirs = SmallConvNet();
        CopyParameters(ours, theirs);
        using var adam = new GanAdam(ours.parameters(), 2e-3, 0.5, 0.999, weightDecay: weightDecay, flat: true);
        var reference = optim.Adam(theirs.parameters(), 2e-3, 0.5, 0.999, weight_decay: weightDecay);
        Assert.IsTrue(adam.IsFlat);
        // Every parameter starts on a 64-element boundary of the buffer (aligned pointers for the GPU's kernels); none
        // of this network's tensor lengths (72, 4, 108, 3, 135, 5) is a multiple of 64, so packed tightly most would not.
        Assert.IsTrue(ours.parameters().All(p => p.storage_offset() % 64 == 0), "Parameters packed without alignment.");
        for (int step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(4, 2, 7, 7);
            TrainStep(ours, adam.ZeroGrad, adam.Step, x);
            TrainStep(theirs, reference.zero_grad, () => reference.step(), x);
        }
        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f, "Flat Adam drifted from torch.optim.Adam.");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void FlatAdamUpdatesABufferOfSeveralChunksAsTorchSharpsAdam(bool capturable)
    {
        // The flat update runs GanAdam.FlatChunk elements at a time: every element must be updated once, the first
        // weight crossing a chunk boundary and the later parameters starting inside the second chunk.
        random.manual_seed(29);
        static nn.Module<Tensor, Tensor> Net() => nn.Sequential(nn.Linear(2048, 2200), nn.Tanh(), nn.Linear(2200, 3));
        using var ours = Net();
        using var theirs = Net();
        CopyParameters(ours, theirs);
        using var adam = new GanAdam(ours.parameters(), 2e-3, 0.5, 0.9, weightDecay: 0.01, flat: true, capturable: capturable);
        var reference = optim.Adam(theirs.parameters(), 2e-3, 0.5, 0.9, weight_decay: 0.01);
        Assert.IsTrue(ours.parameters().Sum(p => p.numel()) > GanAdam.FlatChunk, "The network fits in one chunk.");
        for (int step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(8, 2048);
            TrainStep(ours, adam.ZeroGrad, adam.Step, x);
            TrainStep(theirs, reference.zero_grad, () => reference.step(), x);
        }
        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f, "The chunked flat Adam differs from torch.optim.Adam.");
    }

    [TestMethod]
    public void CheckpointStateMovesBetweenFlatAndPerTensorAdam()
    {
        random.manual_seed(5);
        using var flatNet = SmallConvNet();
        using var plainNet = SmallConvNet();
        CopyParameters(flatNet, plainNet);
        using var flat = new GanAdam(flatNet.parameters(), 1e-3, 0.5, 0.9, flat: true);
        var inputs = Enumerable.Range(0, 10).Select(_ => randn(3, 2, 7, 7)).ToArray();
        for (int step = 0; step < 5; step++) TrainStep(flatNet, flat.ZeroGrad, flat.Step, inputs[step]);

        // What a checkpoint does: the same names, copied into a fresh optimiser of the other kind.
        CopyParameters(flatNet, plainNet);
        using var plain = new GanAdam(plainNet.parameters(), 1e-3, 0.5, 0.9);
        var saved = flat.StateTensors().ToDictionary(s => s.Name, s => s.Tensor);
        foreach (var (name, tensor) in plain.StateTensors()) tensor.copy_(saved[name]);
        plain.RestoreCounters(flat.StepCount, flat.LearningRate);
        Assert.IsTrue(saved.Values.Any(t => t.abs().max().item<float>() > 0), "The flat moments were never written.");

        for (int step = 5; step < 10; step++)
        {
            TrainStep(flatNet, flat.ZeroGrad, flat.Step, inputs[step]);
            TrainStep(plainNet, plain.ZeroGrad, plain.Step, inputs[step]);
        }
        foreach (var (a, b) in flatNet.parameters().Zip(plainNet.parameters()))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f, "Resumed per-tensor Adam differs from the flat one.");
    }

    [TestMethod]
    public void FlatAdamUpdatesAParameterWithoutGradientAsPyTorchDoesWithZeroedGradients()
    {
        // Every parameter of a flat Adam has a gradient from the start, so one that backward never reaches is updated
        // with a zero gradient, as torch.optim.Adam after zero_grad(set_to_none=False): with weight decay it moves. The
        // per-tensor update skips a parameter that has never had a gradient, so there it stays.
        random.manual_seed(2);
        using var ours = nn.Linear(3, 2);
        using var theirs = nn.Linear(3, 2);
        using var plain = nn.Linear(3, 2);
        CopyParameters(ours, theirs);
        CopyParameters(ours, plain);
        var start = randn(4);
        var oursExtra = new TorchSharp.Modules.Parameter(start.clone());
        var theirsExtra = new TorchSharp.Modules.Parameter(start.clone());
        var plainExtra = new TorchSharp.Modules.Parameter(start.clone());
        using var adam = new GanAdam(ours.parameters().Append(oursExtra), 1e-2, weightDecay: 0.1, flat: true);
        using var perTensor = new GanAdam(plain.parameters().Append(plainExtra), 1e-2, weightDecay: 0.1);
        var reference = optim.Adam(theirs.parameters().Append(theirsExtra), 1e-2, weight_decay: 0.1);
        theirsExtra.grad = zeros_like(theirsExtra);
        for (int step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(5, 3);
            TrainStep(ours, adam.ZeroGrad, adam.Step, x);
            TrainStep(plain, perTensor.ZeroGrad, perTensor.Step, x);
            reference.zero_grad();
            theirs.forward(x).pow(2).mean().backward();
            if (theirsExtra.grad is null) theirsExtra.grad = zeros_like(theirsExtra);
            reference.step();
        }
        Assert.IsTrue((oursExtra - start).abs().max().item<float>() > 1e-3f, "Weight decay should move the parameter without gradient.");
        Assert.AreEqual(0f, (plainExtra - start).abs().max().item<float>(), "The per-tensor update skips a parameter that never had a gradient.");
        foreach (var (a, b) in ours.parameters().Append(oursExtra).Zip(theirs.parameters().Append(theirsExtra)))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f, "Flat Adam differs from torch.optim.Adam with zeroed gradients.");
    }

    [TestMethod]
    public void FlatAdamNamesAParameterItsModuleDisposedByMovingIt()
    {
        // Moving a module to another element type or device replaces its parameters and disposes the old ones.
        using var net = nn.Linear(3, 2);
        using var adam = new GanAdam(net.parameters(), 1e-3, flat: true);
        net.to(float64);
        var e = Assert.ThrowsExactly<InvalidOperationException>(adam.Step);
        StringAssert.Contains(e.Message, "Parameter 0 of a flat Adam was disposed");
    }

    [TestMethod]
    public void TwoFlatAdamsOverTheSameParametersShareThemAndStayIndependent()
    {
        // SeqGAN's generator has an MLE and an adversarial optimiser: the second finds the parameters laid out by the
        // first and shares their buffers, while each keeps its own moments, as two per-tensor optimisers do.
        random.manual_seed(19);
        using var flatNet = SmallConvNet();
        using var plainNet = SmallConvNet();
        CopyParameters(flatNet, plainNet);
        // The second one over a part of the list, which starts inside the first one's buffers.
        using var flatA = new GanAdam(flatNet.parameters(), 2e-3, 0.5, 0.999, flat: true);
        using var flatB = new GanAdam(flatNet.parameters().Skip(2), 1e-2, 0.9, 0.99, flat: true);
        using var plainA = new GanAdam(plainNet.parameters(), 2e-3, 0.5, 0.999);
        using var plainB = new GanAdam(plainNet.parameters().Skip(2), 1e-2, 0.9, 0.99);
        for (int step = 0; step < 12; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(4, 2, 7, 7);
            var (flat, plain) = step % 3 == 2 ? (flatB, plainB) : (flatA, plainA);
            TrainStep(flatNet, flat.ZeroGrad, flat.Step, x);
            TrainStep(plainNet, plain.ZeroGrad, plain.Step, x);
        }
        Assert.AreEqual(8, flatA.StepCount);
        foreach (var (a, b) in flatNet.parameters().Zip(plainNet.parameters()))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f, "Two flat optimisers over one network differ from two per-tensor ones.");
    }

    [TestMethod]
    public void FlatAdamRefusesAParameterListedTwice()
    {
        using var net = nn.Linear(3, 2);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new GanAdam(net.parameters().Append(net.weight!), 1e-3, flat: true));
        StringAssert.Contains(e.Message, "parameters 0 and 2 are the same tensor");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void AStepInvalidatesAGraphRecordedBeforeIt(bool flat)
    {
        // The flat update writes through the buffer, so it must tell autograd that the parameters changed, as the
        // per-tensor update's in-place add does: a backward through a graph recorded before the step must fail.
        random.manual_seed(29);
        using var net = SmallConvNet();
        using var adam = new GanAdam(net.parameters(), 1e-3, flat: flat);
        TrainStep(net, adam.ZeroGrad, adam.Step, randn(2, 2, 7, 7));
        var stale = net.forward(randn(2, 2, 7, 7)).pow(2).sum();
        adam.Step();
        var e = Assert.Throws<Exception>(() => stale.backward());
        StringAssert.Contains(e.Message, "inplace operation");
    }

    [TestMethod]
    public void FlatAdamRefusesAGradientOrParameterReplacedBehindItsBack()
    {
        random.manual_seed(23);
        using var net = SmallConvNet();
        using var adam = new GanAdam(net.parameters(), 1e-3, flat: true);
        TrainStep(net, adam.ZeroGrad, adam.Step, randn(2, 2, 7, 7));
        var weight = net.parameters().ElementAt(1);
        weight.grad = ones_like(weight);
        var e = Assert.ThrowsExactly<InvalidOperationException>(adam.Step);
        StringAssert.Contains(e.Message, "gradient of parameter 1");

        using var other = SmallConvNet();
        using var adam2 = new GanAdam(other.parameters(), 1e-3, flat: true);
        using (no_grad()) other.parameters().ElementAt(2).set_(randn(other.parameters().ElementAt(2).shape));
        e = Assert.ThrowsExactly<InvalidOperationException>(adam2.Step);
        StringAssert.Contains(e.Message, "Parameter 2");
    }

    [TestMethod]
    [DataRow(false, 0.0)]
    [DataRow(false, 0.01)]
    [DataRow(true, 0.01)]
    public void CapturableAdamMatchesTorchSharpsAdamStepForStep(bool flat, double weightDecay)
    {
        // The numbers that change between steps come from device tensors (for a step replayed as a CUDA graph); a
        // learning-rate change halfway must reach them (a restore of the counters: the next test).
        random.manual_seed(13);
        using var ours = SmallConvNet();
        using var theirs = SmallConvNet();
        CopyParameters(ours, theirs);
        using var adam = new GanAdam(ours.parameters(), 2e-3, 0.5, 0.9, weightDecay: weightDecay, flat: flat, capturable: true);
        var reference = optim.Adam(theirs.parameters(), 2e-3, 0.5, 0.9, weight_decay: weightDecay);
        Assert.IsTrue(adam.IsCapturable);
        for (int step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            if (step == 15)
            {
                adam.LearningRate = 5e-4;
                foreach (var group in reference.ParamGroups) group.LearningRate = 5e-4;
            }
            var x = randn(4, 2, 7, 7);
            TrainStep(ours, adam.ZeroGrad, adam.Step, x);
            TrainStep(theirs, reference.zero_grad, () => reference.step(), x);
        }
        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f, "Capturable Adam drifted from torch.optim.Adam.");
        Assert.AreEqual(30, adam.StepCount);
    }

    [TestMethod]
    public void CapturableAdamResumesFromACheckpointsCounters()
    {
        // A capturable optimiser restored from a per-tensor one's state goes on as the per-tensor one does: its β powers
        // are set from the step count, not left at the fresh optimiser's.
        random.manual_seed(17);
        using var plainNet = SmallConvNet();
        using var capturableNet = SmallConvNet();
        using var plain = new GanAdam(plainNet.parameters(), 1e-3, 0.5, 0.9);
        var inputs = Enumerable.Range(0, 8).Select(_ => randn(3, 2, 7, 7)).ToArray();
        for (int step = 0; step < 4; step++) TrainStep(plainNet, plain.ZeroGrad, plain.Step, inputs[step]);

        CopyParameters(plainNet, capturableNet);
        using var capturable = new GanAdam(capturableNet.parameters(), 1e-3, 0.5, 0.9, capturable: true);
        var saved = plain.StateTensors().ToDictionary(s => s.Name, s => s.Tensor);
        foreach (var (name, tensor) in capturable.StateTensors()) tensor.copy_(saved[name]);
        capturable.RestoreCounters(plain.StepCount, plain.LearningRate);
        for (int step = 4; step < 8; step++)
        {
            TrainStep(plainNet, plain.ZeroGrad, plain.Step, inputs[step]);
            TrainStep(capturableNet, capturable.ZeroGrad, capturable.Step, inputs[step]);
        }
        foreach (var (a, b) in plainNet.parameters().Zip(capturableNet.parameters()))
            Assert.IsTrue((a - b).abs().max().item<float>() < 1e-6f, "The resumed capturable Adam differs from the per-tensor one.");
    }
}
