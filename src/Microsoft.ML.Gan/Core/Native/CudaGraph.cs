using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core.Native;

/// <summary>
/// libtorch's <c>at::cuda::CUDAGraph</c> and the <c>c10::cuda</c> stream functions it needs, called through their
/// exported C++ symbols (TorchSharp 0.107 binds no graph or stream API). The names were checked with <c>nm</c> against
/// PyTorch 2.11's libtorch and the calls run on an H200 (bench/gpu/CUDA-GRAPHS.md; BENCHMARKS.md, "CUDA graphs").
/// </summary>
/// <remarks>
/// A <c>c10::cuda::CUDAStream</c> is 16 trivially copyable bytes (device type and index, then the stream id), passed and
/// returned in two registers; <c>MempoolId_t</c> (a pair of unsigned 64-bit ids) likewise. A member function takes
/// <c>this</c> first. The graph calls throw C++ exceptions that no managed frame can catch, so their preconditions are
/// checked here before each call.
/// </remarks>
internal static unsafe class CudaGraphApi
{
    /// <summary>A <c>c10::cuda::CUDAStream</c> by value: {device type int8, device index int8, padding, stream id int64}.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Stream
    {
        public ulong DeviceWord;
        public long Id;
    }

    private static delegate* unmanaged<byte, sbyte, Stream> _streamFromPool;
    private static delegate* unmanaged<sbyte, Stream> _currentStream;
    private static delegate* unmanaged<Stream, void> _setCurrentStream;
    private static delegate* unmanaged<nint, byte, void> _construct;
    private static delegate* unmanaged<nint, ulong, ulong, int, void> _captureBegin;
    private static delegate* unmanaged<nint, void> _captureEnd, _replay, _destroy;
    private static readonly Lazy<string?> Missing = new(Bind);

    /// <summary>Null when every symbol is exported by the loaded libtorch; otherwise why CUDA graphs cannot be used.</summary>
    public static string? WhyUnavailable => Missing.Value;

    private static string? Bind()
    {
        if (!NativeLibrary.TryLoad("libtorch_cuda.so", out var torchCuda) || !NativeLibrary.TryLoad("libc10_cuda.so", out var c10Cuda))
            return "libtorch_cuda.so or libc10_cuda.so is not loaded (a CPU-only libtorch)";
        var missing = new List<string>();
        nint Export(nint library, string name)
        {
            if (NativeLibrary.TryGetExport(library, name, out var address)) return address;
            missing.Add(name);
            return 0;
        }
        _streamFromPool = (delegate* unmanaged<byte, sbyte, Stream>)Export(c10Cuda, "_ZN3c104cuda17getStreamFromPoolEba");
        _currentStream = (delegate* unmanaged<sbyte, Stream>)Export(c10Cuda, "_ZN3c104cuda20getCurrentCUDAStreamEa");
        _setCurrentStream = (delegate* unmanaged<Stream, void>)Export(c10Cuda, "_ZN3c104cuda20setCurrentCUDAStreamENS0_10CUDAStreamE");
        _construct = (delegate* unmanaged<nint, byte, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraphC1Eb");
        _captureBegin = (delegate* unmanaged<nint, ulong, ulong, int, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraph13capture_beginESt4pairIyyE21cudaStreamCaptureMode");
        _captureEnd = (delegate* unmanaged<nint, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraph11capture_endEv");
        _replay = (delegate* unmanaged<nint, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraph6replayEv");
        _destroy = (delegate* unmanaged<nint, void>)Export(torchCuda, "_ZN2at4cuda9CUDAGraphD1Ev");
        return missing.Count == 0 ? null : "the loaded libtorch does not export " + string.Join(", ", missing);
    }

    private static void Require()
    {
        if (WhyUnavailable is { } why) throw new NotSupportedException($"CUDA graphs are unavailable: {why}.");
    }

    /// <summary>A stream from libtorch's pool for the current device (capture refuses the default stream).</summary>
    public static Stream StreamFromPool()
    {
        Require();
        return _streamFromPool(0, -1);
    }

    public static Stream CurrentStream()
    {
        Require();
        return _currentStream(-1);
    }

    /// <summary>Makes <paramref name="stream"/> the calling thread's current stream (libtorch's is thread-local).</summary>
    public static void SetCurrentStream(Stream stream)
    {
        Require();
        _setCurrentStream(stream);
    }

    public static void Construct(nint graph) => _construct(graph, 0);

    /// <summary>Begins capture on the current stream into a new private memory pool, in global capture mode.</summary>
    public static void CaptureBegin(nint graph) => _captureBegin(graph, 0, 0, 0);

    public static void CaptureEnd(nint graph) => _captureEnd(graph);

    /// <summary>Launches the graph on the current stream.</summary>
    public static void Replay(nint graph) => _replay(graph);

    /// <summary>Runs the destructor, which releases the graph and its memory pool.</summary>
    public static void Destroy(nint graph) => _destroy(graph);
}

/// <summary>
/// A training step replayed as one CUDA graph: the first <see cref="WarmupSteps"/> calls of <see cref="Run"/> run the
/// step eagerly on a side stream (first-use work, such as cuBLAS's per-stream workspace and the gradients' storage,
/// must not happen during capture), the next one captures it and replays it, and every later one replays it: one
/// launch instead of the step's thousands of kernels. The step must read its per-call inputs from tensors that live
/// as long as this object (fill them before <see cref="Run"/>), make no host synchronisation (no <c>item()</c>, no
/// copies from or to the CPU), draw random numbers only from the CUDA device's default generator (each replay draws
/// fresh ones), and take every host number it uses as fixed: a number that changes (a temperature, a learning rate)
/// needs <see cref="Invalidate"/>, or a device tensor. Host bookkeeping the step must keep doing (an optimiser's step
/// count) goes through <see cref="HostWork"/>. Not thread-safe; one per step.
/// </summary>
internal sealed unsafe class CudaGraphStep : IDisposable
{
    /// <summary>
    /// Whether a GAN's training replays its steps as CUDA graphs, from its <c>CudaGraphs</c> option: false never; true
    /// on a GPU whose libtorch exports the graph API, an error elsewhere naming <paramref name="gan"/>'s option; null
    /// as <paramref name="onByDefault"/> says, quietly falling back to eager steps where graphs are unavailable.
    /// </summary>
    public static bool Wanted(string gan, bool? option, bool onByDefault, Device device)
    {
        if (option == false || (option is null && !onByDefault)) return false;
        if (EmulatedForTests) return option == true;
        if (device.type != DeviceType.CUDA)
            return option == true
                ? throw new ArgumentException($"{gan} option CudaGraphs is true, but training runs on the {device.type}; CUDA graphs need a GPU.")
                : false;
        if (CudaGraphApi.WhyUnavailable is { } why)
            return option == true ? throw new NotSupportedException($"{gan} option CudaGraphs is true, but {why}.") : false;
        return true;
    }

    /// <summary>
    /// Tests only: with this set, <c>CudaGraphs = true</c> is accepted on any device and <see cref="Run"/> calls the step
    /// eagerly in a real run's order (warm-ups, the capturing call, replays whose host work is left to what the capture
    /// recorded with <see cref="HostWork"/>). What a GAN does around its graphs (the static inputs it fills, the
    /// outputs it reads, the capturable optimiser, the optimisers' step counts) then runs on the CPU and can be compared
    /// with its eager path; other host values frozen into a graph, and host synchronisation, need a GPU to show.
    /// </summary>
    internal static bool EmulatedForTests { get; set; }

    /// <summary>
    /// Host bookkeeping inside a step (an optimiser counting its steps), done through here so that a graph keeps doing
    /// it: <paramref name="work"/> runs now, and when the step is being captured it is also kept and repeated after
    /// every later replay of that graph, which runs the captured kernels only. Inside an emulated replay (tests), which
    /// calls the step eagerly, it does not run now: the replay repeats the recorded copy, as a real replay does.
    /// </summary>
    public static void HostWork(Action work)
    {
        if (!_replaying) work();
        _capturing?._hostWorkPerReplay.Add(work);
    }

    /// <summary>Whether a step is being captured on this thread (emulated captures in tests included).</summary>
    public static bool Capturing => _capturing is not null;

    /// <summary>Eager calls before the capture, as PyTorch's documentation recommends (it warms up for three).</summary>
    public const int WarmupSteps = 2;
    // sizeof(at::cuda::CUDAGraph) is not exported. Constructing and capturing in a 4 KiB block filled with a marker
    // wrote 98 bytes of it with PyTorch 2.11 (bench/gpu/graphs.sh); other versions add members, hence the margin.
    private const int GraphBytes = 4096;
    // The managed memory a step may allocate during capture without a garbage collection (tensor wrappers, lists):
    // a finalizer that frees a tensor on another thread while the stream captures could make a CUDA call that global
    // capture mode forbids.
    private const long CaptureManagedBytes = 16 << 20;

    private readonly Func<Tensor[]> _step;
    // Host bookkeeping the step did while it was captured (an optimiser's step counter), which a replay must repeat:
    // a replay runs the captured kernels only.
    private readonly List<Action> _hostWorkPerReplay = [];
    [ThreadStatic] private static CudaGraphStep? _capturing;
    // True while an emulated replay (tests) calls the step eagerly; never on a GPU, where a replay does not call it.
    [ThreadStatic] private static bool _replaying;
    // Emulated (tests): whether the call that stands for the capture has run.
    private bool _emulatedCapture;
    private readonly CudaGraphApi.Stream _side;
    private nint _graph;
    private Tensor[] _outputs = [];
    private int _warmups;
    // Set when a capture failed: the stream is left capturing, and any synchronising call would throw over the cause.
    private bool _captureFailed;

    /// <param name="step">The step: returns its outputs (the losses), which each replay overwrites in place.</param>
    public CudaGraphStep(Func<Tensor[]> step)
    {
        _step = step;
        if (EmulatedForTests) return;
        if (CudaGraphApi.WhyUnavailable is { } why) throw new NotSupportedException($"CUDA graphs are unavailable: {why}.");
        _side = CudaGraphApi.StreamFromPool();
    }

    /// <summary>Runs the step once; returns copies of its outputs (in the caller's dispose scope).</summary>
    public Tensor[] Run()
    {
        if (EmulatedForTests) return RunEmulated();
        if (_captureFailed) throw new InvalidOperationException("This step's CUDA graph capture failed earlier; it cannot run again in this process.");
        if (_graph == 0 && _warmups < WarmupSteps)
        {
            _warmups++;
            return OnSideStream(_step);
        }
        // The capturing call did the host bookkeeping itself; later replays repeat it.
        bool captured = _graph == 0;
        if (captured) Capture();
        CudaGraphApi.Replay(_graph);
        if (!captured) foreach (var work in _hostWorkPerReplay) work();
        return _outputs.Select(o => o.clone()).ToArray();
    }

    /// <summary>
    /// <see cref="Run"/> without a GPU, in the same order of calls: warm-ups, then the call that stands for the capture
    /// (it records the host work, as a capture does), then replays, which run the step eagerly with that host work left to
    /// the recorded copies (<see cref="HostWork"/>), as a real replay leaves it.
    /// </summary>
    private Tensor[] RunEmulated()
    {
        if (_warmups < WarmupSteps)
        {
            _warmups++;
            return _step();
        }
        if (!_emulatedCapture)
        {
            _emulatedCapture = true;
            _capturing = this;
            try { return _step(); }
            finally { _capturing = null; }
        }
        Tensor[] outputs;
        _replaying = true;
        try { outputs = _step(); }
        finally { _replaying = false; }
        foreach (var work in _hostWorkPerReplay) work();
        return outputs;
    }

    /// <summary>Drops the graph (and its memory): the next <see cref="Run"/> captures again (the side stream stays warm).</summary>
    public void Invalidate()
    {
        if (EmulatedForTests)
        {
            _emulatedCapture = false;
            _hostWorkPerReplay.Clear();
            return;
        }
        if (_graph == 0 || _captureFailed) return;
        cuda.synchronize();
        foreach (var o in _outputs) o.Dispose();
        _outputs = [];
        _hostWorkPerReplay.Clear();
        CudaGraphApi.Destroy(_graph);
        NativeMemory.Free((void*)_graph);
        _graph = 0;
    }

    private Tensor[] OnSideStream(Func<Tensor[]> action)
    {
        var previous = CudaGraphApi.CurrentStream();
        // The side stream starts after the work queued so far and ends before anything queued later.
        cuda.synchronize();
        CudaGraphApi.SetCurrentStream(_side);
        try
        {
            if (CudaGraphApi.CurrentStream().Id != _side.Id) throw new InvalidOperationException("setCurrentCUDAStream did not take effect.");
            return action();
        }
        finally
        {
            CudaGraphApi.SetCurrentStream(previous);
            if (!_captureFailed) cuda.synchronize();
        }
    }

    private void Capture()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        _graph = (nint)NativeMemory.AllocZeroed(GraphBytes);
        CudaGraphApi.Construct(_graph);
        _outputs = OnSideStream(() =>
        {
            // After the collection above, so that the region starts with the room it asks for.
            using var noGc = NoGarbageCollection.Begin(CaptureManagedBytes);
            CudaGraphApi.CaptureBegin(_graph);
            Tensor[] outputs;
            try
            {
                _capturing = this;
                outputs = _step();
            }
            catch (Exception e)
            {
                // Ending or destroying the capture would throw a C++ exception through this frame, which ends the
                // process; the stream stays capturing and the graph object is left allocated.
                _captureFailed = true;
                throw new InvalidOperationException("Capturing the training step as a CUDA graph failed; the GPU is left unusable "
                    + "for this process. Train with CUDA graphs off (the estimator's CudaGraphs = false). " + e.Message, e);
            }
            finally
            {
                _capturing = null;
            }
            CudaGraphApi.CaptureEnd(_graph);
            // The outputs live in the graph's memory pool, rewritten by every replay: owned here, not by a scope.
            return outputs.Select(o => o.DetachFromDisposeScope()).ToArray();
        });
    }

    public void Dispose() => Invalidate();
}
