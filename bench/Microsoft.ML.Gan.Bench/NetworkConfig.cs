namespace Microsoft.ML.Gan.Bench;

/// <summary>The CycleGAN size a timing command runs: image side, generator blocks, first-layer widths, batch, pool.</summary>
internal sealed record NetworkConfig(int Size, int Blocks, int Ngf, int Ndf, int Batch, int Pool)
{
    public static NetworkConfig Read(CommandOptions o, int size, int blocks, int ngf, int ndf, int batch = 1, int pool = 50) =>
        new(o.Int("size", size), o.Int("blocks", blocks), o.Int("ngf", ngf), o.Int("ndf", ndf), o.Int("batch", batch), o.Int("pool", pool));

    /// <summary>Estimator options for this size; epochs and columns are the caller's.</summary>
    public CycleGanEstimator.Options ToOptions() => new()
    {
        ResidualBlocks = Blocks,
        GeneratorFilters = Ngf,
        DiscriminatorFilters = Ndf,
        BatchSize = Batch,
        PoolSize = Pool,
    };

    public override string ToString() => $"{Size}×{Size}, {Blocks} blocks, ngf {Ngf}, ndf {Ndf}, batch {Batch}, pool {Pool}";
}
