using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// What <see cref="GanTrainingLoop"/> needs of a GAN: its update step, its schedule and its state. Each GAN keeps its
/// networks, losses and update order to itself; the loop owns epochs, progress, logging, checkpoints and stopping.
/// </summary>
internal interface IGanModel : IDisposable
{
    /// <summary>The model's name, stored in checkpoints so that another GAN's checkpoint is refused.</summary>
    string Kind { get; }

    /// <summary>The options that shape the networks; a checkpoint made with other ones is refused.</summary>
    string Fingerprint { get; }

    int Epochs { get; }
    long StepsPerEpoch { get; }
    int SamplesPerStep { get; }

    /// <summary>Called before the first step of each 1-based epoch (learning-rate schedules, data order).</summary>
    void BeginEpoch(int epoch);

    /// <summary>One update; returns the losses as scalar tensors.</summary>
    IReadOnlyList<(string Name, Tensor Value)> TrainStep(GanRandom random);

    IReadOnlyList<(string Name, double Rate)> LearningRates { get; }

    /// <summary>Adds networks, optimiser states, pools and anything else the next step depends on.</summary>
    void SaveState(Checkpoint checkpoint);

    void LoadState(Checkpoint checkpoint);

    /// <summary>A picture of the current model for TensorBoard ([3, H, W] in [0, 1]), or null.</summary>
    Tensor? SampleGrid();

    /// <summary>
    /// Called after each step with the number of steps done: a model with its own stopping criterion (NetGAN's edge
    /// overlap or validation score) evaluates here and returns true to end training early.
    /// </summary>
    bool ShouldStop(long step) => false;
}
