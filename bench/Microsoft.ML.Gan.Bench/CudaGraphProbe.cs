using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Gan.NetGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>graphs --gpu true --run basic|sgd|penalty|timing</c>: stage 2 of bench/gpu/CUDA-GRAPHS.md (first run on an H200
/// on 2026-11-27, all passed). Steps written in TorchSharp are captured as CUDA graphs by the library's
/// <see cref="CudaGraphStep"/> (libtorch's exported C++ symbols; TorchSharp 0.107 binds no graph API) and replayed:
/// <c>basic</c> y = 2x + 1; <c>sgd</c> an MLP's forward, backward and in-place SGD update; <c>penalty</c> the library's
/// NetGAN critic with its WGAN-GP gradient penalty (double backward) and an SGD update; each against the same step run
/// eagerly. <c>timing</c>: that critic step at Cora-ML's size, eager against replayed. One experiment per process: a
/// wrong symbol or signature can kill the process (bench/gpu/graphs.sh runs each).
/// </summary>
internal static class CudaGraphProbe
{
    private static readonly string[] Experiments = ["basic", "sgd", "penalty", "timing"];

    public static int Run(CommandOptions o)
    {
        string run = o.String("run", "basic");
        int reps = o.Int("reps", 50);
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        if (!Experiments.Contains(run)) throw new ArgumentException($"--run takes {string.Join(", ", Experiments)}; found '{run}'.");
        if (device.type != DeviceType.CUDA) throw new ArgumentException("graphs needs --gpu true: CUDA graphs exist only on a GPU.");
        if (CudaGraphApi.WhyUnavailable is { } why) throw new NotSupportedException($"CUDA graphs are unavailable: {why}.");
        Console.WriteLine($"graphs --run {run}: every symbol found");
        using var scope = NewDisposeScope();
        return run switch
        {
            "basic" => Basic(device),
            "sgd" => Sgd(device),
            "penalty" => Penalty(device, nodes: 300),
            _ => TimeCritic(device, reps),
        };
    }

    private static int Basic(Device device)
    {
        var x = randn(1 << 16, device: device);
        using var graph = new CudaGraphStep(() => [x * 2 + 1]);
        for (int i = 0; i < CudaGraphStep.WarmupSteps + 3; i++)
        {
            x.copy_(randn_like(x));
            var y = graph.Run()[0];
            float error = (y - (x * 2 + 1)).abs().max().item<float>();
            Console.WriteLine(FormattableString.Invariant($"basic: replay against eager, max abs difference {error:G3}"));
            if (error > 0) return Fail("basic");
        }
        return Pass("basic");
    }

    private static int Sgd(Device device)
    {
        var x = randn(256, 64, device: device);
        var target = randn(256, 1, device: device);
        nn.Module<Tensor, Tensor> Mlp()
        {
            manual_seed(1);
            return nn.Sequential(nn.Linear(64, 128), nn.Tanh(), nn.Linear(128, 1)).to(device);
        }
        var eager = Mlp();
        var graphed = Mlp();
        return Compare("sgd", eager, graphed, module => () =>
        {
            using var scope = NewDisposeScope();
            ZeroGradients(module);
            (((nn.Module<Tensor, Tensor>)module).forward(x) - target).pow(2).mean().backward();
            Update(module);
        });
    }

    private static int Penalty(Device device, int nodes)
    {
        var (eager, step) = Critic(device, nodes);
        var (graphed, _) = Critic(device, nodes);
        using (no_grad())
            foreach (var (a, b) in eager.parameters().Zip(graphed.parameters())) b.copy_(a);
        return Compare("penalty", eager, graphed, module => () => step((NetGanDiscriminator)module));
    }

    private static int TimeCritic(Device device, int reps)
    {
        var (critic, step) = Critic(device, nodes: 2810);
        double Median(Action action)
        {
            var ms = new List<double>(reps);
            for (int i = 0; i < reps; i++)
            {
                cuda.synchronize();
                ms.Add(Timing.Milliseconds(() =>
                {
                    action();
                    cuda.synchronize();
                }));
            }
            return Summary.Of(ms).Median;
        }
        double eager = Median(() => step(critic));
        using var graph = new CudaGraphStep(() =>
        {
            step(critic);
            return [];
        });
        for (int i = 0; i <= CudaGraphStep.WarmupSteps; i++) graph.Run(); // warm-up, then capture
        double replay = Median(() => graph.Run());
        Console.WriteLine(FormattableString.Invariant(
            $"timing, NetGAN critic step with gradient penalty, Cora-ML size (2,810 nodes, batch 128, walks of 16), median of {reps}: eager {eager:F2} ms, replayed {replay:F2} ms ({eager / replay:F1}x)"));
        return 0;
    }

    /// <summary>
    /// The library's NetGAN critic update on fixed walks, in the form NetGanModel.TrainStep takes since 2026-11-27:
    /// walks as node ids (rows of W_down), loss D(fake) − D(real) + 10·GP at fixed mixing weights in W_down's image
    /// (the penalty differentiates twice), backward, plain SGD in place (no host scalar changes per step).
    /// </summary>
    private static (NetGanDiscriminator Critic, Action<NetGanDiscriminator> Step) Critic(Device device, int nodes)
    {
        manual_seed(2);
        var critic = new NetGanDiscriminator(nodes);
        using (no_grad())
            foreach (var p in critic.parameters()) p.uniform_(-0.1, 0.1);
        critic.to(device);
        var real = randint(nodes, new long[] { 128, 16 }, device: device);
        var fake = randint(nodes, new long[] { 128, 16 }, device: device);
        var alpha = rand(128, 1, 1, device: device);
        return (critic, module =>
        {
            using var scope = NewDisposeScope();
            ZeroGradients(module);
            var (realImage, fakeImage) = (module.EmbedNodes(real), module.EmbedNodes(fake));
            var points = realImage + alpha * (fakeImage - realImage);
            var loss = module.Score(fakeImage).mean() - module.Score(realImage).mean()
                + 10 * Losses.GradientPenaltyThroughLinearAt(module.Score, points, module.W_down);
            loss.backward();
            Update(module);
        });
    }

    /// <summary>
    /// 8 steps each way: on the graphed side the warm-up steps, the capture (which replays once) and the replays.
    /// </summary>
    private static int Compare(string name, nn.Module eager, nn.Module graphed, Func<nn.Module, Action> step)
    {
        var (eagerStep, graphedStep) = (step(eager), step(graphed));
        using var graph = new CudaGraphStep(() =>
        {
            graphedStep();
            return [];
        });
        for (int i = 0; i < 8; i++)
        {
            graph.Run();
            eagerStep();
        }
        cuda.synchronize();
        float error = eager.parameters().Zip(graphed.parameters()).Max(pair => (pair.First - pair.Second).abs().max().item<float>());
        Console.WriteLine(FormattableString.Invariant($"{name}: parameters after 8 steps ({8 - CudaGraphStep.WarmupSteps} in the graph), max abs difference from eager {error:G3}"));
        return error <= 1e-4f ? Pass(name) : Fail(name);
    }

    private static void ZeroGradients(nn.Module module)
    {
        foreach (var p in module.parameters()) p.grad?.zero_();
    }

    private static void Update(nn.Module module, double rate = 0.01)
    {
        using var _ = no_grad();
        foreach (var p in module.parameters()) p.add_(p.grad!, alpha: -rate);
    }

    private static int Pass(string name)
    {
        Console.WriteLine($"PASS {name}");
        return 0;
    }

    private static int Fail(string name)
    {
        Console.WriteLine($"FAIL {name}");
        return 1;
    }
}
