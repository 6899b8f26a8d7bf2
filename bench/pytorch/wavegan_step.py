"""WaveGAN training-step time in PyTorch, for the C# / PyTorch ratio in BENCHMARKS.md.

The same step as `dotnet run -c Release --project bench/Microsoft.ML.Gan.Bench -- steps --gans wavegan`
(WaveGanModel.TrainStep): the official WaveGAN networks for 16,384-sample slices (generator: dense z -> 16 x 16d,
ReLU, five transposed convolutions of kernel 25 and stride 4 with TensorFlow's 'same' padding, tanh; critic: five
convolutions of kernel 25 and stride 4, LeakyReLU 0.2, phase shuffle of radius 2 after the first four, dense to 1),
Glorot-uniform weights and zero biases, WGAN-GP (lambda 10) with five critic updates on fresh real batches and fresh
z ~ U(-1, 1) then one generator update, Adam 1e-4 (0.5, 0.9) for both, every loss read with .item() per step as the
library's training loop does. Real clips are random (the step's cost does not depend on them) and move to the device
per batch, as the library's do. A benchmark only: the library never needs Python.

--autocast bf16 runs every forward pass of G and D under torch.autocast in bfloat16 and returns float32, as the
library's MixedPrecision option does (weights, gradients, Adam and the losses stay float32). --flops counts one step's
floating-point operations (torch.utils.flop_counter) and prints the rate the median step reaches; --profile prints the
kernels that take most of the GPU's time over a few steps (torch.profiler). --matmul critic computes the critic's
convolutions as the library's ConvolutionForm.MatrixProduct does (windows by unfold, one matrix product with the
weights), --matmul both also the generator's transposed convolutions (one product, then an overlap-add by F.fold), so
that PyTorch can profile the same operations; --tf32 (every script's) lets those products use TF32, as the library does
on a GPU.

    python3 bench/pytorch/wavegan_step.py --device cuda --batch 64 --model-size 64 [--autocast bf16] [--flops] [--profile]
        [--matmul critic|both] [--tf32]
"""
import argparse
import json
import random
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from step_common import add_run_arguments, count, device_of, gpu_memory, settings

KERNEL, STRIDE, LAYERS, INITIAL = 25, 4, 5, 16


class Generator(nn.Module):
    def __init__(self, latent, d):
        super().__init__()
        channels = [d << (LAYERS - 1 - i) for i in range(LAYERS)] + [1]
        self.first = channels[0]
        self.z_project = nn.Linear(latent, INITIAL * channels[0])
        # TensorFlow's 'same' transposed convolution of stride 4 and kernel 25 crops 10 samples before, 11 after.
        self.upconv = nn.ModuleList(nn.ConvTranspose1d(channels[i], channels[i + 1], KERNEL, stride=STRIDE,
                                                       padding=(KERNEL - STRIDE) // 2) for i in range(LAYERS))

    matmul = False

    def forward(self, z):
        x = self.z_project(z).view(-1, INITIAL, self.first).transpose(1, 2).relu()
        for i, conv in enumerate(self.upconv):
            x = transposed_as_matmul(conv, x) if self.matmul else conv(x).narrow(-1, 0, x.shape[-1] * STRIDE)
            x = x.relu() if i < LAYERS - 1 else x.tanh()
        return x


def transposed_as_matmul(conv, x):
    """conv's transposed convolution with TensorFlow's 'same' crop: each sample's taps by one product, overlap-added."""
    batch, cin, length = x.shape
    cout, full = conv.out_channels, (length - 1) * STRIDE + KERNEL
    taps = x.transpose(1, 2).reshape(batch * length, cin) @ conv.weight.view(cin, cout * KERNEL)
    blocks = taps.view(batch, length, cout * KERNEL).transpose(1, 2)
    y = F.fold(blocks, (1, full), (1, KERNEL), stride=(1, STRIDE)).view(batch, cout, full)
    return y.narrow(2, (KERNEL - STRIDE) // 2, length * STRIDE) + conv.bias.view(1, cout, 1)


def conv_as_matmul(conv, padded):
    """conv's strided convolution of an already padded input: the windows (unfold) times the weights."""
    batch = padded.shape[0]
    windows = padded.unfold(2, KERNEL, STRIDE)
    length = windows.shape[2]
    rows = windows.permute(0, 2, 1, 3).reshape(batch * length, conv.in_channels * KERNEL)
    product = torch.addmm(conv.bias, rows, conv.weight.view(conv.out_channels, -1).t())
    return product.view(batch, length, conv.out_channels).transpose(1, 2)


class Critic(nn.Module):
    def __init__(self, d, radius, rnd):
        super().__init__()
        channels = ([d << (LAYERS - 1 - i) for i in range(LAYERS)] + [1])[::-1]
        self.downconv = nn.ModuleList(nn.Conv1d(channels[i], channels[i + 1], KERNEL, stride=STRIDE) for i in range(LAYERS))
        self.output = nn.Linear(INITIAL * channels[-1], 1)
        self.radius, self.rnd = radius, rnd

    def shuffle(self, x):
        phase = self.rnd.randrange(2 * self.radius + 1) - self.radius
        if phase == 0:
            return x
        left, right = max(phase, 0), max(-phase, 0)
        return F.pad(x, (left, right), mode="reflect").narrow(-1, right, x.shape[-1])

    matmul = False

    def forward(self, x):
        for i, conv in enumerate(self.downconv):
            pad = KERNEL - STRIDE
            padded = F.pad(x, (pad // 2, pad - pad // 2))
            x = F.leaky_relu(conv_as_matmul(conv, padded) if self.matmul else conv(padded), 0.2)
            if i < LAYERS - 1:
                x = self.shuffle(x)
        return self.output(x.transpose(1, 2).flatten(1)).squeeze(1)


def glorot(module, gen):
    with torch.no_grad():
        for p in module.parameters():
            if p.dim() == 1:
                p.zero_()
            else:
                field = p[0, 0].numel()
                limit = (6.0 / ((p.shape[0] + p.shape[1]) * field)) ** 0.5
                p.uniform_(-limit, limit, generator=gen)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--model-size", type=int, default=64)
    parser.add_argument("--autocast", choices=["off", "bf16"], default="off", help="forward passes in bfloat16 (see the module's doc)")
    parser.add_argument("--flops", action="store_true", help="count one step's floating-point operations")
    parser.add_argument("--profile", action="store_true", help="print the kernels that take most GPU time")
    parser.add_argument("--matmul", choices=["off", "critic", "both"], default="off", help="convolutions as matrix products (see the module's doc)")
    add_run_arguments(parser)
    a = parser.parse_args()
    device = device_of(a)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    rnd = random.Random(2)
    g, d = Generator(100, a.model_size), Critic(a.model_size, 2, rnd)
    d.matmul, g.matmul = a.matmul != "off", a.matmul == "both"
    glorot(g, gen)
    glorot(d, gen)
    g.to(device)
    d.to(device)
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-4, betas=(0.5, 0.9))
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.5, 0.9))
    updates = 5
    clips = torch.rand(a.batch * updates, 1, 16384, generator=gen) * 2 - 1

    def latent():
        return (torch.rand(a.batch, 100, generator=gen) * 2 - 1).to(device)

    def forward(network, x):
        if a.autocast == "off":
            return network(x)
        with torch.autocast(device.type, dtype=torch.bfloat16):
            return network(x).float()

    def step():
        losses = []
        for k in range(updates):
            opt_d.zero_grad()
            real = clips[k * a.batch:(k + 1) * a.batch].to(device)
            with torch.no_grad():
                fake = forward(g, latent())
            alpha = torch.rand(a.batch, 1, 1, device=device)
            x = (real + alpha * (fake - real)).detach().requires_grad_(True)
            grad, = torch.autograd.grad(forward(d, x).sum(), x, create_graph=True)
            penalty = ((grad.flatten(1).pow(2).sum(1).sqrt() - 1) ** 2).mean()
            loss = forward(d, fake).mean() - forward(d, real).mean() + 10 * penalty
            loss.backward()
            opt_d.step()
            losses += [loss.detach(), penalty.detach()]
        for p in d.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad()
        loss_g = -forward(d, forward(g, latent())).mean()
        loss_g.backward()
        opt_g.step()
        for p in d.parameters():
            p.requires_grad_(True)
        torch.stack(losses[0::2]).mean().item()
        loss_g.item()
        torch.stack(losses[1::2]).mean().item()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.reps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    med = statistics.median(times)
    flops = None
    if a.flops:
        try:
            flops = count_flops(step)
        except Exception as e:  # a counting failure must not cost the timing already measured
            print(f"FLOP count failed: {e}")
    if flops:
        print(f"one step: {flops / 1e12:.2f} TFLOP, {flops / 1e12 / (med / 1000):.1f} TFLOP/s at the median step")
    if a.profile:
        print_profile(step, device)
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [med, med, med]
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    memory = gpu_memory(device)
    if memory:
        print(f"GPU memory: {memory}")
    print(f"pytorch {torch.__version__} WaveGAN step (5 D + 1 G) on {name}: d = {a.model_size}, batch {a.batch}, "
          f"cuDNN autotuning {'on' if a.cudnn_benchmark else 'off'}, autocast {a.autocast}, matrix products {a.matmul}{' (TF32)' if a.tf32 else ''}; parameters G {count(g):,} / D {count(d):,}: "
          f"median {med:.1f} ms (IQR {q[0]:.1f}-{q[2]:.1f}, min-max {min(times):.1f}-{max(times):.1f}, {a.reps} steps)")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "device": name, "gpu_memory": memory, "batch": a.batch, "model_size": a.model_size,
                       "settings": settings(a), "autocast": a.autocast, "matmul": a.matmul, "flops": flops, "generator_parameters": count(g),
                       "discriminator_parameters": count(d), "median_ms": med, "samples_ms": times}, f, indent=1)


def count_flops(step):
    """Floating-point operations of one step (matrix products and convolutions, as torch.utils.flop_counter counts).

    FlopCounterMode itself cannot: its module tracker's backward hooks fail under the penalty's
    autograd.grad(create_graph=True) (torch 2.11: "A leaf node was passed to _will_engine_execute_node"), so the same
    per-operator formulas (flop_registry) are applied by a dispatch mode without module tracking."""
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils.flop_counter import flop_registry

    class Count(TorchDispatchMode):
        total = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            formula = flop_registry.get(func._overloadpacket)
            if formula is not None:
                Count.total += formula(*args, **kwargs, out_val=out)
            return out

    with Count():
        step()
    return Count.total


def print_profile(step, device, steps=3):
    """The 25 kernels with the most device time over `steps` steps."""
    from torch.profiler import ProfilerActivity, profile
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=activities) as prof:
        for _ in range(steps):
            step()
    key = "cuda_time_total" if device.type == "cuda" else "cpu_time_total"
    print(prof.key_averages().table(sort_by=key, row_limit=25, max_name_column_width=90))


if __name__ == "__main__":
    main()
