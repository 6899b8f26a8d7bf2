using Microsoft.ML.Gan.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan;

/// <summary>
/// The spoken-digit classifier behind WaveGAN's Inception score (Donahue et al. 2019, official
/// <c>eval/inception/train.py</c>): a one-second clip (16,384 samples at 16 kHz) → 128 × 128 log-mel spectrogram →
/// four blocks of [batch norm, 5 × 5 convolution with 128 filters, ReLU, 2 × 2 max pooling] → batch norm → dense
/// layer to one logit per class.
/// </summary>
/// <remarks>
/// <para>Features as the official code computes them: STFT with a 1,024-sample periodic Hann window and hop 128
/// (the end zero-padded, 128 frames), magnitude, 128 HTK mel bands from 40 to 7,800 Hz, <c>log(mel + 1e-6)</c>.
/// Batch norm as TensorFlow's default: ε = 0.001 and moving averages with decay 0.99 (PyTorch momentum 0.01; the
/// constructor takes another value for short schedules, whose moving averages would otherwise still be far from the
/// data). The first batch norm normalises each mel band, as <c>batch_normalization</c> on the last axis of
/// [batch, frames, bands] does.</para>
/// <para>The network sees the spectrogram as [bands, frames] where TensorFlow sees [frames, bands]: the same network
/// with transposed kernels, which matters only for loading TensorFlow weights (this class trains its own).
/// The official code defines a dropout rate that it never applies; neither does this class.</para>
/// <para>Trainable parameters for 10 classes: 1,331,850.</para>
/// </remarks>
public sealed class DigitClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>Samples per clip the classifier takes: 16,384 (about one second at 16 kHz).</summary>
    public const int ClipLength = 16384;

    private const int Filters = 128;
    private const int Bands = 128;
    private const double Epsilon = 1e-3;

    private readonly MelSpectrogram _features = new(frameLength: 1024, hop: 128);

    private readonly BatchNorm1d bn0;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Conv2d conv4;
    private readonly BatchNorm1d bn4;
    private readonly Linear logits;

    /// <summary>A new, randomly initialised classifier (seed with <c>torch.manual_seed</c> first for a repeatable one).</summary>
    /// <param name="classes">Classes: 10 for the digits.</param>
    /// <param name="batchNormMomentum">PyTorch's batch-norm momentum: 0.01 is TensorFlow's default decay 0.99.</param>
    public DigitClassifier(int classes = 10, double batchNormMomentum = 0.01) : base(nameof(DigitClassifier))
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs 2 or more classes.");
        if (batchNormMomentum is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(batchNormMomentum), batchNormMomentum, "Expected a momentum in (0, 1].");
        Classes = classes;
        bn0 = nn.BatchNorm1d(Bands, Epsilon, batchNormMomentum);
        conv1 = nn.Conv2d(1, Filters, 5, padding: 2);
        bn1 = nn.BatchNorm2d(Filters, Epsilon, batchNormMomentum);
        conv2 = nn.Conv2d(Filters, Filters, 5, padding: 2);
        bn2 = nn.BatchNorm2d(Filters, Epsilon, batchNormMomentum);
        conv3 = nn.Conv2d(Filters, Filters, 5, padding: 2);
        bn3 = nn.BatchNorm2d(Filters, Epsilon, batchNormMomentum);
        conv4 = nn.Conv2d(Filters, Filters, 5, padding: 2);
        bn4 = nn.BatchNorm1d(Filters * 8 * 8, Epsilon, batchNormMomentum);
        logits = nn.Linear(Filters * 8 * 8, classes);
        RegisterComponents();
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Logits [batch, classes] of waveforms [batch, 16384] in [-1, 1].</summary>
    public override Tensor forward(Tensor waveforms)
    {
        if (waveforms.dim() != 2 || waveforms.shape[1] != ClipLength)
            throw new ArgumentException($"The digit classifier takes waveforms of shape [batch, {ClipLength}]; got [{string.Join(", ", waveforms.shape)}].", nameof(waveforms));
        using var scope = torch.NewDisposeScope();
        using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
        Tensor x;
        using (torch.no_grad()) x = _features.Forward(waveforms).transpose(1, 2); // [batch, bands, frames]
        x = bn0.forward(x).unsqueeze(1);
        x = Block(conv1, x);
        x = Block(conv2, bn1.forward(x));
        x = Block(conv3, bn2.forward(x));
        x = Block(conv4, bn3.forward(x));
        x = bn4.forward(x.flatten(1));
        return logits.forward(x).MoveToOuterDisposeScope();
    }

    private static Tensor Block(Conv2d conv, Tensor x) => nn.functional.max_pool2d(nn.functional.relu(conv.forward(x)), 2, 2);

    /// <summary>Class probabilities (softmax of the logits) of each clip, in evaluation mode: [clips, classes].</summary>
    /// <param name="clips">Clips of <see cref="ClipLength"/> samples.</param>
    /// <param name="batchSize">Clips per forward pass (100, as the official scoring script).</param>
    public float[][] Predict(IReadOnlyList<float[]> clips, int batchSize = 100)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckLengths(clips);
        bool wasTraining = training;
        eval();
        try
        {
            var device = Device();
            var result = new float[clips.Count][];
            using var _ = torch.no_grad();
            for (int start = 0; start < clips.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
                int count = Math.Min(batchSize, clips.Count - start);
                var probabilities = forward(Stack(clips, start, count, device)).softmax(1).cpu();
                var flat = probabilities.data<float>().ToArray();
                for (int i = 0; i < count; i++) result[start + i] = flat.AsSpan(i * Classes, Classes).ToArray();
            }
            return result;
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>Fraction of clips whose most probable class is their label.</summary>
    public double Accuracy(IReadOnlyList<float[]> clips, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(labels);
        if (clips.Count != labels.Count) throw new ArgumentException($"{clips.Count} clips but {labels.Count} labels.", nameof(labels));
        if (clips.Count == 0) throw new ArgumentException("No clips to score.", nameof(clips));
        var probabilities = Predict(clips);
        int correct = 0;
        for (int i = 0; i < clips.Count; i++)
            if (ArgMax(probabilities[i]) == labels[i]) correct++;
        return (double)correct / clips.Count;
    }

    /// <summary>
    /// Trains on labelled clips with softmax cross-entropy: <paramref name="steps"/> minibatches drawn by reshuffling
    /// the clips each epoch (the official code: batches of 64, dropping the remainder, plain gradient descent at
    /// 1e-4 for about 100,000 steps; <paramref name="adam"/> is for short schedules).
    /// </summary>
    /// <param name="clips">Training clips of <see cref="ClipLength"/> samples.</param>
    /// <param name="labels">Each clip's class, 0 to <see cref="Classes"/> − 1.</param>
    /// <param name="steps">Minibatches to train on.</param>
    /// <param name="batchSize">Clips per minibatch (64 in the official code).</param>
    /// <param name="learningRate">Step size (1e-4 in the official code).</param>
    /// <param name="adam">Adam (β = 0.9, 0.999) instead of the official plain gradient descent.</param>
    /// <param name="seed">Seeds the order in which clips are drawn.</param>
    /// <param name="onStep">Called after every step with its index and loss.</param>
    /// <param name="maxTime">Stops after the step that passes this much wall time (for documented short schedules).</param>
    /// <param name="cancellation">Throws <see cref="OperationCanceledException"/> between steps.</param>
    /// <returns>The loss of every step trained.</returns>
    public IReadOnlyList<float> Fit(IReadOnlyList<float[]> clips, IReadOnlyList<int> labels, int steps, int batchSize = 64,
        double learningRate = 1e-4, bool adam = false, int seed = 0, Action<int, float>? onStep = null, TimeSpan? maxTime = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(labels);
        if (clips.Count != labels.Count) throw new ArgumentException($"{clips.Count} clips but {labels.Count} labels.", nameof(labels));
        if (batchSize < 1 || clips.Count < batchSize)
            throw new ArgumentException($"Batch size {batchSize} needs at least that many clips; got {clips.Count}.", nameof(batchSize));
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] < 0 || labels[i] >= Classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {i} is {labels[i]}; expected 0 to {Classes - 1}.");
        CheckLengths(clips); // before any step changes the weights
        var device = Device();
        train();
        using var optimizer = adam ? (optim.Optimizer)optim.Adam(parameters(), learningRate) : optim.SGD(parameters(), learningRate);
        var random = new Random(seed);
        var order = Enumerable.Range(0, clips.Count).ToArray();
        int position = order.Length;
        var losses = new List<float>(steps);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int step = 0; step < steps && !(clock.Elapsed > maxTime); step++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (position + batchSize > order.Length)
            {
                random.Shuffle(order);
                position = 0;
            }
            using var scope = torch.NewDisposeScope();
            using var noCollection = NoGarbageCollection.Begin(); // TorchSharp's Scalar race (NoGarbageCollection)
            var batch = order.AsSpan(position, batchSize).ToArray();
            position += batchSize;
            var x = Stack(batch.Select(i => clips[i]).ToList(), 0, batchSize, device);
            var y = torch.tensor(batch.Select(i => (long)labels[i]).ToArray(), device: device);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(forward(x), y);
            loss.backward();
            optimizer.step();
            float value = loss.item<float>();
            losses.Add(value);
            onStep?.Invoke(step, value);
        }
        eval();
        return losses;
    }

    /// <summary>Writes the weights and batch-norm statistics (TorchSharp's format), replacing the file atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, temp => save(temp));

    /// <summary>Reads a classifier written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a saved classifier of <paramref name="classes"/> classes.</exception>
    public static DigitClassifier Load(string path, int classes = 10)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Digit classifier weights '{path}' do not exist.", path);
        var classifier = new DigitClassifier(classes);
        try
        {
            classifier.load(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            classifier.Dispose();
            throw new InvalidDataException($"'{path}' is not a saved {classes}-class digit classifier: {e.Message}", e);
        }
        classifier.eval();
        return classifier;
    }

    private Device Device() => logits.weight!.device;

    /// <summary>Throws naming the first clip (by its index in <paramref name="clips"/>) that is missing or not <see cref="ClipLength"/> long.</summary>
    private static void CheckLengths(IReadOnlyList<float[]> clips)
    {
        for (int i = 0; i < clips.Count; i++)
            if (clips[i] is not { Length: ClipLength })
                throw new ArgumentException($"Clip {i} has {(clips[i] is null ? "no samples (null)" : $"{clips[i].Length} samples")}; the digit classifier takes {ClipLength}.", nameof(clips));
    }

    private static Tensor Stack(IReadOnlyList<float[]> clips, int start, int count, Device device)
    {
        var flat = new float[count * ClipLength];
        for (int i = 0; i < count; i++) clips[start + i].CopyTo(flat, i * ClipLength);
        return torch.tensor(flat, count, ClipLength).to(device);
    }

    internal static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _features.Dispose();
        base.Dispose(disposing);
    }
}
