using Microsoft.ML.Gan.CycleGan;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// CycleGAN training written as a plain TorchSharp loop over tensors: no IDataView, no training loop, no checkpoint,
/// progress or divergence hooks. It is the baseline <c>overhead</c> compares <c>Fit</c> against, so it does the same
/// work per step: the library's networks and N(0, 0.02) initialisation, LSGAN + cycle + identity losses, G then D,
/// TorchSharp's own Adam with the paper's settings, the history pool, resize-crop-flip augmentation.
/// </summary>
internal static class BareCycleGan
{
    private const double Lambda = 10, IdentityFraction = 0.5;

    public static void Train(float[][] imagesA, float[][] imagesB, NetworkConfig config, int steps, int seed)
    {
        int size = config.Size;
        var random = new Random(seed);
        var init = new torch.Generator((ulong)seed);
        var gA = new ResnetGenerator(config.Blocks, 3, config.Ngf);
        var gB = new ResnetGenerator(config.Blocks, 3, config.Ngf);
        var dA = new PatchDiscriminator(3, config.Ndf);
        var dB = new PatchDiscriminator(3, config.Ndf);
        var nets = new nn.Module[] { gA, gB, dA, dB };
        foreach (var net in nets)
            using (no_grad())
                foreach (var (name, p) in net.named_parameters())
                    if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_(); else p.normal_(0, 0.02, init);
        // TorchSharp's Adam defaults β₂ to 0.99; the paper uses 0.999.
        var optimizerG = optim.Adam(gA.parameters().Concat(gB.parameters()), lr: 2e-4, beta1: 0.5, beta2: 0.999);
        var optimizerD = optim.Adam(dA.parameters().Concat(dB.parameters()), lr: 2e-4, beta1: 0.5, beta2: 0.999);
        var a = ImageTensors.ToTensor(imagesA, size, size);
        var b = ImageTensors.ToTensor(imagesB, size, size);
        var poolA = new List<Tensor>();
        var poolB = new List<Tensor>();
        int load = (int)Math.Round(size * 286.0 / 256.0);
        int perEpoch = (Math.Max(imagesA.Length, imagesB.Length) + config.Batch - 1) / config.Batch;
        int[] order = Array.Empty<int>();

        for (int step = 0; step < steps; step++)
        {
            if (step % perEpoch == 0)
            {
                order = Enumerable.Range(0, Math.Max(imagesA.Length, imagesB.Length)).ToArray();
                random.Shuffle(order);
            }
            using var scope = NewDisposeScope();
            int start = step % perEpoch * config.Batch, count = Math.Min(config.Batch, order.Length - start);
            var realA = Augment(a.index_select(0, tensor(order.Skip(start).Take(count).Select(i => (long)(i % imagesA.Length)).ToArray())), load, random);
            var realB = Augment(b.index_select(0, tensor(Enumerable.Range(0, count).Select(_ => (long)random.Next(imagesB.Length)).ToArray())), load, random);

            SetRequiresGrad(false, dA, dB);
            optimizerG.zero_grad();
            var fakeB = gA.forward(realA);
            var fakeA = gB.forward(realB);
            var lossG = LeastSquares(dA.forward(fakeB), 1) + LeastSquares(dB.forward(fakeA), 1)
                + F.l1_loss(gB.forward(fakeB), realA) * Lambda + F.l1_loss(gA.forward(fakeA), realB) * Lambda
                + F.l1_loss(gA.forward(realB), realB) * (Lambda * IdentityFraction) + F.l1_loss(gB.forward(realA), realA) * (Lambda * IdentityFraction);
            lossG.backward();
            optimizerG.step();

            SetRequiresGrad(true, dA, dB);
            optimizerD.zero_grad();
            var lossDA = (LeastSquares(dA.forward(realB), 1) + LeastSquares(dA.forward(Query(poolB, config.Pool, fakeB.detach(), random)), 0)) * 0.5;
            lossDA.backward();
            var lossDB = (LeastSquares(dB.forward(realA), 1) + LeastSquares(dB.forward(Query(poolA, config.Pool, fakeA.detach(), random)), 0)) * 0.5;
            lossDB.backward();
            optimizerD.step();
            // A plain loop still looks at its losses (logging, NaN); reading them also ends the step's work.
            lossG.item<float>();
            lossDA.item<float>();
            lossDB.item<float>();
        }

        foreach (var t in poolA.Concat(poolB)) t.Dispose();
        foreach (var net in nets) net.Dispose();
        optimizerG.Dispose();
        optimizerD.Dispose();
        a.Dispose();
        b.Dispose();
        init.Dispose();
    }

    private static Tensor LeastSquares(Tensor prediction, float target) => F.mse_loss(prediction, full_like(prediction, target));

    private static Tensor Augment(Tensor batch, int load, Random random)
    {
        long h = batch.shape[2], w = batch.shape[3];
        var images = new List<Tensor>();
        for (long i = 0; i < batch.shape[0]; i++)
        {
            var image = F.interpolate(batch[i].unsqueeze(0), new long[] { load, load }, mode: InterpolationMode.Bicubic, align_corners: false).clamp(-1, 1);
            int top = random.Next(load - (int)h + 1), left = random.Next(load - (int)w + 1);
            image = image[.., .., TensorIndex.Slice(top, top + h), TensorIndex.Slice(left, left + w)];
            images.Add(random.NextDouble() < 0.5 ? image.flip(3) : image);
        }
        return cat(images, 0);
    }

    private static Tensor Query(List<Tensor> pool, int capacity, Tensor fakes, Random random)
    {
        if (capacity == 0) return fakes;
        var outputs = new List<Tensor>();
        for (long i = 0; i < fakes.shape[0]; i++)
        {
            var image = fakes[i].unsqueeze(0);
            if (pool.Count < capacity)
            {
                pool.Add(image.clone().DetachFromDisposeScope());
                outputs.Add(image);
            }
            else if (random.NextDouble() > 0.5)
            {
                int id = random.Next(pool.Count);
                outputs.Add(pool[id].clone());
                pool[id].Dispose();
                pool[id] = image.clone().DetachFromDisposeScope();
            }
            else outputs.Add(image);
        }
        return cat(outputs, 0);
    }

    private static void SetRequiresGrad(bool value, params nn.Module[] modules)
    {
        foreach (var m in modules)
            foreach (var p in m.parameters()) p.requires_grad = value;
    }
}
