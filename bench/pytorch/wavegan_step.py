"""WaveGAN training-step time in PyTorch, for the C# / PyTorch ratio in BENCHMARKS.md.

The same step as `dotnet run -c Release --project bench/Microsoft.ML.Gan.Bench -- steps --gans wavegan`
(WaveGanModel.TrainStep): the official WaveGAN networks for 16,384-sample slices (generator: dense z -> 16 x 16d,
ReLU, five transposed convolutions of kernel 25 and stride 4 with TensorFlow's 'same' padding, tanh; critic: five
convolutions of kernel 25 and stride 4, LeakyReLU 0.2, phase shuffle of radius 2 after the first four, dense to 1),
Glorot-uniform weights and zero biases, WGAN-GP (lambda 10) with five critic updates on fresh real batches and fresh
z ~ U(-1, 1) then one generator update, Adam 1e-4 (0.5, 0.9) for both, every loss read with .item() per step as the
library's training loop does. Real clips are random (the step's cost does not depend on them) and move to the device
per batch, as the library's do. A benchmark only: the library never needs Python.

    python3 bench/pytorch/wavegan_step.py --device cuda --batch 64 --model-size 64
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

    def forward(self, z):
        x = self.z_project(z).view(-1, INITIAL, self.first).transpose(1, 2).relu()
        for i, conv in enumerate(self.upconv):
            x = conv(x).narrow(-1, 0, x.shape[-1] * STRIDE)
            x = x.relu() if i < LAYERS - 1 else x.tanh()
        return x


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

    def forward(self, x):
        for i, conv in enumerate(self.downconv):
            pad = KERNEL - STRIDE
            x = F.leaky_relu(conv(F.pad(x, (pad // 2, pad - pad // 2))), 0.2)
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
    add_run_arguments(parser)
    a = parser.parse_args()
    device = device_of(a)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    rnd = random.Random(2)
    g, d = Generator(100, a.model_size), Critic(a.model_size, 2, rnd)
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

    def step():
        losses = []
        for k in range(updates):
            opt_d.zero_grad()
            real = clips[k * a.batch:(k + 1) * a.batch].to(device)
            with torch.no_grad():
                fake = g(latent())
            alpha = torch.rand(a.batch, 1, 1, device=device)
            x = (real + alpha * (fake - real)).detach().requires_grad_(True)
            grad, = torch.autograd.grad(d(x).sum(), x, create_graph=True)
            penalty = ((grad.flatten(1).pow(2).sum(1).sqrt() - 1) ** 2).mean()
            loss = d(fake).mean() - d(real).mean() + 10 * penalty
            loss.backward()
            opt_d.step()
            losses += [loss.detach(), penalty.detach()]
        for p in d.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad()
        loss_g = -d(g(latent())).mean()
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
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [med, med, med]
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    memory = gpu_memory(device)
    if memory:
        print(f"GPU memory: {memory}")
    print(f"pytorch {torch.__version__} WaveGAN step (5 D + 1 G) on {name}: d = {a.model_size}, batch {a.batch}, "
          f"cuDNN autotuning {'on' if a.cudnn_benchmark else 'off'}; parameters G {count(g):,} / D {count(d):,}: "
          f"median {med:.1f} ms (IQR {q[0]:.1f}-{q[2]:.1f}, min-max {min(times):.1f}-{max(times):.1f}, {a.reps} steps)")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "device": name, "gpu_memory": memory, "batch": a.batch, "model_size": a.model_size,
                       "settings": settings(a), "generator_parameters": count(g),
                       "discriminator_parameters": count(d), "median_ms": med, "samples_ms": times}, f, indent=1)


if __name__ == "__main__":
    main()
