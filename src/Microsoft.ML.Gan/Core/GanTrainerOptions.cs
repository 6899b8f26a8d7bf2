using Microsoft.ML.Gan.Core;

namespace Microsoft.ML.Gan;

/// <summary>Options every GAN estimator has: checkpoints, TensorBoard logging, progress and cancellation.</summary>
public abstract class GanTrainerOptions
{
    /// <summary>A folder for checkpoints; training resumes from the checkpoint found there.</summary>
    public string? CheckpointDirectory;
    /// <summary>Steps between checkpoints (one is also written at the end and on cancellation).</summary>
    public int CheckpointEvery = 500;
    /// <summary>A folder for TensorBoard event files (losses, learning rates, samples); null for none.</summary>
    public string? LogDirectory;
    /// <summary>Receives a report every <see cref="ProgressInterval"/> during training, and at the end.</summary>
    public IProgress<GanProgress>? Progress;
    /// <summary>Least time between two progress reports (and TensorBoard loss points); zero reports every step.</summary>
    public TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
    /// <summary>Stops training (after writing a checkpoint when a folder is set) with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken;
    /// <summary>
    /// Ends training early, keeping the model as trained so far, once a run has trained this long (wall time, checked
    /// after each step; a resumed run counts its own time). A checkpoint is written there when a folder is set, so a
    /// later run with the same options resumes and goes on. Null (the default) trains to the end.
    /// </summary>
    public TimeSpan? MaxTrainingTime;
    /// <summary>
    /// Makes each Adam optimiser's parameters, their gradients and its state views of one buffer each, so that zeroing
    /// the gradients, the gradient clip and the update are a handful of kernels over whole buffers instead of about ten
    /// per parameter tensor: fewer kernels, which is what small-batch GAN steps on a GPU, and the CUDA graphs'
    /// replays, are bound by. The arithmetic is the default's (tests match torch.optim.Adam step for step) for
    /// parameters that get a gradient at every step, as every parameter of these GANs does; one that did not would be
    /// updated as with a zero gradient, where the per-tensor Adam skips it until its first gradient. Null (the
    /// default): on where the updates are replayed as CUDA graphs (NetGAN, CycleGAN and SeqGAN on a GPU), off
    /// elsewhere. On an H200 inside the graphs it took SeqGAN's discriminator step from 2.2 to 1.7–1.8 ms (PyTorch's
    /// graphed step: 2.0), CycleGAN's from 40.9 to 38.5 ms at 256×256 and from 18.7 to 17.7 at 128×128, and NetGAN's
    /// iteration from 19.6 to 19.0 ms; eager GPU steps gained nothing measurable (BENCHMARKS.md, "The flat Adam inside
    /// the CUDA graphs"). Checkpoints load in either mode.
    /// </summary>
    public bool? FlatAdam;
    /// <summary>
    /// Steps between reads of the losses from the device. 1 (the default) reads them after every step, which on a GPU
    /// waits for the step to finish; N lets the host queue up to N steps' kernels before it waits. A NaN or Inf loss
    /// still stops training naming its step, found up to N − 1 steps later; progress reports, checkpoints,
    /// cancellation and the end always read first, so no checkpoint is written past a bad step.
    /// </summary>
    public int LossReadInterval = 1;
    /// <summary>
    /// cuDNN autotuning while training on a GPU (PyTorch's <c>torch.backends.cudnn.benchmark</c>; TorchSharp has no
    /// switch, so the library calls libtorch's): the first time a convolution shape runs, cuDNN times its algorithms and
    /// keeps the fastest. Null (the default): on, for every GAN. On an H200 it made WaveGAN's step 20 % faster
    /// (BENCHMARKS.md), CycleGAN's step with its default CUDA graphs 39.8 ms against 48.0 at 256×256 and 18.7 against
    /// 20.5 at 128×128, and SeqGAN's eager discriminator update 9.8 ms against 11.5 (BENCHMARKS.md, "GPU (H200,
    /// 2026-11-27, third GPU session)"); only CycleGAN's eager step at 128×128 measured slower with it, 62.1 ms against
    /// 45.5. NetGAN has no convolutions, so nothing changes there. The process-wide setting is restored when training
    /// ends. Nothing changes on the CPU.
    /// </summary>
    public bool? CuDnnAutotuning;

    /// <summary>
    /// Host-made tensors of each step (CycleGAN's and WaveGAN's batches from the training data, WaveGAN's latent
    /// vectors) go to the GPU through page-locked memory without the host waiting (<see cref="Core.HostToDevice"/>), so
    /// that the host prepares the next update while the GPU runs this one. On by default: on an H200 it took WaveGAN's
    /// paper step from 161.1 to 157.8 ms (direct convolutions), from 111.1 to 104.7 (matrix products) and from 99.0 to
    /// 90.0 (matrix products in bfloat16) (BENCHMARKS.md, "GPU (H200, 2026-11-27, third GPU session)"). The data are the
    /// same either way, so it is internal (the benches turn it off to measure it). Nothing changes on the CPU.
    /// </summary>
    internal bool NonBlockingCopies = true;

    /// <summary>Throws for values no GAN can train with; estimators call it up front.</summary>
    internal void CheckTrainerOptions()
    {
        if (CheckpointEvery < 1)
            throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, $"Option {nameof(CheckpointEvery)} is {CheckpointEvery}; expected 1 or more.");
        if (ProgressInterval < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ProgressInterval), ProgressInterval, $"Option {nameof(ProgressInterval)} is negative.");
        if (LossReadInterval < 1)
            throw new ArgumentOutOfRangeException(nameof(LossReadInterval), LossReadInterval, $"Option {nameof(LossReadInterval)} is {LossReadInterval}; expected 1 or more.");
        if (MaxTrainingTime < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxTrainingTime), MaxTrainingTime, $"Option {nameof(MaxTrainingTime)} is negative.");
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the GAN, the option, its value and what was expected.</summary>
    internal static void Require(string gan, bool ok, string name, object value, string expected)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{gan} option {name} is {value}; expected {expected}.");
    }

    internal GanTrainingOptions ToLoopOptions()
    {
        CheckTrainerOptions();
        return new GanTrainingOptions
        {
            CheckpointDirectory = CheckpointDirectory,
            CheckpointEvery = CheckpointEvery,
            LogDirectory = LogDirectory,
            Progress = Progress,
            ReportInterval = ProgressInterval,
            CancellationToken = CancellationToken,
            MaxTrainingTime = MaxTrainingTime,
            LossReadInterval = LossReadInterval,
            CuDnnAutotuning = CuDnnAutotuning ?? true,
        };
    }
}
