using System.Diagnostics;
using Microsoft.ML.Gan.Core.Native;
using Microsoft.ML.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Core;

/// <summary>
/// The training loop every GAN shares: epochs of steps, progress (ML.NET's progress channel and
/// <see cref="IProgress{GanProgress}"/>), cancellation, TensorBoard events, a stop on NaN/Inf, and checkpoints that
/// resume exactly (weights, optimisers, schedules, pools, counters and random states).
/// </summary>
internal sealed class GanTrainingLoop
{
    private readonly IHost _host;
    private readonly GanTrainingOptions _options;

    public GanTrainingLoop(IHost host, GanTrainingOptions options) => (_host, _options) = (host, options);

    public string? CheckpointPath =>
        _options.CheckpointDirectory is null ? null : Path.Combine(_options.CheckpointDirectory, Checkpoint.FileName);

    /// <summary>Trains <paramref name="model"/> to its last epoch, resuming from the checkpoint folder when it has one.</summary>
    public void Run(IGanModel model, long seed)
    {
        using var ch = _host.Start("Training");
        using var autotuning = _options.CuDnnAutotuning ? LibTorchContext.CuDnnBenchmarkScope() : null;
        var random = new GanRandom(seed);
        long step = 0;
        long totalSteps = model.Epochs * model.StepsPerEpoch;
        if (CheckpointPath is { } existing && File.Exists(existing))
        {
            using (NoGarbageCollection.Begin()) step = Resume(model, random, existing);
            ch.Info(MessageSensitivity.None, $"{model.Kind}: resumed from '{existing}' at step {step} of {totalSteps}.");
            // A run that had already met its stopping criterion stays finished.
            if (model.ShouldStop(step)) totalSteps = step;
        }

        var writer = _options.LogDirectory is null ? null : torch.utils.tensorboard.SummaryWriter(_options.LogDirectory);
        using var pch = _host.StartProgressChannel($"{model.Kind} training");
        var lastLosses = new Dictionary<string, double>();
        using var unread = new UnreadLosses(model.Kind, CheckpointPath);
        long reportedStep = step;
        var clock = Stopwatch.StartNew();
        var sinceReport = Stopwatch.StartNew();
        long lastCheckpointStep = step, runStartStep = step;
        bool resumedMidEpoch = step % model.StepsPerEpoch != 0;
        pch.SetHeader(new ProgressHeader(new[] { "steps" }), e => e.SetProgress(0, Interlocked.Read(ref step), totalSteps));

        while (step < totalSteps)
        {
            int epoch = (int)(step / model.StepsPerEpoch) + 1;
            // A run resumed inside an epoch still needs that epoch's rates and data order.
            if (step % model.StepsPerEpoch == 0 || resumedMidEpoch)
            {
                resumedMidEpoch = false;
                model.BeginEpoch(epoch);
                foreach (var (name, rate) in model.LearningRates) writer?.add_scalar($"lr/{name}", (float)rate, (int)step);
            }
            long epochEnd = epoch * model.StepsPerEpoch;
            while (step < epochEnd)
            {
                // No garbage collection while this iteration calls TorchSharp (NoGarbageCollection says why); between
                // iterations the runtime collects as it needs.
                using var noCollection = NoGarbageCollection.Begin();
                if (_options.CancellationToken.IsCancellationRequested)
                {
                    unread.Read(lastLosses, lastCheckpointStep);
                    SaveCheckpoint(model, random, step, lastCheckpointStep);
                    ch.Info(MessageSensitivity.None, $"{model.Kind}: cancelled at step {step}" +
                        (CheckpointPath is null ? "; no checkpoint folder was set." : $"; checkpoint written to '{CheckpointPath}'."));
                    _options.CancellationToken.ThrowIfCancellationRequested();
                }
                using (var scope = NewDisposeScope()) unread.Add(step + 1, epoch, model.TrainStep(random));
                Interlocked.Increment(ref step);

                bool stopEarly = model.ShouldStop(step);
                bool outOfTime = !stopEarly && step < totalSteps && clock.Elapsed >= _options.MaxTrainingTime;
                bool last = step == totalSteps || stopEarly || outOfTime;
                bool report = last || sinceReport.Elapsed >= _options.ReportInterval;
                bool checkpoint = last || step % _options.CheckpointEvery == 0;
                if (report || checkpoint || unread.Count >= _options.LossReadInterval) unread.Read(lastLosses, lastCheckpointStep);
                if (report)
                {
                    Report(model, writer, epoch, lastLosses, (runStartStep, reportedStep, step, totalSteps), sinceReport.Elapsed, clock.Elapsed);
                    reportedStep = step;
                    sinceReport.Restart();
                }
                if (checkpoint)
                {
                    if (CheckpointPath is not null)
                    {
                        SaveCheckpoint(model, random, step, lastCheckpointStep);
                        lastCheckpointStep = step;
                    }
                    if (writer is not null) LogSamples(model, writer, step);
                }
                if (stopEarly || outOfTime)
                {
                    ch.Info(MessageSensitivity.None, stopEarly ? $"{model.Kind}: stopping criterion met at step {step}."
                        : $"{model.Kind}: training time limit {_options.MaxTrainingTime} reached at step {step} of {totalSteps}.");
                    totalSteps = step;
                    break;
                }
            }
        }
        ch.Info(MessageSensitivity.None, $"{model.Kind}: trained {totalSteps} steps in {clock.Elapsed.TotalSeconds:F1} s; " +
            string.Join(", ", lastLosses.Select(kv => $"{kv.Key} {kv.Value:F4}")));
    }

    /// <summary>
    /// The losses of the steps since the last read, still on the device: reading them (one copy for all) waits for
    /// the device, so the loop reads every <see cref="GanTrainingOptions.LossReadInterval"/> steps and before anything
    /// that must not follow a diverged step (a report, a checkpoint, the end).
    /// </summary>
    private sealed class UnreadLosses(string kind, string? checkpointPath) : IDisposable
    {
        private readonly List<(long Step, int Epoch, string[] Names, Tensor Values)> _steps = new();

        public int Count => _steps.Count;

        /// <summary>Frees what a run that stopped on an exception left unread.</summary>
        public void Dispose()
        {
            foreach (var s in _steps) s.Values.Dispose();
            _steps.Clear();
        }

        public void Add(long step, int epoch, IReadOnlyList<(string Name, Tensor Value)> losses)
        {
            var values = cat(losses.Select(l => l.Value.detach().to(float32).reshape(1)).ToArray());
            _steps.Add((step, epoch, losses.Select(l => l.Name).ToArray(), values.DetachFromDisposeScope()));
        }

        /// <summary>Copies the losses to the host, throws at the first NaN or Inf naming its step, else updates <paramref name="last"/>.</summary>
        public void Read(Dictionary<string, double> last, long lastCheckpointStep)
        {
            if (_steps.Count == 0) return;
            float[] all;
            using (NewDisposeScope()) // the loop calls this outside any step's scope
                all = cat(_steps.Select(s => s.Values).ToArray()).cpu().data<float>().ToArray();
            var steps = _steps.ToList();
            foreach (var s in _steps) s.Values.Dispose();
            _steps.Clear();
            int i = 0;
            foreach (var (step, epoch, names, _) in steps)
                foreach (var name in names)
                {
                    double v = all[i++];
                    if (!double.IsFinite(v))
                        throw new InvalidOperationException(
                            $"{kind} training diverged at step {step} (epoch {epoch}): loss '{name}' is {v}. " +
                            LastGoodCheckpoint(checkpointPath, lastCheckpointStep));
                    last[name] = v;
                }
        }
    }

    private void Report(IGanModel model, SummaryWriter? writer, int epoch, Dictionary<string, double> losses,
        (long RunStart, long Previous, long Now, long Total) steps, TimeSpan sincePrevious, TimeSpan elapsed)
    {
        var (runStart, previousStep, step, total) = steps;
        double samplesPerSecond = (step - previousStep) * model.SamplesPerStep / Math.Max(sincePrevious.TotalSeconds, 1e-9);
        double secondsPerStep = elapsed.TotalSeconds / Math.Max(step - runStart, 1);
        var eta = TimeSpan.FromSeconds(secondsPerStep * (total - step));
        foreach (var (name, value) in losses) writer?.add_scalar($"loss/{name}", (float)value, (int)step);
        _options.Progress?.Report(new GanProgress(epoch, step, total, new Dictionary<string, double>(losses), samplesPerSecond, eta));
    }

    private static void LogSamples(IGanModel model, SummaryWriter writer, long step)
    {
        using var scope = NewDisposeScope();
        var grid = model.SampleGrid();
        if (grid is not null) writer.add_img("samples", grid.cpu(), (int)step);
    }

    /// <summary>What a divergence message says about the checkpoint a user can resume from.</summary>
    private static string LastGoodCheckpoint(string? checkpointPath, long lastCheckpointStep) =>
        checkpointPath is null ? "No checkpoint folder was set."
        // A fresh run that diverges before its first checkpoint has none to offer yet.
        : !File.Exists(checkpointPath) ? $"No checkpoint had been written yet (it would be '{checkpointPath}')."
        : $"The last good checkpoint '{checkpointPath}' (step {lastCheckpointStep}) is intact.";

    private void SaveCheckpoint(IGanModel model, GanRandom random, long step, long lastCheckpointStep)
    {
        if (CheckpointPath is null) return;
        // The loop calls this outside any step's scope: the random states, the models' generator states and the
        // finiteness checks below are new tensors (on the training device) that would otherwise wait for finalizers.
        using var scope = NewDisposeScope();
        var checkpoint = new Checkpoint(model.Kind, model.Fingerprint);
        checkpoint.Scalars["step"] = step;
        checkpoint.AddRandom("loop.random", random);
        checkpoint.Tensors["loop.torch_random"] = torch.random.get_rng_state();
        model.SaveState(checkpoint);
        // A step can leave weights non-finite while its losses (computed before the update) were fine; such a state
        // must not replace the last good checkpoint.
        foreach (var (name, t) in checkpoint.Tensors)
            if (t.is_floating_point() && !isfinite(t).all().item<bool>())
                throw new InvalidOperationException(
                    $"{model.Kind} training diverged at step {step}: '{name}' holds NaN or Inf. " + LastGoodCheckpoint(CheckpointPath, lastCheckpointStep));
        checkpoint.Save(CheckpointPath);
    }

    /// <summary>Loads the checkpoint at <paramref name="path"/> into the model.</summary>
    private static long Resume(IGanModel model, GanRandom random, string path)
    {
        using var scope = NewDisposeScope(); // loading makes copies (to the device, into pools); what a model keeps it detaches
        var checkpoint = Checkpoint.Load(path, model.Kind);
        try
        {
            if (checkpoint.Fingerprint != model.Fingerprint)
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' was made with other options ({checkpoint.Fingerprint}); these options are ({model.Fingerprint}). " +
                    "Use another CheckpointDirectory, or delete the checkpoint to start over.");
            checkpoint.LoadRandom("loop.random", random);
            torch.random.set_rng_state(checkpoint.GetTensor("loop.torch_random"));
            model.LoadState(checkpoint);
            return checkpoint.GetLong("step");
        }
        catch (InvalidDataException e)
        {
            // The models' checks (another seed, a tensor of another shape) do not know the file.
            throw new InvalidDataException($"Checkpoint '{path}' does not fit this run. {e.Message} " +
                "Use another CheckpointDirectory, or delete the checkpoint to start over.", e);
        }
        finally
        {
            checkpoint.DisposeTensors();
        }
    }
}
