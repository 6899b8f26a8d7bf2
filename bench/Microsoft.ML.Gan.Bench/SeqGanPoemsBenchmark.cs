using System.Diagnostics;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.SeqGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// SeqGAN's Chinese poem experiment (paper §5): five-character quatrains, 20 characters a sequence; BLEU-2 of
/// generated poems with every held-out poem as a reference (<see cref="TextMetrics.Bleu(IReadOnlyList{string}, IReadOnlyList{string}, int, SeqGanTokenizer)"/>),
/// for the generator after MLE pretraining and after adversarial training, from one run (the adversarial phase
/// starts from the MLE generator that is scored). Reference points: real training poems against the same references,
/// and each held-out poem against the other held-out poems. Self-BLEU of the samples shows whether a gain came with
/// a loss of diversity. Networks, losses and schedule structure are the official code's; the defaults are a shortened
/// CPU schedule, and every length is an option.
/// </summary>
internal static class SeqGanPoemsBenchmark
{
    public static int Run(CommandOptions options)
    {
        string? dataFolder = options.OptionalString("data") ?? PoemDataset.FindDefaultFolder();
        int trainPoems = options.Int("train-poems", 0);
        int testPoems = options.Int("test-poems", 0);
        int samples = options.Int("samples", 2000);
        int maxVocabulary = options.Int("max-vocab", 10000);
        var schedule = SeqGanBenchRun.ReadSchedule(options, new SeqGanSettings { SequenceLength = PoemDataset.PoemLength });
        int seed = options.Int("seed", 88);
        string output = options.String("out", "bench/results/seqgan-poems");
        string? checkpoints = options.OptionalString("checkpoints");
        double maxMinutes = options.Double("max-minutes", 0);
        var device = GpuOptions.Device(options);
        options.RejectUnknown();
        if (dataFolder is null)
            throw new ArgumentException($"No poem data found under data/poems; run '{PoemDataset.FetchCommand}' first or pass --data FOLDER.");

        var poems = PoemDataset.Open(dataFolder);
        var train = trainPoems > 0 ? poems.Train.Take(trainPoems).ToList() : poems.Train.ToList();
        var references = testPoems > 0 ? poems.Test.Take(testPoems).ToList() : poems.Test.ToList();
        var sequences = train.Select(p => TokenColumn.Split(p, SeqGanTokenizer.Characters)).ToList();
        var (vocabulary, droppedTokens, _) = Vocabulary.Build(sequences, maxVocabulary);
        Console.WriteLine($"{DateTime.Now:HH:mm:ss} {poems.PoemCount} poems in {poems.FileCount} files: {poems.Train.Count} training and {poems.Test.Count} held-out quatrains; " +
                          $"training on {train.Count}, {references.Count} references, vocabulary {vocabulary.Count} ({droppedTokens} rarer characters as <unk>)");

        var settings = schedule with { VocabularySize = vocabulary.Count, DataFingerprint = vocabulary.Fingerprint() };
        var ml = SeqGanBenchRun.Context(seed, device);

        var clock = Stopwatch.StartNew();
        int evaluations = 0;
        var lastSamples = new Dictionary<SeqGanPhase, List<string>>();
        List<string> Generate(SeqGanGenerator generator, int count, Generator draws) =>
            SeqGanBenchRun.SampleTexts(generator, vocabulary, SeqGanTokenizer.Characters, count, PoemDataset.PoemLength, draws);
        double Evaluate(SeqGanModel m)
        {
            // Each evaluation draws from its own seeded CPU generator, so evaluating more or less often leaves training alone.
            using var draws = new Generator((ulong)(1_000_000 + evaluations++));
            var generated = Generate(m.Generator, samples, draws);
            // An empty sample (padding drawn first) scores 0, as NLTK scores an empty hypothesis.
            double bleu = TextMetrics.Bleu(generated, references, 2, SeqGanTokenizer.Characters);
            lastSamples[m.Phase] = generated;
            Console.WriteLine(FormattableString.Invariant($"{DateTime.Now:HH:mm:ss} BLEU-2 {bleu:F4} ({m.Phase}, {clock.Elapsed.TotalMinutes:F1} min) e.g. {generated[0]}"));
            return bleu;
        }

        using var real = vocabulary.EncodeAll(sequences, PoemDataset.PoemLength);
        using var model = new SeqGanModel(settings, real, Evaluate, device, seed);
        double random;
        using (no_grad()) random = Evaluate(model);
        SeqGanBenchRun.Train(model, ml, "SeqGanPoems", seed, checkpoints, maxMinutes);
        double minutes = clock.Elapsed.TotalMinutes;

        // Reference points: as many real training poems as generated samples, against the same references; and every
        // held-out poem against the others (Self-BLEU of the test set).
        var realSample = poems.Train.Take(samples).ToList();
        double realBleu = TextMetrics.Bleu(realSample, references, 2, SeqGanTokenizer.Characters);
        double testSelf = TextMetrics.SelfBleu(references, 2, SeqGanTokenizer.Characters);
        double realSelf = TextMetrics.SelfBleu(realSample, 2, SeqGanTokenizer.Characters);
        string SelfOf(SeqGanPhase phase) => lastSamples.TryGetValue(phase, out var s) && s.Count(x => x.Length > 0) >= 2
            ? TextMetrics.SelfBleu(s.Where(x => x.Length > 0).ToList(), 2, SeqGanTokenizer.Characters).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)
            : "—";

        var mle = model.Evaluations.LastOrDefault(e => e.Phase == SeqGanPhase.Pretraining);
        var adversarial = model.Evaluations.LastOrDefault(e => e.Phase == SeqGanPhase.Adversarial);
        var lines = new List<string>
        {
            FormattableString.Invariant($"SeqGAN on Chinese quatrains: {train.Count} training poems, vocabulary {vocabulary.Count}, BLEU-2 of {samples} samples against {references.Count} held-out poems; ") +
            SeqGanBenchRun.Describe(settings) + FormattableString.Invariant($"; {minutes:F1} min on {device}, load {MachineInfo.LoadAverage()}"),
            "",
            "| poems | BLEU-2 | Self-BLEU-2 | paper BLEU-2 |",
            "|---|---|---|---|",
            FormattableString.Invariant($"| random generator (initial) | {random:F3} | — | — |"),
            mle is null ? "| MLE | — | — | 0.667 |" : FormattableString.Invariant($"| MLE ({mle.Index + 1} epochs) | {mle.Value:F3} | {SelfOf(SeqGanPhase.Pretraining)} | 0.667 |"),
            adversarial is null ? "| SeqGAN | — | — | 0.739 |" : FormattableString.Invariant($"| SeqGAN ({adversarial.Index + 1} rounds) | {adversarial.Value:F3} | {SelfOf(SeqGanPhase.Adversarial)} | 0.739 |"),
            FormattableString.Invariant($"| real: {realSample.Count} training poems | {realBleu:F3} | {realSelf:F3} | — |"),
            FormattableString.Invariant($"| real: each held-out poem against the other {references.Count - 1} | {testSelf:F3} | — | — |"),
            "",
        };
        foreach (var (phase, texts) in lastSamples)
        {
            lines.Add($"Samples after {phase}:");
            lines.AddRange(texts.Take(8).Select(t => "    " + PoemDataset.FormatQuatrain(t)));
            lines.Add("");
        }
        SeqGanBenchRun.Finish(model, "BLEU-2", lines, output);
        return 0;
    }
}
