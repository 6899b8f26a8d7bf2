"""NetGAN training-iteration time in PyTorch, for the C# / PyTorch ratio in BENCHMARKS.md.

The same iteration as `dotnet run -c Release --project bench/Microsoft.ML.Gan.Bench -- netgan-scale --edges FILE`
(NetGanModel.TrainStep): the official TensorFlow NetGAN's networks written in PyTorch (generator: z -> dense tanh ->
initial (h, c) by two dense tanh layers, an LSTM cell with TensorFlow's gate order and forget bias 1, logits = h W_up +
b, straight-through Gumbel-softmax, next input = one-hot W_down; critic: one-hot W_down -> LSTM -> linear on the last
state), WGAN-GP (lambda 10), L2 1e-7 (G) and 5e-5 (D) on every weight, Adam 3e-4 (0.5, 0.9), 1 generator step then 3
critic steps, uniform random walks of 16 on the graph drawn on the CPU, both losses read with .item() per iteration
as the library's training loop does. A benchmark only: the library never needs Python.

--critic one-hot (the default) is the official code's form: the critic multiplies [batch * 16, N] one-hot or relaxed
walks by W_down and takes the gradient penalty over them. --critic ids is the library's form since 2026-11-27, the
same losses and gradients with less arithmetic: the critic steps take walks as node ids (rows of W_down), mix real and
fake in W_down's image and take the penalty's norm there (|grad_x D|^2 = g W_down^T W_down g^T); generated walks for
the critic come from argmax(logits + Gumbel noise) with rows of W_down as inputs; the critic is frozen during the
generator's update.

--cuda-graph captures the whole iteration as one CUDA graph (torch.cuda.graph, after 3 warm-up iterations on a side
stream, as PyTorch's documentation does it) and replays it: Adam with capturable=True, noise drawn on the device, the
three batches of real walks copied into a static device tensor before each replay. The library's counterpart is
NetGAN's CudaGraphs option.

    python3 bench/pytorch/netgan_step.py --device cuda --edges examples/data/cora_ml/cora_ml_lcc.edges
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from step_common import add_run_arguments, capture, device_of, gpu_memory, settings


class LstmCell(nn.Module):
    """tf.nn.rnn_cell.BasicLSTMCell: one kernel over [input, h], gates i, j, f, o, forget bias 1."""

    def __init__(self, inputs, hidden):
        super().__init__()
        self.kernel = nn.Linear(inputs + hidden, 4 * hidden)

    def forward(self, x, h, c):
        i, j, f, o = self.kernel(torch.cat([x, h], 1)).chunk(4, 1)
        c = c * torch.sigmoid(f + 1.0) + torch.sigmoid(i) * torch.tanh(j)
        return torch.tanh(c) * torch.sigmoid(o), c


def gumbel_softmax(logits, tau):
    u = torch.rand_like(logits)
    g = -torch.log(-torch.log(u + 1e-20) + 1e-20)
    soft = F.softmax((logits + g) / tau, dim=-1)
    hard = F.one_hot(soft.argmax(-1), soft.shape[-1]).to(soft.dtype)
    return (hard - soft).detach() + soft


class Generator(nn.Module):
    def __init__(self, n, noise=16, hidden=40, emb=128):
        super().__init__()
        self.intermediate = nn.Linear(noise, hidden)
        self.initial_h = nn.Linear(hidden, hidden)
        self.initial_c = nn.Linear(hidden, hidden)
        self.lstm = LstmCell(emb, hidden)
        self.W_up = nn.Parameter(torch.empty(hidden, n))
        self.W_up_bias = nn.Parameter(torch.zeros(n))
        self.W_down = nn.Parameter(torch.empty(n, emb))
        self.emb = emb

    def sample(self, z, length):
        """Node ids [batch, length]: the hard walks' argmax, rows of W_down as inputs, no graph."""
        with torch.no_grad():
            h, c, x = self.initial(z)
            out = []
            for _ in range(length):
                h, c = self.lstm(x, h, c)
                logits = h @ self.W_up + self.W_up_bias
                u = torch.rand_like(logits)
                node = (logits - torch.log(-torch.log(u + 1e-20) + 1e-20)).argmax(-1)
                x = self.W_down[node]
                out.append(node)
            return torch.stack(out, 1)

    def initial(self, z):
        """The LSTM's initial state from the noise, and a zero first input."""
        shared = torch.tanh(self.intermediate(z))
        return torch.tanh(self.initial_h(shared)), torch.tanh(self.initial_c(shared)), z.new_zeros(z.shape[0], self.emb)

    def forward(self, z, length, tau):
        h, c, x = self.initial(z)
        out = []
        for _ in range(length):
            h, c = self.lstm(x, h, c)
            node = gumbel_softmax(h @ self.W_up + self.W_up_bias, tau)
            x = node @ self.W_down
            out.append(node)
        return torch.stack(out, 1)


class Critic(nn.Module):
    def __init__(self, n, hidden=30, emb=128):
        super().__init__()
        self.W_down = nn.Parameter(torch.empty(n, emb))
        self.lstm = LstmCell(emb, hidden)
        self.output = nn.Linear(hidden, 1)
        self.hidden = hidden

    def forward(self, walks):
        b, length, n = walks.shape
        return self.score((walks.reshape(-1, n) @ self.W_down).reshape(b, length, -1))

    def score(self, e):
        h = e.new_zeros(e.shape[0], self.hidden)
        c = e.new_zeros(e.shape[0], self.hidden)
        for t in range(e.shape[1]):
            h, c = self.lstm(e[:, t], h, c)
        return self.output(h).squeeze(1)


def glorot(module):
    with torch.no_grad():
        for p in module.parameters():
            if p.dim() == 2:
                limit = (6.0 / (p.shape[0] + p.shape[1])) ** 0.5
                p.uniform_(-limit, limit)
            else:
                p.zero_()


def l2(module):
    return sum((p ** 2).sum() / 2 for p in module.parameters())


def read_graph(path):
    edges = np.loadtxt(path, dtype=np.int64, comments="#")[:, :2]
    n = int(edges.max()) + 1
    both = np.concatenate([edges, edges[:, ::-1]])
    both = both[np.lexsort((both[:, 1], both[:, 0]))]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.add.at(offsets, both[:, 0] + 1, 1)
    return n, np.cumsum(offsets), both[:, 1]


def walks(rng, n, offsets, columns, batch, length):
    out = np.empty((batch, length), dtype=np.int64)
    out[:, 0] = rng.integers(0, n, batch)
    for t in range(1, length):
        prev = out[:, t - 1]
        degree = offsets[prev + 1] - offsets[prev]
        out[:, t] = columns[offsets[prev] + (rng.random(batch) * degree).astype(np.int64)]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", default="examples/data/cora_ml/cora_ml_lcc.edges")
    parser.add_argument("--critic", choices=["one-hot", "ids"], default="one-hot", help="the critic's form (see the module's doc)")
    parser.add_argument("--cuda-graph", action="store_true", help="replay the iteration as one CUDA graph (see the module's doc)")
    add_run_arguments(parser, reps=20)
    a = parser.parse_args()
    device = device_of(a)
    torch.manual_seed(1)
    rng = np.random.default_rng(2)
    n, offsets, columns = read_graph(a.edges)
    g, d = Generator(n), Critic(n)
    glorot(g)
    glorot(d)
    g.to(device)
    d.to(device)
    graphed = a.cuda_graph
    opt_g = torch.optim.Adam(g.parameters(), lr=3e-4, betas=(0.5, 0.9), capturable=graphed)
    opt_d = torch.optim.Adam(d.parameters(), lr=3e-4, betas=(0.5, 0.9), capturable=graphed)
    batch, length, tau = 128, 16, 5.0

    def noise():
        return torch.randn(batch, 16, device=device) if graphed else torch.randn(batch, 16).to(device)

    def real_walks():
        return torch.from_numpy(np.stack([walks(rng, n, offsets, columns, batch, length) for _ in range(3)]))

    def critic_step_one_hot(real_ids):
        real = F.one_hot(real_ids, n).float()
        with torch.no_grad():
            fake = g(noise(), length, tau)
        alpha = torch.rand(batch, 1, 1, device=device)
        x = (real + alpha * (fake - real)).detach().requires_grad_(True)
        grad, = torch.autograd.grad(d(x).sum(), x, create_graph=True)
        penalty = ((grad.flatten(1).pow(2).sum(1).sqrt() - 1) ** 2).mean()
        return d(fake).mean() - d(real).mean() + 10 * penalty + 5e-5 * l2(d)

    def critic_step_ids(real_ids):
        real = d.W_down[real_ids]
        fake = d.W_down[g.sample(noise(), length)]
        alpha = torch.rand(batch, 1, 1, device=device)
        mixed = real + alpha * (fake - real)
        grad, = torch.autograd.grad(d.score(mixed).sum(), mixed, create_graph=True)
        rows = grad.reshape(-1, grad.shape[-1])
        squared = ((rows @ (d.W_down.t() @ d.W_down)) * rows).sum(1).reshape(batch, -1).sum(1)
        penalty = ((squared.clamp_min(0).sqrt() - 1) ** 2).mean()
        return d.score(fake).mean() - d.score(real).mean() + 10 * penalty + 5e-5 * l2(d)

    critic_step = critic_step_ids if a.critic == "ids" else critic_step_one_hot

    def step(real_ids):
        """One iteration on real walks [3, batch, length] on the device; returns the last losses, detached."""
        opt_g.zero_grad()
        if a.critic == "ids":
            d.requires_grad_(False)
        fake = g(noise(), length, tau)
        loss_g = -d(fake).mean() + 1e-7 * l2(g)
        loss_g.backward()
        opt_g.step()
        d.requires_grad_(True)
        for k in range(3):
            opt_d.zero_grad()
            loss_d = critic_step(real_ids[k])
            loss_d.backward()
            opt_d.step()
        return loss_g.detach(), loss_d.detach()

    if graphed:
        static_real = real_walks().to(device)
        graph, static_losses = capture(step, static_real)

    def iteration():
        if graphed:
            static_real.copy_(real_walks())
            graph.replay()
            losses = static_losses
        else:
            losses = step(real_walks().to(device))
        for loss in losses:
            loss.item()

    for _ in range(a.warmup):
        iteration()
    times = []
    for _ in range(a.reps):
        start = time.perf_counter()
        iteration()
        times.append((time.perf_counter() - start) * 1000)
    med = statistics.median(times)
    q = statistics.quantiles(times, n=4)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"pytorch {torch.__version__} NetGAN iteration on {name}, N = {n}, critic {a.critic}{', CUDA graph' if graphed else ''}: median {med:.1f} ms "
          f"(IQR {q[0]:.1f}-{q[2]:.1f}, min-max {min(times):.1f}-{max(times):.1f}, {a.reps} iterations)")
    memory = gpu_memory(device)
    if memory:
        print(f"GPU memory: {memory}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "device": name, "settings": settings(a), "gpu_memory": memory, "nodes": n, "critic": a.critic, "cuda_graph": graphed, "median_ms": med, "samples_ms": times}, f, indent=1)


if __name__ == "__main__":
    main()
