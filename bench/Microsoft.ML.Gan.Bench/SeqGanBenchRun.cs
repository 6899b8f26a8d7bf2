using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.SeqGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>What the SeqGAN benchmarks share: the schedule options, the training loop with its log lines, the result file.</summary>
internal static class SeqGanBenchRun
{
    /// <summary>The schedule options (defaults: the official code's) on top of <paramref name="template"/>.</summary>
    public static SeqGanSettings ReadSchedule(CommandOptions options, SeqGanSettings template) => template with
    {
        PretrainEpochs = options.Int("mle-epochs", 120),
        DiscriminatorPretrainRounds = options.Int("d-pretrain-rounds", 50),
        DiscriminatorEpochsPerRound = options.Int("d-epochs", 3),
        AdversarialRounds = options.Int("adversarial-rounds", 200),
        AdversarialDiscriminatorRounds = options.Int("adversarial-d-rounds", 5),
        RolloutCount = options.Int("rollouts", 16),
        RolloutUpdateRate = options.Double("rollout-rate", 0),
        EvaluateEvery = options.Int("eval-every", 5),
    };

    /// <summary>
    /// The context a SeqGAN benchmark trains in: seeded, on <paramref name="device"/>, SeqGAN's log lines on the console,
    /// and the CPU settings training uses (<see cref="GanEnvironment.UseCpu"/>) when there is no GPU.
    /// </summary>
    public static MLContext Context(int seed, Device device)
    {
        var ml = GpuOptions.Context(seed, device);
        ml.Log += (_, e) => { if (e.Message.StartsWith("SeqGAN", StringComparison.Ordinal)) Console.WriteLine($"{DateTime.Now:HH:mm:ss} {e.Message}"); };
        if (device.type == DeviceType.CPU) GanEnvironment.UseCpu();
        return ml;
    }

    /// <summary>
    /// <paramref name="count"/> sequences of ids [count, length] from <paramref name="generator"/>, drawn 1,024 at a time
    /// (each batch's [1,024, vocabulary] probabilities per step bound the memory) from <paramref name="draws"/>.
    /// </summary>
    public static Tensor Sample(SeqGanGenerator generator, int count, int length, torch.Generator draws) =>
        cat(Enumerable.Range(0, (count + 1023) / 1024).Select(i => generator.Sample(Math.Min(1024, count - 1024 * i), length, draws)).ToArray());

    /// <summary><see cref="Sample"/> written as text, as the transformer writes generated sequences.</summary>
    public static List<string> SampleTexts(SeqGanGenerator generator, Vocabulary vocabulary, SeqGanTokenizer tokenizer, int count, int length, torch.Generator draws)
    {
        var ids = Sample(generator, count, length, draws).cpu().data<long>().ToArray();
        return Enumerable.Range(0, count)
            .Select(i => TokenColumn.Join(vocabulary.Decode(ids.Skip(i * length).Take(length)), tokenizer))
            .ToList();
    }

    /// <summary>The schedule in words, for the first line of a result file.</summary>
    public static string Describe(SeqGanSettings s) => FormattableString.Invariant(
        $"{s.PretrainEpochs} MLE epochs, D pretraining {s.DiscriminatorPretrainRounds} × {s.DiscriminatorEpochsPerRound} epochs, ") +
        FormattableString.Invariant($"{s.AdversarialRounds} adversarial rounds × ({s.AdversarialDiscriminatorRounds} × {s.DiscriminatorEpochsPerRound} D epochs), {s.RolloutCount} rollouts");

    /// <summary>Trains (or resumes) <paramref name="model"/>, printing a line a minute.</summary>
    public static void Train(SeqGanModel model, MLContext ml, string name, int seed, string? checkpoints, double maxMinutes)
    {
        var env = new GanEnvironment(ml, name);
        new GanTrainingLoop(env.Host, new GanTrainingOptions
        {
            CheckpointDirectory = checkpoints,
            CheckpointEvery = 2000,
            ReportInterval = TimeSpan.FromSeconds(60),
            MaxTrainingTime = maxMinutes > 0 ? TimeSpan.FromMinutes(maxMinutes) : null,
            Progress = new Progress<GanProgress>(p => Console.WriteLine(FormattableString.Invariant(
                $"{DateTime.Now:HH:mm:ss} step {p.Step}/{p.TotalSteps} {string.Join(" ", p.Losses.Select(l => $"{l.Key} {l.Value:F4}"))} load {MachineInfo.LoadAverage()}"))),
        }).Run(model, seed);
    }

    /// <summary>Adds the evaluation curve and the command line to <paramref name="lines"/>, writes OUTPUT/result.md, prints it and frees the networks.</summary>
    public static void Finish(SeqGanModel model, string metric, List<string> lines, string output)
    {
        lines.Add($"| phase | epoch / round | {metric} |");
        lines.Add("|---|---|---|");
        lines.AddRange(model.Evaluations.Select(e => FormattableString.Invariant($"| {e.Phase} | {e.Index} | {e.Value:F4} |")));
        lines.Add("");
        lines.Add($"`{ResultFile.CommandLine()}`");
        Directory.CreateDirectory(output);
        File.WriteAllLines(Path.Combine(output, "result.md"), lines);
        foreach (var l in lines) Console.WriteLine(l);
        model.Generator.Dispose();
        model.Discriminator.Dispose();
    }
}
