using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.CycleGan;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan;

/// <summary>Which way a fitted CycleGAN translates.</summary>
public enum CycleGanDirection
{
    /// <summary>Domain A (domain column false) to domain B (true), with the generator G_A.</summary>
    AToB,
    /// <summary>Domain B to domain A, with the generator G_B.</summary>
    BToA,
}

/// <summary>
/// Trains a CycleGAN (Zhu et al., ICCV 2017) for unpaired image-to-image translation between the rows whose domain
/// column is false (A) and true (B). Fitting gives a <see cref="CycleGanTransformer"/> that translates the input column.
/// </summary>
/// <remarks>
/// The input column is an ML.NET image (from <c>LoadImages</c>/<c>ResizeImages</c>; transparency is composited on
/// white) or a vector of 3×H×W Single values, planar RGB in [−1, 1]. All rows need one size, with H and W multiples
/// of 4 and at least 24. The training set is read into memory once. Architecture, losses, update order, history pool,
/// learning-rate schedule and initialisation follow the authors' PyTorch code.
/// </remarks>
public sealed class CycleGanEstimator : IEstimator<CycleGanTransformer>
{
    /// <summary>Options of <see cref="CycleGanEstimator"/>; the defaults are the paper's.</summary>
    public sealed class Options : GanTrainerOptions
    {
        /// <summary>The column that receives the translated image (same kind and size as the input).</summary>
        public string OutputColumnName = "Translated";
        /// <summary>The image column: an ML.NET image or a vector of 3×H×W Single values in [−1, 1].</summary>
        public string InputColumnName = "Image";
        /// <summary>A Boolean column: false = domain A, true = domain B. The two domains' rows are unrelated (unpaired).</summary>
        public string DomainColumnName = "Domain";
        /// <summary>Epochs at the constant learning rate (paper: 100).</summary>
        public int Epochs = 100;
        /// <summary>Epochs of linear decay to zero after <see cref="Epochs"/> (paper: 100).</summary>
        public int DecayEpochs = 100;
        /// <summary>Images per step (paper: 1).</summary>
        public int BatchSize = 1;
        /// <summary>Adam's learning rate (paper: 2e-4).</summary>
        public double LearningRate = 2e-4;
        /// <summary>Adam's β₁ (paper: 0.5; β₂ is 0.999).</summary>
        public double Beta1 = 0.5;
        /// <summary>Residual blocks of the generator (paper: 9 at 256×256, 6 at 128×128).</summary>
        public int ResidualBlocks = 9;
        /// <summary>Filters of the generator's first layer (paper: 64).</summary>
        public int GeneratorFilters = 64;
        /// <summary>Filters of the discriminator's first layer (paper: 64).</summary>
        public int DiscriminatorFilters = 64;
        /// <summary>Weight λ of the cycle-consistency L1 loss, each way (paper: 10). 0 trains the paper's "GAN alone" ablation.</summary>
        public double CycleWeight = 10;
        /// <summary>Identity loss weight relative to <see cref="CycleWeight"/> (paper's code: 0.5).</summary>
        public double IdentityWeight = 0.5;
        /// <summary>Generated images kept for the discriminators (paper: 50; 0 disables the pool).</summary>
        public int PoolSize = 50;
        /// <summary>Images are scaled up to this height, then randomly cropped back (paper: 286 for 256); 0 = no crop. Defaults to 286/256 of the image height.</summary>
        public int LoadSize = -1;
        /// <summary>Random horizontal flips during training (paper: yes).</summary>
        public bool Flip = true;
        /// <summary>Which generator the transformer applies.</summary>
        public CycleGanDirection Direction = CycleGanDirection.AToB;
        /// <summary>Height of a vector input column's images (0: square, from the vector size).</summary>
        public int ImageHeight;
        /// <summary>Width of a vector input column's images (0: square, from the vector size).</summary>
        public int ImageWidth;
        /// <summary>
        /// On a GPU, replay the generators' update and the discriminators' update each as one captured CUDA graph (the
        /// history pool runs between them), instead of launching their kernels one by one; a last, smaller batch of an
        /// epoch runs eagerly. Null (the default): on wherever the GPU's libtorch exports the graph API, off on the CPU;
        /// true on the CPU is an error. On an H200 at batch 1, with cuDNN autotuning, a step took 39.8 ms against 74.7
        /// eager at 256×256 with 9 residual blocks, and 18.7 against 62.1 at 128×128 with 6 (BENCHMARKS.md, "GPU (H200,
        /// 2026-11-27, third GPU session)"). The same training either way: graphed and eager runs drifted apart no more than
        /// two eager runs do, since GPU convolutions are not reproducible run to run.
        /// </summary>
        public bool? CudaGraphs;
        /// <summary>
        /// The four networks' forward passes in bfloat16 under libtorch's autocast, as WaveGAN's public MixedPrecision
        /// option does. Internal, for the benches only, until a GPU has timed it: PyTorch's own bfloat16 autocast was
        /// slower than float32 at batch 1 (PLATFORM.md), and a first step's generator gradients in bfloat16 are further
        /// from float32's than WaveGAN's critic's (cosine 0.93–0.95 against 0.998–0.999 on the CPU; BENCHMARKS.md,
        /// "bfloat16 and the first step's gradients").
        /// </summary>
        internal bool MixedPrecision;

        internal Options Clone() => (Options)MemberwiseClone();
    }

    private readonly GanEnvironment _env;
    private readonly Options _options;

    internal CycleGanEstimator(IHostEnvironment env, Options options)
    {
        _env = new GanEnvironment(env, "CycleGan");
        // A copy: the user's object may change after this (the next run's settings), and the checks below and the
        // fitted transformer must see the options as they were here.
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        Validate(_options);
    }

    private static void Validate(Options o)
    {
        void Require(bool ok, string name, object value, string expected) => GanTrainerOptions.Require("CycleGAN", ok, name, value, expected);
        Require(!string.IsNullOrWhiteSpace(o.InputColumnName), nameof(o.InputColumnName), o.InputColumnName, "a column name");
        Require(!string.IsNullOrWhiteSpace(o.OutputColumnName), nameof(o.OutputColumnName), o.OutputColumnName, "a column name");
        Require(!string.IsNullOrWhiteSpace(o.DomainColumnName), nameof(o.DomainColumnName), o.DomainColumnName, "a column name");
        Require(o.Epochs >= 0, nameof(o.Epochs), o.Epochs, "0 or more");
        Require(o.DecayEpochs >= 0, nameof(o.DecayEpochs), o.DecayEpochs, "0 or more");
        Require(o.Epochs + o.DecayEpochs > 0, nameof(o.Epochs), o.Epochs, "at least one epoch in Epochs + DecayEpochs");
        Require(o.BatchSize >= 1, nameof(o.BatchSize), o.BatchSize, "1 or more");
        Require(o.LearningRate > 0, nameof(o.LearningRate), o.LearningRate, "a positive rate");
        Require(o.ResidualBlocks >= 0, nameof(o.ResidualBlocks), o.ResidualBlocks, "0 or more");
        Require(o.GeneratorFilters >= 1, nameof(o.GeneratorFilters), o.GeneratorFilters, "1 or more");
        Require(o.DiscriminatorFilters >= 1, nameof(o.DiscriminatorFilters), o.DiscriminatorFilters, "1 or more");
        Require(o.CycleWeight >= 0, nameof(o.CycleWeight), o.CycleWeight, "0 or more");
        Require(o.IdentityWeight >= 0, nameof(o.IdentityWeight), o.IdentityWeight, "0 or more");
        Require(o.PoolSize >= 0, nameof(o.PoolSize), o.PoolSize, "0 or more");
        o.CheckTrainerOptions();
    }

    /// <summary>Checks the input schema and returns the schema the transformer will produce.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = inputSchema.FirstOrDefault(c => c.Name == _options.InputColumnName);
        if (input.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_options.InputColumnName}' was not found.");
        bool isImage = input.ItemType is ImageDataViewType;
        bool isVector = input.Kind == SchemaShape.Column.VectorKind.Vector && input.ItemType == NumberDataViewType.Single;
        if (!isImage && !isVector)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Input column '{_options.InputColumnName}' has type {input.ItemType}; expected an image or a vector of Single (3×H×W).");
        var domain = inputSchema.FirstOrDefault(c => c.Name == _options.DomainColumnName);
        if (domain.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Domain column '{_options.DomainColumnName}' was not found.");
        if (domain.ItemType != BooleanDataViewType.Instance || domain.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Domain column '{_options.DomainColumnName}' has type {domain.ItemType}; expected Boolean.");
        // SchemaShape.Column has no public constructor; the output column has the input's shape, which is what
        // ML.NET's own column copy reports.
        return new MLContext().Transforms.CopyColumns(_options.OutputColumnName, _options.InputColumnName).GetOutputSchema(inputSchema);
    }

    /// <summary>Reads the training rows, trains (or resumes) and returns the fitted transformer.</summary>
    public CycleGanTransformer Fit(IDataView input)
    {
        var (a, b, shape) = ImageColumn.ReadDomains(input, _options.InputColumnName, _options.DomainColumnName,
            _options.ImageHeight, _options.ImageWidth, _options.CancellationToken);
        using (a)
        using (b)
        {
            CheckSize(shape);
            var options = Resolved(_options, shape);
            var device = _env.ResolveDevice();
            long seed = _env.NextSeed();
            if (CycleGanModel.UsesCudaGraphs(options, device))
                using (var ch = _env.Host.Start("Training"))
                    ch.Info(MessageSensitivity.None, "CycleGAN: the generators' and the discriminators' updates are replayed as CUDA graphs (option CudaGraphs).");
            var model = new CycleGanModel(options, a, b, device, seed);
            try
            {
                new GanTrainingLoop(_env.Host, options.ToLoopOptions()).Run(model, seed);
            }
            catch
            {
                model.GeneratorA.Dispose();
                model.GeneratorB.Dispose();
                throw;
            }
            finally
            {
                model.Dispose();
            }
            return new CycleGanTransformer(_env.Environment, input.Schema, options, shape, model.GeneratorA, model.GeneratorB);
        }
    }

    /// <summary>The sizes the generator restores exactly (two stride-2 steps) and the PatchGAN can score (three).</summary>
    private void CheckSize(ImageColumnShape shape)
    {
        foreach (var (side, name) in new[] { (shape.Height, "height"), (shape.Width, "width") })
            if (side % 4 != 0 || side < 24)
                throw new ArgumentOutOfRangeException(nameof(shape),
                    $"Input column '{_options.InputColumnName}' holds {shape.Width}×{shape.Height} images; CycleGAN needs a {name} that is a multiple of 4 and at least 24 " +
                    "(add mlContext.Transforms.ResizeImages, e.g. to 64×64 or 256×256).");
    }

    private static Options Resolved(Options o, ImageColumnShape shape)
    {
        var copy = o.Clone();
        if (copy.LoadSize < 0) copy.LoadSize = (int)Math.Round(shape.Height * 286.0 / 256.0);
        return copy;
    }
}
