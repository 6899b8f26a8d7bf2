"""Can CUDA graphs be driven through libtorch's exported C++ API alone, as a C# program without a native shim would?

Stage 1 of bench/gpu/CUDA-GRAPHS.md, on the GPU machine's PyTorch, nothing compiled: it calls at::cuda::CUDAGraph and
c10::cuda's stream functions through ctypes by their mangled names (the calls a TorchSharp program would make through
function pointers), then checks the replays against eager execution and against torch.cuda.graph, and times them.

  python3 bench/gpu/graphs_probe.py              # symbols, then each experiment in its own process (a crash is reported, not fatal)
  python3 bench/gpu/graphs_probe.py --run NAME   # one experiment: basic, sgd, penalty, timing
"""
import argparse
import ctypes
import gc
import os
import subprocess
import sys
import time

import torch

LIB = os.path.join(os.path.dirname(torch.__file__), "lib")
NAMES = {
    "graph_ctor": ("libtorch_cuda.so", "_ZN2at4cuda9CUDAGraphC1Eb"),
    "capture_begin": ("libtorch_cuda.so", "_ZN2at4cuda9CUDAGraph13capture_beginESt4pairIyyE21cudaStreamCaptureMode"),
    "capture_end": ("libtorch_cuda.so", "_ZN2at4cuda9CUDAGraph11capture_endEv"),
    "replay": ("libtorch_cuda.so", "_ZN2at4cuda9CUDAGraph6replayEv"),
    "graph_dtor": ("libtorch_cuda.so", "_ZN2at4cuda9CUDAGraphD1Ev"),
    "stream_from_pool": ("libc10_cuda.so", "_ZN3c104cuda17getStreamFromPoolEba"),
    "current_stream": ("libc10_cuda.so", "_ZN3c104cuda20getCurrentCUDAStreamEa"),
    "set_current_stream": ("libc10_cuda.so", "_ZN3c104cuda20setCurrentCUDAStreamENS0_10CUDAStreamE"),
}
GRAPH_BYTES = 4096  # sizeof(CUDAGraph) is not exported; the header adds up to a few hundred bytes


class CudaStream(ctypes.Structure):
    """c10::cuda::CUDAStream by value: a c10::Stream, {device type int8, device index int8, padding, StreamId int64}."""
    _fields_ = [("device_word", ctypes.c_uint64), ("id", ctypes.c_int64)]


def symbols():
    """Looks every name up without calling it; returns the functions, or None with the missing names printed."""
    found, missing = {}, []
    for key, (library, name) in NAMES.items():
        try:
            found[key] = getattr(ctypes.CDLL(os.path.join(LIB, library)), name)
        except (OSError, AttributeError) as e:
            missing.append(f"{key}: {library} {name} ({e})")
    for line in missing:
        print("MISSING", line)
    return None if missing else found


class Api:
    """The exported calls with their C signatures; `this` is the first argument of a member function."""

    def __init__(self):
        f = symbols()
        if f is None:
            raise SystemExit("symbols missing: see MISSING lines (check the names with nm -D --defined-only | c++filt)")
        f["stream_from_pool"].restype, f["stream_from_pool"].argtypes = CudaStream, [ctypes.c_bool, ctypes.c_int8]
        f["current_stream"].restype, f["current_stream"].argtypes = CudaStream, [ctypes.c_int8]
        f["set_current_stream"].restype, f["set_current_stream"].argtypes = None, [CudaStream]
        f["graph_ctor"].restype, f["graph_ctor"].argtypes = None, [ctypes.c_void_p, ctypes.c_bool]
        f["capture_begin"].restype = None
        f["capture_begin"].argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_int]
        for key in ("capture_end", "replay", "graph_dtor"):
            f[key].restype, f[key].argtypes = None, [ctypes.c_void_p]
        self.f = f

    def capture(self, step, warmup=3):
        """
        Warms `step` up on a pool stream (capture refuses the default stream), captures one call of it and returns the
        graph. A captured call is recorded, not run: after this the step has run `warmup` times.
        """
        f = self.f
        side = f["stream_from_pool"](False, -1)
        previous = f["current_stream"](-1)
        torch.cuda.synchronize()
        gc.collect()  # as torch.cuda.graph does before capturing
        f["set_current_stream"](side)
        try:
            current = torch.cuda.current_stream()
            if current.stream_id != side.id:
                raise RuntimeError(f"setCurrentCUDAStream did not take: torch sees stream {current.stream_id}, set {side.id}")
            for _ in range(warmup):
                step()
            torch.cuda.synchronize()
            graph = ctypes.create_string_buffer(GRAPH_BYTES)
            ctypes.memset(graph, 0xAB, GRAPH_BYTES)
            f["graph_ctor"](graph, False)
            f["capture_begin"](graph, 0, 0, 0)  # a new private pool, cudaStreamCaptureModeGlobal
            step()
            f["capture_end"](graph)
        finally:
            f["set_current_stream"](previous)
        raw = graph.raw
        used = max(i for i in range(GRAPH_BYTES) if raw[i] != 0xAB) + 1
        print(f"graph object: bytes written by the constructor and capture: {used} of {GRAPH_BYTES} (a lower bound on its size)")
        return graph

    def replay(self, graph):
        """Launches the graph on the current stream (the default one here), after the work queued there before it."""
        self.f["replay"](graph)


def basic(api):
    x = torch.randn(1 << 16, device="cuda")
    out = {}

    def step():
        out["y"] = x * 2 + 1

    graph = api.capture(step)
    for _ in range(3):
        x.copy_(torch.randn_like(x))
        api.replay(graph)
        torch.cuda.synchronize()
        error = (out["y"] - (x * 2 + 1)).abs().max().item()
        print(f"basic: replay against eager, max abs difference {error:.3g}")
        if error > 0:
            raise SystemExit("FAIL basic")
    print("PASS basic")


def make_mlp(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.Tanh(), torch.nn.Linear(128, 1)).cuda()


def sgd_step(model, x, target, lr=0.01):
    """Forward, backward and an in-place SGD update: no host scalar changes between steps, so capture is faithful."""
    for p in model.parameters():
        if p.grad is not None:
            p.grad.zero_()
    loss = ((model(x) - target) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(p.grad, alpha=-lr)
    return loss


def sgd(api):
    x, target = torch.randn(256, 64, device="cuda"), torch.randn(256, 1, device="cuda")
    eager, graphed = make_mlp(1), make_mlp(1)
    # capture() runs 3 warm-up steps and records a 4th without running it; eager takes the same 3, then both take 5.
    graph = api.capture(lambda: sgd_step(graphed, x, target))
    for _ in range(3):
        sgd_step(eager, x, target)
    for _ in range(5):
        api.replay(graph)
        sgd_step(eager, x, target)
    torch.cuda.synchronize()
    error = max((a - b).abs().max().item() for a, b in zip(eager.parameters(), graphed.parameters()))
    print(f"sgd: parameters after 8 steps (5 replays), max abs difference from eager {error:.3g}")
    if error > 1e-5:
        raise SystemExit("FAIL sgd")
    print("PASS sgd")


def penalty_step(cell, head, walks, lr=0.01):
    """A NetGAN-like critic step: LSTM-cell steps written in tensor ops, and a gradient penalty (double backward)."""
    for p in list(cell.parameters()) + list(head.parameters()):
        if p.grad is not None:
            p.grad.zero_()
    walks = walks.detach().requires_grad_(True)
    h = torch.zeros(walks.shape[0], 30, device="cuda")
    c = torch.zeros_like(h)
    for t in range(walks.shape[1]):
        i, j, f, o = cell(torch.cat([walks[:, t], h], 1)).chunk(4, 1)
        c = c * torch.sigmoid(f + 1) + torch.sigmoid(i) * torch.tanh(j)
        h = torch.tanh(c) * torch.sigmoid(o)
    score = head(h).sum()
    (grad,) = torch.autograd.grad(score, walks, create_graph=True)
    loss = -score / walks.shape[0] + 10 * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in list(cell.parameters()) + list(head.parameters()):
            p.add_(p.grad, alpha=-lr)


def penalty(api):
    walks = torch.randn(128, 16, 32, device="cuda")

    def networks():
        torch.manual_seed(2)
        return torch.nn.Linear(32 + 30, 4 * 30).cuda(), torch.nn.Linear(30, 1).cuda()

    eager, graphed = networks(), networks()
    graph = api.capture(lambda: penalty_step(*graphed, walks))
    for _ in range(3):
        penalty_step(*eager, walks)
    for _ in range(5):
        api.replay(graph)
        penalty_step(*eager, walks)
    torch.cuda.synchronize()
    params = lambda pair: [p for m in pair for p in m.parameters()]
    error = max((a - b).abs().max().item() for a, b in zip(params(eager), params(graphed)))
    print(f"penalty: parameters after 8 steps (5 replays), max abs difference from eager {error:.3g}")
    if error > 1e-4:
        raise SystemExit("FAIL penalty")
    print("PASS penalty")


def timing(api):
    walks = torch.randn(128, 16, 32, device="cuda")
    cell, head = torch.nn.Linear(32 + 30, 4 * 30).cuda(), torch.nn.Linear(30, 1).cuda()
    step = lambda: penalty_step(cell, head, walks)

    def median_ms(run, reps=50):
        times = []
        for _ in range(reps):
            torch.cuda.synchronize()
            start = time.perf_counter()
            run()
            torch.cuda.synchronize()
            times.append(1000 * (time.perf_counter() - start))
        return sorted(times)[reps // 2]

    eager = median_ms(step)
    graph = api.capture(step)
    ours = median_ms(lambda: api.replay(graph))
    torch_graph = torch.cuda.CUDAGraph()
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):
            step()
    torch.cuda.current_stream().wait_stream(stream)
    with torch.cuda.graph(torch_graph):
        step()
    theirs = median_ms(torch_graph.replay)
    print(f"timing, critic step with gradient penalty (median of 50): eager {eager:.2f} ms, replay through the C++ API "
          f"{ours:.2f} ms ({eager / ours:.1f}x), torch.cuda.graph replay {theirs:.2f} ms")


EXPERIMENTS = {"basic": basic, "sgd": sgd, "penalty": penalty, "timing": timing}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", choices=sorted(EXPERIMENTS))
    args = parser.parse_args()
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'}")
    if not torch.cuda.is_available():
        raise SystemExit("needs a CUDA GPU")
    if args.run:
        EXPERIMENTS[args.run](Api())
        return
    if symbols() is None:
        raise SystemExit("FAIL symbols")
    print("PASS symbols")
    for name in EXPERIMENTS:
        # Each in its own process: a C++ exception or a wrong signature kills that process only.
        result = subprocess.run([sys.executable, __file__, "--run", name], capture_output=True, text=True, timeout=120)
        print(result.stdout.strip())
        if result.returncode != 0:
            print(f"{name}: exit code {result.returncode}\n{result.stderr.strip()[-2000:]}")


if __name__ == "__main__":
    main()
