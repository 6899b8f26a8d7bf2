using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.NetGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>graphs --gpu true --run basic|sgd|penalty|timing</c>: stage 2 of bench/gpu/CUDA-GRAPHS.md, not yet run on a GPU.
/// Steps written in TorchSharp are captured as CUDA graphs through libtorch's exported C++ symbols (TorchSharp 0.107
/// binds no graph API) and replayed: <c>basic</c> y = 2x + 1; <c>sgd</c> an MLP's forward, backward and in-place SGD
/// update; <c>penalty</c> the library's NetGAN critic with its WGAN-GP gradient penalty (double backward) and an SGD
/// update; each against the same step run eagerly. <c>timing</c>: that critic step at Cora-ML's size, eager against
/// replayed. One experiment per process: a wrong symbol or signature can kill the process (bench/gpu/graphs.sh runs each).
/// </summary>
internal static unsafe class CudaGraphProbe
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
        var api = new GraphApi();
        Console.WriteLine($"graphs --run {run}: every symbol found");
        using var scope = NewDisposeScope();
        return run switch
        {
            "basic" => Basic(api, device),
            "sgd" => Sgd(api, device),
            "penalty" => Penalty(api, device, nodes: 300),
            _ => TimeCritic(api, device, reps),
        };
    }

    private static int Basic(GraphApi api, Device device)
    {
        var x = randn(1 << 16, device: device);
        var outputs = new List<Tensor>();
        using var graph = new CapturedStep(api, () => outputs.Add(x * 2 + 1));
        var y = outputs[^1]; // the captured call's output: every replay rewrites it
        for (int i = 0; i < 3; i++)
        {
            x.copy_(randn_like(x));
            graph.Replay();
            cuda.synchronize();
            float error = (y - (x * 2 + 1)).abs().max().item<float>();
            Console.WriteLine(FormattableString.Invariant($"basic: replay against eager, max abs difference {error:G3}"));
            if (error > 0) return Fail("basic");
        }
        return Pass("basic");
    }

    private static int Sgd(GraphApi api, Device device)
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
        return Compare("sgd", api, eager, graphed, module => () =>
        {
            using var scope = NewDisposeScope();
            ZeroGradients(module);
            (((nn.Module<Tensor, Tensor>)module).forward(x) - target).pow(2).mean().backward();
            Update(module);
        });
    }

    private static int Penalty(GraphApi api, Device device, int nodes)
    {
        var (eager, step) = Critic(device, nodes);
        var (graphed, _) = Critic(device, nodes);
        using (no_grad())
            foreach (var (a, b) in eager.parameters().Zip(graphed.parameters())) b.copy_(a);
        return Compare("penalty", api, eager, graphed, module => () => step((NetGanDiscriminator)module));
    }

    private static int TimeCritic(GraphApi api, Device device, int reps)
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
        using var graph = new CapturedStep(api, () => step(critic));
        double replay = Median(graph.Replay);
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
    /// Captures after three warm-up steps, then runs 5 replays beside 5 eager steps; the captured call itself only
    /// records, so both sides have taken 3 + 5 steps when their parameters are compared.
    /// </summary>
    private static int Compare(string name, GraphApi api, nn.Module eager, nn.Module graphed, Func<nn.Module, Action> step)
    {
        var eagerStep = step(eager);
        using var graph = new CapturedStep(api, step(graphed));
        for (int i = 0; i < CapturedStep.WarmupSteps; i++) eagerStep();
        for (int i = 0; i < 5; i++)
        {
            graph.Replay();
            eagerStep();
        }
        cuda.synchronize();
        float error = eager.parameters().Zip(graphed.parameters()).Max(pair => (pair.First - pair.Second).abs().max().item<float>());
        Console.WriteLine(FormattableString.Invariant($"{name}: parameters after 8 steps (5 replays), max abs difference from eager {error:G3}"));
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

    /// <summary>c10::cuda::CUDAStream by value: a c10::Stream, {device type int8, device index int8, padding, StreamId int64}.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct CudaStream
    {
        public ulong DeviceWord;
        public long Id;
    }

    /// <summary>The exported C++ functions (names from CUDA-GRAPHS.md); a member function takes <c>this</c> first.</summary>
    private sealed class GraphApi
    {
        public readonly delegate* unmanaged<byte, sbyte, CudaStream> StreamFromPool;
        public readonly delegate* unmanaged<sbyte, CudaStream> CurrentStream;
        public readonly delegate* unmanaged<CudaStream, void> SetCurrentStream;
        public readonly delegate* unmanaged<nint, byte, void> Construct;
        public readonly delegate* unmanaged<nint, ulong, ulong, int, void> CaptureBegin;
        public readonly delegate* unmanaged<nint, void> CaptureEnd, Replay, Destroy;

        public GraphApi()
        {
            nint torchCuda = NativeLibrary.Load("libtorch_cuda.so"), c10Cuda = NativeLibrary.Load("libc10_cuda.so");
            nint Export(nint library, string name) => NativeLibrary.TryGetExport(library, name, out var address)
                ? address
                : throw new EntryPointNotFoundException($"'{name}' is not exported by the loaded libtorch; check the names with bench/gpu/graphs.sh (nm).");
            StreamFromPool = (delegate* unmanaged<byte, sbyte, CudaStream>)Export(c10Cuda, "_ZN3c104cuda17getStreamFromPoolEba");
            CurrentStream = (delegate* unmanaged<sbyte, CudaStream>)Export(c10Cuda, "_ZN3c104cuda20getCurrentCUDAStreamEa");
            SetCurrentStream = (delegate* unmanaged<CudaStream, void>)Export(c10Cuda, "_ZN3c104cuda20setCurrentCUDAStreamENS0_10CUDAStreamE");
            Construct = (delegate* unmanaged<nint, byte, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraphC1Eb");
            CaptureBegin = (delegate* unmanaged<nint, ulong, ulong, int, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraph13capture_beginESt4pairIyyE21cudaStreamCaptureMode");
            CaptureEnd = (delegate* unmanaged<nint, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraph11capture_endEv");
            Replay = (delegate* unmanaged<nint, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraph6replayEv");
            Destroy = (delegate* unmanaged<nint, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraphD1Ev");
        }
    }

    /// <summary>
    /// One call of a step captured as a CUDA graph: warmed up on a pool stream (capture refuses the default stream), then
    /// recorded; <see cref="Replay"/> launches it on the current stream. Every tensor the step reads must outlive it.
    /// </summary>
    private sealed class CapturedStep : IDisposable
    {
        public const int WarmupSteps = 3;
        private const int GraphBytes = 4096; // sizeof(CUDAGraph) is not exported; the header adds up to a few hundred bytes
        private readonly GraphApi _api;
        private nint _graph;

        public CapturedStep(GraphApi api, Action step)
        {
            _api = api;
            var side = api.StreamFromPool(0, -1);
            var previous = api.CurrentStream(-1);
            cuda.synchronize();
            // Finalizers must not free tensors on another thread while the capture runs.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            api.SetCurrentStream(side);
            try
            {
                if (api.CurrentStream(-1).Id != side.Id) throw new InvalidOperationException("setCurrentCUDAStream did not take effect.");
                for (int i = 0; i < WarmupSteps; i++) step();
                cuda.synchronize();
                _graph = (nint)NativeMemory.AllocZeroed((nuint)GraphBytes);
                NativeMemory.Fill((void*)_graph, (nuint)GraphBytes, 0xAB);
                api.Construct(_graph, 0);
                // No garbage collection during the capture either: a finalizer freeing a tensor on another thread could
                // make a CUDA call that global capture mode forbids. The step allocates little managed memory.
                bool noGc = GC.TryStartNoGCRegion(16 << 20);
                try
                {
                    api.CaptureBegin(_graph, 0, 0, 0); // a new private pool, cudaStreamCaptureModeGlobal
                    step();
                    api.CaptureEnd(_graph);
                }
                finally
                {
                    if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
                }
            }
            finally
            {
                api.SetCurrentStream(previous);
            }
            var bytes = new ReadOnlySpan<byte>((void*)_graph, GraphBytes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"graph object: {bytes.LastIndexOfAnyExcept((byte)0xAB) + 1} of {GraphBytes} bytes written by the constructor and capture (a lower bound on its size)"));
        }

        public void Replay() => _api.Replay(_graph);

        public void Dispose()
        {
            if (_graph == 0) return;
            cuda.synchronize();
            _api.Destroy(_graph);
            NativeMemory.Free((void*)_graph);
            _graph = 0;
        }
    }
}
