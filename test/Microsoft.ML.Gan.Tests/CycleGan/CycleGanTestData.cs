using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tests.CycleGan;

/// <summary>Small synthetic two-domain data: domain A dark images with a bright square, domain B the colours inverted.</summary>
internal static class CycleGanTestData
{
    public const int Side = 24;
    public const int Length = 3 * Side * Side;

    public sealed class Row
    {
        [VectorType(Length)] public float[] Image { get; set; } = Array.Empty<float>();
        public bool IsB { get; set; }
    }

    public static Row[] Rows(int countA = 6, int countB = 4, int seed = 1)
    {
        var random = new Random(seed);
        var rows = new List<Row>();
        for (int i = 0; i < countA + countB; i++)
        {
            bool isB = i >= countA;
            var image = new float[Length];
            int x0 = random.Next(Side - 8), y0 = random.Next(Side - 8);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < Side; y++)
                    for (int x = 0; x < Side; x++)
                    {
                        bool inside = x >= x0 && x < x0 + 8 && y >= y0 && y < y0 + 8;
                        float v = (inside ? 0.8f : -0.8f) + (float)(random.NextDouble() * 0.1 - 0.05);
                        image[c * Side * Side + y * Side + x] = isB ? -v : v;
                    }
            rows.Add(new Row { Image = image, IsB = isB });
        }
        return rows.ToArray();
    }

    /// <summary><see cref="Rows()"/> as the two domains' image tensors [n, 3, Side, Side], in the caller's dispose scope.</summary>
    public static (TorchSharp.torch.Tensor A, TorchSharp.torch.Tensor B) Domains()
    {
        var rows = Rows();
        TorchSharp.torch.Tensor Domain(bool isB) => TorchSharp.torch.stack(rows.Where(r => r.IsB == isB)
            .Select(r => TorchSharp.torch.tensor(r.Image).reshape(3, Side, Side)).ToArray());
        return (Domain(false), Domain(true));
    }

    public static IDataView TrainingData(MLContext ml, int countA = 6, int countB = 4) => ml.Data.LoadFromEnumerable(Rows(countA, countB));

    /// <summary>The smallest networks that still have every kind of layer: quick enough for unit tests on 2 cores.</summary>
    public static CycleGanEstimator.Options TinyOptions(string? checkpoints = null) => new()
    {
        InputColumnName = "Image",
        DomainColumnName = "IsB",
        OutputColumnName = "Translated",
        Epochs = 2,
        DecayEpochs = 2,
        BatchSize = 2,
        ResidualBlocks = 1,
        GeneratorFilters = 4,
        DiscriminatorFilters = 4,
        PoolSize = 3,
        CheckpointDirectory = checkpoints,
        CheckpointEvery = 4,
    };

    public static string TempDirectory() => TestSupport.TempDirectory();

    public static float[] Weights(CycleGanTransformer t) =>
        t.GeneratorA.parameters().Concat(t.GeneratorB.parameters()).SelectMany(p => p.data<float>().ToArray()).ToArray();
}
