"""CycleGAN training-step time in PyTorch, for the C# / PyTorch ratio in BENCHMARKS.md.

The same step as `dotnet run -c Release --project bench/Microsoft.ML.Gan.Bench -- step` (CycleGanModel.TrainStep):
the official ResnetGenerator / PatchGAN networks (instance norm without affine, reflect padding), N(0, 0.02)
initialisation, LSGAN + cycle (10) + identity (0.5 x 10) losses, G update then D update with a 50-image history
pool, Adam(2e-4, 0.5, 0.999), the resize-crop-flip augmentation on the CPU (--augment-on device: on the training
device, as the library does since 2026-11-27), and every loss read with .item() each step as the library's training
loop does. A benchmark only: the library never needs Python.

--cuda-graph replays the generators' update and the discriminators' update each as a CUDA graph (torch.cuda.graph,
sharing one memory pool, after 3 warm-up steps on a side stream), with the history pool between them: capturable
Adam, the augmented images and the pool's answers copied into static tensors before each replay. The library's
counterpart is CycleGAN's CudaGraphs option.

    python3 bench/pytorch/cyclegan_step.py --device cuda --sizes 64,128 --blocks 6 --ngf 64 --ndf 64 [--cudnn-benchmark]
"""
import argparse
import json
import random
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from step_common import add_run_arguments, device_of, gpu_memory, settings


def norm(c):
    return nn.InstanceNorm2d(c, affine=False, track_running_stats=False)


class ResnetBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), norm(dim), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), norm(dim))

    def forward(self, x):
        return x + self.conv_block(x)


def resnet_generator(blocks, ngf):
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), norm(ngf), nn.ReLU(True)]
    for i in range(2):
        m = 2 ** i
        layers += [nn.Conv2d(ngf * m, ngf * m * 2, 3, stride=2, padding=1), norm(ngf * m * 2), nn.ReLU(True)]
    layers += [ResnetBlock(ngf * 4) for _ in range(blocks)]
    for i in range(2):
        m = 2 ** (2 - i)
        layers += [nn.ConvTranspose2d(ngf * m, ngf * m // 2, 3, stride=2, padding=1, output_padding=1),
                   norm(ngf * m // 2), nn.ReLU(True)]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7), nn.Tanh()]
    return nn.Sequential(*layers)


def patch_discriminator(ndf, n_layers=3):
    layers = [nn.Conv2d(3, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, n_layers + 1):
        prev, mult = mult, min(2 ** n, 8)
        layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, stride=2 if n < n_layers else 1, padding=1),
                   norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    layers += [nn.Conv2d(ndf * mult, 1, 4, stride=1, padding=1)]
    return nn.Sequential(*layers)


def init_normal(net, gen):
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            else:
                p.normal_(0, 0.02, generator=gen)


class Pool:
    def __init__(self, size):
        self.size, self.images = size, []

    def query(self, batch, rnd):
        out = []
        for image in batch.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
            elif rnd.random() > 0.5:
                i = rnd.randrange(self.size)
                out.append(self.images[i].clone())
                self.images[i] = image.clone()
            else:
                out.append(image)
        return torch.cat(out, 0)


def augment(batch, load, rnd):
    h, w = batch.shape[2], batch.shape[3]
    out = []
    for image in batch:
        image = F.interpolate(image.unsqueeze(0), size=(load, load), mode="bicubic", align_corners=False).clamp(-1, 1)
        top, left = rnd.randrange(load - h + 1), rnd.randrange(load - w + 1)
        image = image[:, :, top:top + h, left:left + w]
        out.append(image.flip(3) if rnd.random() < 0.5 else image)
    return torch.cat(out, 0)


def lsgan(pred, real):
    return ((pred - 1) if real else pred).pow(2).mean()


def time_steps(size, blocks, ngf, ndf, batch, warmup, reps, device, augment_device, graphed=False):
    gen = torch.Generator().manual_seed(1)
    g_a, g_b = resnet_generator(blocks, ngf), resnet_generator(blocks, ngf)
    d_a, d_b = patch_discriminator(ndf), patch_discriminator(ndf)
    for net in (g_a, g_b, d_a, d_b):
        init_normal(net, gen)
        net.to(device)
    opt_g = torch.optim.Adam(list(g_a.parameters()) + list(g_b.parameters()), lr=2e-4, betas=(0.5, 0.999), capturable=graphed)
    opt_d = torch.optim.Adam(list(d_a.parameters()) + list(d_b.parameters()), lr=2e-4, betas=(0.5, 0.999), capturable=graphed)
    images = max(4, batch * 4)
    data_a = torch.rand(images, 3, size, size, generator=gen) * 2 - 1
    data_b = torch.rand(images, 3, size, size, generator=gen) * 2 - 1
    pool_a, pool_b = Pool(50), Pool(50)
    rnd = random.Random(2)
    load = round(size * 286 / 256)
    lam, idt = 10.0, 0.5

    def real_images():
        real_a = augment(data_a[[rnd.randrange(images) for _ in range(batch)]].to(augment_device), load, rnd).to(device)
        real_b = augment(data_b[[rnd.randrange(images) for _ in range(batch)]].to(augment_device), load, rnd).to(device)
        return real_a, real_b

    def update_generators(real_a, real_b):
        """The generators' update; returns the translations and the six losses, detached."""
        for p in list(d_a.parameters()) + list(d_b.parameters()):
            p.requires_grad_(False)
        opt_g.zero_grad()
        fake_b, fake_a = g_a(real_a), g_b(real_b)
        rec_a, rec_b = g_b(fake_b), g_a(fake_a)
        idt_a = (g_a(real_b) - real_b).abs().mean() * (lam * idt)
        idt_b = (g_b(real_a) - real_a).abs().mean() * (lam * idt)
        gan_a, gan_b = lsgan(d_a(fake_b), True), lsgan(d_b(fake_a), True)
        cyc_a, cyc_b = (rec_a - real_a).abs().mean() * lam, (rec_b - real_b).abs().mean() * lam
        (gan_a + gan_b + cyc_a + cyc_b + idt_a + idt_b).backward()
        opt_g.step()
        return [t.detach() for t in (fake_a, fake_b, gan_a, cyc_a, idt_a, gan_b, cyc_b, idt_b)]

    def update_discriminators(real_a, real_b, pooled_a, pooled_b):
        for p in list(d_a.parameters()) + list(d_b.parameters()):
            p.requires_grad_(True)
        opt_d.zero_grad()
        loss_da = (lsgan(d_a(real_b), True) + lsgan(d_a(pooled_b), False)) * 0.5
        loss_da.backward()
        loss_db = (lsgan(d_b(real_a), True) + lsgan(d_b(pooled_a), False)) * 0.5
        loss_db.backward()
        opt_d.step()
        return [loss_da.detach(), loss_db.detach()]

    def eager_step():
        real_a, real_b = real_images()
        g = update_generators(real_a, real_b)
        pooled_b, pooled_a = pool_b.query(g[1], rnd), pool_a.query(g[0], rnd)
        return g[2:] + update_discriminators(real_a, real_b, pooled_a, pooled_b)

    if graphed:
        static = [torch.zeros(batch, 3, size, size, device=device) for _ in range(4)]  # real A, real B, pooled A, pooled B

        def fill():
            real_a, real_b = real_images()
            static[0].copy_(real_a)
            static[1].copy_(real_b)

        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3):
                fill()
                g = update_generators(static[0], static[1])
                static[3].copy_(pool_b.query(g[1], rnd))
                static[2].copy_(pool_a.query(g[0], rnd))
                update_discriminators(*static)
        torch.cuda.current_stream().wait_stream(side)
        g_graph, d_graph = torch.cuda.CUDAGraph(), torch.cuda.CUDAGraph()
        with torch.cuda.graph(g_graph):
            g_out = update_generators(static[0], static[1])
        with torch.cuda.graph(d_graph, pool=g_graph.pool()):
            d_out = update_discriminators(*static)

    def step():
        if graphed:
            fill()
            g_graph.replay()
            static[3].copy_(pool_b.query(g_out[1].clone(), rnd))
            static[2].copy_(pool_a.query(g_out[0].clone(), rnd))
            d_graph.replay()
            losses = g_out[2:] + d_out
        else:
            losses = eager_step()
        for loss in losses:
            loss.item()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,128")
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--ngf", type=int, default=64)
    parser.add_argument("--ndf", type=int, default=64)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--augment-on", choices=["cpu", "device"], default="cpu", help="where the resize-crop-flip runs")
    parser.add_argument("--cuda-graph", action="store_true", help="replay both updates as CUDA graphs (see the module's doc)")
    add_run_arguments(parser)
    a = parser.parse_args()
    device = device_of(a)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"pytorch {torch.__version__} step on {name}: cuDNN autotuning {'on' if a.cudnn_benchmark else 'off'}, augmentation on {a.augment_on}"
          f"{', CUDA graphs' if a.cuda_graph else ''}")
    print("| size | blocks | ngf/ndf | batch | ms/step median | IQR | min-max | steps/s |")
    print("|---|---|---|---|---|---|---|---|")
    results = []
    for size in [int(s) for s in a.sizes.split(",")]:
        ms = time_steps(size, a.blocks, a.ngf, a.ndf, a.batch, a.warmup, a.reps, device,
                        device if a.augment_on == "device" else torch.device("cpu"), a.cuda_graph)
        q = statistics.quantiles(ms, n=4)
        med = statistics.median(ms)
        print(f"| {size}x{size} | {a.blocks} | {a.ngf}/{a.ndf} | {a.batch} | {med:.1f} | {q[0]:.1f}-{q[2]:.1f} | "
              f"{min(ms):.1f}-{max(ms):.1f} | {1000 / med:.2f} |", flush=True)
        results.append({"size": size, "blocks": a.blocks, "ngf": a.ngf, "ndf": a.ndf, "batch": a.batch,
                        "median_ms": med, "samples_ms": ms})
    memory = gpu_memory(device)  # over all --sizes run in this process
    if memory:
        print(f"GPU memory: {memory}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "device": name, "settings": settings(a), "augment_on": a.augment_on, "cuda_graph": a.cuda_graph, "gpu_memory": memory,
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
