"""What the *_step.py benchmarks share: the run options, the device set-up, parameter and GPU-memory counts."""
import torch


def add_run_arguments(parser, reps=10):
    """--device, --warmup, --reps, --cudnn-benchmark, --threads and --out, as every step script (and the C# bench) takes them."""
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reps", type=int, default=reps)
    parser.add_argument("--cudnn-benchmark", action="store_true")
    parser.add_argument("--tf32", action="store_true", help="TF32 for matrix products (off by default; cuDNN convolutions use it already)")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--out")


def device_of(args):
    """Applies --cudnn-benchmark, --tf32 and --threads and returns the --device."""
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    return torch.device(args.device)


def settings(args):
    """The speed settings a run used, as every step script records them in its JSON."""
    return {"cudnn_benchmark": args.cudnn_benchmark, "tf32": args.tf32, "threads": args.threads}


def gpu_memory(device):
    """Peak allocated by tensors, and in use on the device (what the C# harness reads: cudaMemGetInfo's total - free)."""
    if device.type != "cuda":
        return None
    free, total = torch.cuda.mem_get_info(device)
    return {"max_allocated_mib": torch.cuda.max_memory_allocated(device) / 2 ** 20, "in_use_mib": (total - free) / 2 ** 20}


def count(module):
    return sum(p.numel() for p in module.parameters())


def capture(step, *inputs, warmups=3):
    """torch.cuda.graph's recipe: `warmups` eager calls of step(*inputs) on a side stream, then one call captured.
    Returns the graph and the captured call's outputs, which every replay rewrites in place."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(warmups):
            step(*inputs)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        outputs = step(*inputs)
    return graph, outputs
