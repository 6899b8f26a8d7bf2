using System.Diagnostics;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.SeqGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// SeqGAN's synthetic experiment (paper §4, official <c>sequence_gan.py</c>): an oracle LSTM with N(0, 1) weights
/// provides 9,984 training sequences of 20 tokens over 5,000 tokens; the generator is pretrained by MLE, the
/// discriminator pretrained, then both trained adversarially. NLL-oracle (the oracle's mean per-token NLL of 9,984
/// generated sequences) is reported for the random generator, after MLE and after SeqGAN, with the curve.
/// Defaults are the paper's schedule; shorter ones are for the CPU.
/// </summary>
internal static class SeqGanOracleBenchmark
{
    public static int Run(CommandOptions options)
    {
        int vocabulary = options.Int("vocab", 5000);
        int length = options.Int("length", 20);
        int sequences = options.Int("sequences", 9984);
        int evaluationSamples = options.Int("eval-samples", 9984);
        var settings = SeqGanBenchRun.ReadSchedule(options, new SeqGanSettings { VocabularySize = vocabulary, SequenceLength = length });
        int oracleSeed = options.Int("oracle-seed", 66);
        int seed = options.Int("seed", 88);
        string output = options.String("out", "bench/results/seqgan-oracle");
        string? checkpoints = options.OptionalString("checkpoints");
        double maxMinutes = options.Double("max-minutes", 0);
        var device = GpuOptions.Device(options);
        options.RejectUnknown();

        var ml = SeqGanBenchRun.Context(seed, device);
        // The oracle samples on the CPU, where a seeded generator fixes its draws, then scores on the device.
        using var oracle = new OracleLstm(vocabulary, oracleSeed);
        Tensor real, oracleSamples;
        using (var draws = new Generator((ulong)seed)) real = oracle.Sample(sequences, length, draws);
        using (var draws = new Generator((ulong)seed + 1)) oracleSamples = oracle.Sample(evaluationSamples, length, draws);
        oracle.To(device);
        double oracleSelf = oracle.NllOracle(oracleSamples, 256);

        var clock = Stopwatch.StartNew();
        int evaluations = 0;
        double Evaluate(SeqGanModel m)
        {
            // Each evaluation draws from its own seeded generator, so evaluating more or less often leaves training alone.
            using var draws = new Generator((ulong)(1_000_000 + evaluations++));
            var samples = device.type == DeviceType.CPU
                ? SeqGanBenchRun.Sample(m.Generator, evaluationSamples, length, draws)
                : m.Sample(evaluationSamples);
            double nll = oracle.NllOracle(samples, 256);
            Console.WriteLine(FormattableString.Invariant($"{DateTime.Now:HH:mm:ss} NLL-oracle {nll:F4} ({m.Phase}, {clock.Elapsed.TotalMinutes:F1} min)"));
            return nll;
        }

        using var model = new SeqGanModel(settings, real, Evaluate, device, seed);
        double random;
        using (no_grad()) random = Evaluate(model);
        SeqGanBenchRun.Train(model, ml, "SeqGanOracle", seed, checkpoints, maxMinutes);
        double minutes = clock.Elapsed.TotalMinutes;

        var mle = model.Evaluations.LastOrDefault(e => e.Phase == SeqGanPhase.Pretraining);
        var adversarial = model.Evaluations.LastOrDefault(e => e.Phase == SeqGanPhase.Adversarial);
        var lines = new List<string>
        {
            FormattableString.Invariant($"SeqGAN oracle experiment: vocabulary {vocabulary}, length {length}, {sequences} oracle sequences (oracle seed {oracleSeed}), NLL-oracle of {evaluationSamples} samples; ") +
            SeqGanBenchRun.Describe(settings) + FormattableString.Invariant($"; {minutes:F1} min on {device}, load {MachineInfo.LoadAverage()}"),
            "",
            "| generator | NLL-oracle | paper |",
            "|---|---|---|",
            FormattableString.Invariant($"| random (initial) | {random:F3} | 10.310 |"),
            mle is null ? "| MLE | — | 9.038 |" : FormattableString.Invariant($"| MLE ({mle.Index + 1} epochs) | {mle.Value:F3} | 9.038 |"),
            adversarial is null ? "| SeqGAN | — | 8.736 |" : FormattableString.Invariant($"| SeqGAN ({adversarial.Index + 1} rounds) | {adversarial.Value:F3} | 8.736 |"),
            FormattableString.Invariant($"| the oracle's own samples (lower bound) | {oracleSelf:F3} | — |"),
            "",
        };
        SeqGanBenchRun.Finish(model, "NLL-oracle", lines, output);
        return 0;
    }
}
