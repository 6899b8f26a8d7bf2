"""SeqGAN adversarial-step time in PyTorch, for the C# / PyTorch ratio in BENCHMARKS.md.

The same two parts as `dotnet run -c Release --project bench/Microsoft.ML.Gan.Bench -- steps --gans seqgan`
(SeqGanModel's adversarial phase): the official code's generator (embedding 32, an LSTM cell with separate W/U
matrices per gate, hidden 32, output projection to the vocabulary; N(0, 0.1) init) and CNN discriminator (embedding
64, convolutions of windows 1-10, 15, 20 with 100-200 filters, max-pool over time, highway, dropout keep 0.75, linear
to 2 classes; cross-entropy + 0.2 x L2 of the output layer), Adam 0.01 with global-norm clip 5 for G, Adam 1e-4 for D.
The generator step samples a batch, computes rewards from `--rollouts` Monte Carlo completions of every prefix scored
by D (the last token scored on the whole sample), and takes one policy-gradient step; the discriminator step is one
batch of real and generated sequences. Every loss is read with .item() as the library's training loop does.
A benchmark only: the library never needs Python.

--cuda-graph replays the discriminator step as a CUDA graph (torch.cuda.graph after 3 warm-up steps on a side stream;
capturable Adam; gradients zeroed in place; the batch copied into a static tensor before each replay). The library's
counterpart is SeqGAN's CudaGraphs option.

    python3 bench/pytorch/seqgan_step.py --device cuda --vocab 5000 --length 20 --batch 64 --rollouts 16 [--cuda-graph]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from step_common import add_run_arguments, capture, count, device_of, gpu_memory, settings

FILTERS = [(1, 100), (2, 200), (3, 200), (4, 200), (5, 200), (6, 100), (7, 100), (8, 100), (9, 100), (10, 100),
           (15, 160), (20, 160)]


class LstmCell(nn.Module):
    """The official generator's cell: input, forget, output gates and candidate, each x W + h U + b."""

    def __init__(self, inputs, hidden):
        super().__init__()
        # Twelve tensors as in the official code (and SeqGanLstmCell): the optimiser's work per step depends on it.
        self.W = nn.ParameterList(nn.Parameter(torch.empty(inputs, hidden)) for _ in range(4))
        self.U = nn.ParameterList(nn.Parameter(torch.empty(hidden, hidden)) for _ in range(4))
        self.b = nn.ParameterList(nn.Parameter(torch.empty(hidden)) for _ in range(4))

    def forward(self, x, h, c):
        gates = [x @ self.W[k] + h @ self.U[k] + self.b[k] for k in range(4)]
        i, f, o, g = gates[0].sigmoid(), gates[1].sigmoid(), gates[2].sigmoid(), gates[3].tanh()
        c = f * c + i * g
        return o * c.tanh(), c


class Generator(nn.Module):
    def __init__(self, vocab, emb=32, hidden=32):
        super().__init__()
        self.embeddings = nn.Parameter(torch.empty(vocab, emb))
        self.lstm = LstmCell(emb, hidden)
        self.Wo = nn.Parameter(torch.empty(hidden, vocab))
        self.bo = nn.Parameter(torch.empty(vocab))
        self.hidden = hidden

    def start(self, batch):
        h = self.Wo.new_zeros(batch, self.hidden)
        return h, h, self.embeddings[torch.zeros(batch, dtype=torch.long, device=self.Wo.device)]

    def token_log_probabilities(self, x):
        h, c, inp = self.start(x.shape[0])
        emb = self.embeddings[x]
        steps = []
        for t in range(x.shape[1]):
            h, c = self.lstm(inp, h, c)
            steps.append(h)
            inp = emb[:, t]
        logits = torch.stack(steps, 1) @ self.Wo + self.bo
        return F.log_softmax(logits, -1).gather(-1, x.unsqueeze(-1)).squeeze(-1).clamp_min(-46.0517)

    @torch.no_grad()
    def complete(self, prefix, length):
        h, c, inp = self.start(prefix.shape[0])
        for t in range(prefix.shape[1]):
            h, c = self.lstm(inp, h, c)
            inp = self.embeddings[prefix[:, t]]
        tokens = [prefix]
        for _ in range(prefix.shape[1], length):
            h, c = self.lstm(inp, h, c)
            nxt = torch.multinomial(F.softmax(h @ self.Wo + self.bo, -1), 1).squeeze(1)
            inp = self.embeddings[nxt]
            tokens.append(nxt.unsqueeze(1))
        return torch.cat(tokens, 1)


class Discriminator(nn.Module):
    def __init__(self, vocab, length, emb=64, keep=0.75):
        super().__init__()
        filters = [(w, n) for w, n in FILTERS if w <= length]
        features = sum(n for _, n in filters)
        self.embedding = nn.Parameter(torch.empty(vocab, emb))
        self.convolutions = nn.ModuleList(nn.Conv1d(emb, n, w) for w, n in filters)
        self.highway_lin = nn.Linear(features, features)
        self.highway_gate = nn.Linear(features, features)
        self.output = nn.Linear(features, 2)
        self.keep = keep

    def forward(self, x, dropout=False):
        e = self.embedding[x].transpose(1, 2)
        pooled = torch.cat([conv(e).relu().amax(2) for conv in self.convolutions], 1)
        t = self.highway_gate(pooled).sigmoid()
        h = t * self.highway_lin(pooled).relu() + (1 - t) * pooled
        if dropout:
            h = h * (torch.rand_like(h) < self.keep) / self.keep
        return self.output(h)

    def output_l2(self):
        return (self.output.weight.pow(2).sum() + self.output.bias.pow(2).sum()) / 2


def init(g, d, gen):
    with torch.no_grad():
        for p in g.parameters():
            p.normal_(0, 0.1, generator=gen)
        d.embedding.uniform_(-1, 1, generator=gen)
        for layer in list(d.convolutions) + [d.output]:
            nn.init.trunc_normal_(layer.weight, std=0.1, a=-0.2, b=0.2)
            layer.bias.fill_(0.1)
        for p in list(d.highway_lin.parameters()) + list(d.highway_gate.parameters()):
            fan = 2 * p.shape[0] if p.dim() == 1 else p.shape[0] + p.shape[1]
            p.uniform_(-(6.0 / fan) ** 0.5, (6.0 / fan) ** 0.5, generator=gen)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=5000)
    parser.add_argument("--length", type=int, default=20)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rollouts", type=int, default=16)
    parser.add_argument("--cuda-graph", action="store_true", help="replay the discriminator step as a CUDA graph (see the module's doc)")
    add_run_arguments(parser)
    a = parser.parse_args()
    device = device_of(a)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    g, d = Generator(a.vocab), Discriminator(a.vocab, a.length)
    init(g, d, gen)
    g.to(device)
    d.to(device)
    opt_g = torch.optim.Adam(g.parameters(), lr=0.01)
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-4, capturable=a.cuda_graph)
    real = torch.randint(a.vocab, (a.batch, a.length), generator=gen).to(device)
    empty = torch.zeros(a.batch, 0, dtype=torch.long, device=device)

    def probability_real(x):
        return F.softmax(d(x), -1)[:, 1]

    def generator_step():
        with torch.no_grad():
            samples = g.complete(empty, a.length)
            repeated = samples.repeat(a.rollouts, 1)
            rewards = [probability_real(g.complete(repeated[:, :given], a.length)).reshape(a.rollouts, a.batch).mean(0)
                       for given in range(1, a.length)]
            rewards = torch.stack(rewards + [probability_real(samples)], 1)
        opt_g.zero_grad()
        loss = -(g.token_log_probabilities(samples) * rewards).sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(g.parameters(), 5.0)
        opt_g.step()
        loss.item()
        rewards.mean().item()

    # One batch of the round's data, half real and half generated (as a shuffled batch of the official loader is on
    # average); the round samples its negatives once, outside the discriminator steps, as the C# harness times it.
    with torch.no_grad():
        fake = g.complete(empty[: a.batch // 2], a.length)
    x = torch.cat([real[: a.batch - a.batch // 2], fake])
    y = torch.cat([torch.ones(a.batch - a.batch // 2, dtype=torch.long), torch.zeros(a.batch // 2, dtype=torch.long)]).to(device)

    def discriminator_update(batch):
        opt_d.zero_grad(set_to_none=not a.cuda_graph)
        loss = F.cross_entropy(d(batch, dropout=True), y) + 0.2 * d.output_l2()
        loss.backward()
        opt_d.step()
        return loss

    if a.cuda_graph:
        static_x = x.clone()
        d_graph, static_loss = capture(discriminator_update, static_x)

    def discriminator_step():
        if a.cuda_graph:
            static_x.copy_(x)
            d_graph.replay()
            static_loss.item()
        else:
            discriminator_update(x).item()

    def timed(step):
        start = time.perf_counter()
        step()
        return (time.perf_counter() - start) * 1000

    g_ms, d_ms = [], []
    for i in range(a.warmup + a.reps):
        tg, td = timed(generator_step), timed(discriminator_step)
        if i >= a.warmup:
            g_ms.append(tg)
            d_ms.append(td)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    memory = gpu_memory(device)
    if memory:
        print(f"GPU memory: {memory}")
    print(f"pytorch {torch.__version__} SeqGAN on {name}: vocabulary {a.vocab}, length {a.length}, batch {a.batch}, "
          f"{a.rollouts} rollouts{', D step as a CUDA graph' if a.cuda_graph else ''}; parameters G {count(g):,} / D {count(d):,}")
    results = []
    for part, ms in ((f"G adversarial step ({a.rollouts} rollouts)", g_ms), ("D step", d_ms)):
        med = statistics.median(ms)
        q = statistics.quantiles(ms, n=4) if len(ms) > 1 else [med, med, med]
        print(f"| {part} | {med:.1f} ms | IQR {q[0]:.1f}-{q[2]:.1f} | min-max {min(ms):.1f}-{max(ms):.1f} |")
        results.append({"part": part, "median_ms": med, "samples_ms": ms})
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"torch": torch.__version__, "device": name, "settings": settings(a), "cuda_graph": a.cuda_graph, "gpu_memory": memory, "vocab": a.vocab, "length": a.length, "batch": a.batch,
                       "rollouts": a.rollouts, "generator_parameters": count(g), "discriminator_parameters": count(d),
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
