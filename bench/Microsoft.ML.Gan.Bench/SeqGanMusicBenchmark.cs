using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.SeqGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// SeqGAN's music experiment (paper §5, Nottingham there; Debian's MIDI files here, <see cref="MelodyDataset"/>):
/// melodies as 32 piano-key tokens; BLEU-4 of generated melodies with every held-out sequence as a reference, and the
/// pitch-statistics MSE (<see cref="MusicMetrics.PitchStatisticsMse"/>) against the held-out sequences, for the
/// generator after MLE and after adversarial training of one run. Real training sequences scored the same way are
/// the reference point. A few samples of each phase are written as .mid files next to the result.
/// </summary>
internal static class SeqGanMusicBenchmark
{
    private const double PaperBleuMle = 0.9210, PaperBleuSeqGan = 0.9406, PaperMseMle = 22.38, PaperMseSeqGan = 20.62;

    public static int Run(CommandOptions options)
    {
        string dataFolder = options.String("data", MelodyDataset.DefaultRelativeFolder);
        int length = options.Int("length", MidiMelody.PaperSequenceLength);
        int samples = options.Int("samples", 1000);
        int midiFiles = options.Int("midi-files", 4);
        var schedule = SeqGanBenchRun.ReadSchedule(options, new SeqGanSettings { SequenceLength = length });
        int seed = options.Int("seed", 88);
        string output = options.String("out", "bench/results/seqgan-music");
        string? checkpoints = options.OptionalString("checkpoints");
        double maxMinutes = options.Double("max-minutes", 0);
        var device = GpuOptions.Device(options);
        options.RejectUnknown();

        var data = MelodyDataset.Load(dataFolder, length);
        var sequences = data.Train.Select(s => TokenColumn.Split(s, SeqGanTokenizer.Whitespace)).ToList();
        var (vocabulary, _, _) = Vocabulary.Build(sequences, MidiMelody.KeyCount + 2);
        var referencePitches = data.Test.Select(s => (IReadOnlyList<int>)MidiMelody.ParseTokens(s)).ToList();
        Console.WriteLine($"{DateTime.Now:HH:mm:ss} {data.FileCount} MIDI files with a melody ({data.Skipped.Count} skipped): " +
                          $"{data.Train.Count} training and {data.Test.Count} held-out sequences of {length} keys, vocabulary {vocabulary.Count}");

        var settings = schedule with { VocabularySize = vocabulary.Count, DataFingerprint = vocabulary.Fingerprint() };
        var ml = SeqGanBenchRun.Context(seed, device);

        var clock = Stopwatch.StartNew();
        int evaluations = 0;
        var lastSamples = new Dictionary<SeqGanPhase, List<string>>();
        var lastMse = new Dictionary<SeqGanPhase, double>();
        double Evaluate(SeqGanModel m)
        {
            // Each evaluation draws from its own seeded CPU generator, so evaluating more or less often leaves training alone.
            using var draws = new Generator((ulong)(1_000_000 + evaluations++));
            var generated = SeqGanBenchRun.SampleTexts(m.Generator, vocabulary, SeqGanTokenizer.Whitespace, samples, length, draws);
            double bleu = TextMetrics.Bleu(generated, data.Test, 4, SeqGanTokenizer.Whitespace);
            var pitches = PitchesOf(generated);
            double mse = pitches.Count > 0 ? MusicMetrics.PitchStatisticsMse(pitches, referencePitches) : double.NaN;
            (lastSamples[m.Phase], lastMse[m.Phase]) = (generated, mse);
            Console.WriteLine(FormattableString.Invariant($"{DateTime.Now:HH:mm:ss} BLEU-4 {bleu:F4} MSE {mse:F3} ({m.Phase}, {clock.Elapsed.TotalMinutes:F1} min) e.g. {generated[0]}"));
            return bleu;
        }

        using var real = vocabulary.EncodeAll(sequences, length);
        using var model = new SeqGanModel(settings, real, Evaluate, device, seed);
        double random, randomMse;
        using (no_grad()) random = Evaluate(model);
        randomMse = lastMse[model.Phase];
        SeqGanBenchRun.Train(model, ml, "SeqGanMusic", seed, checkpoints, maxMinutes);
        double minutes = clock.Elapsed.TotalMinutes;

        var realSample = data.Train.Take(samples).ToList();
        double realBleu = TextMetrics.Bleu(realSample, data.Test, 4, SeqGanTokenizer.Whitespace);
        double realMse = MusicMetrics.PitchStatisticsMse(PitchesOf(realSample), referencePitches);
        string Row(string name, SeqGanPhase phase, double paperBleu, double paperMse)
        {
            var last = model.Evaluations.LastOrDefault(e => e.Phase == phase);
            return last is null
                ? FormattableString.Invariant($"| {name} | — | — | {paperBleu:F4} | {paperMse:F2} |")
                : FormattableString.Invariant($"| {name} ({last.Index + 1} {(phase == SeqGanPhase.Pretraining ? "epochs" : "rounds")}) | {last.Value:F4} | {lastMse[phase]:F3} | {paperBleu:F4} | {paperMse:F2} |");
        }

        Directory.CreateDirectory(output);
        var lines = new List<string>
        {
            FormattableString.Invariant($"SeqGAN on Debian MIDI melodies: {data.Train.Count} training sequences of {length} keys, BLEU-4 and pitch-statistics MSE of {samples} samples against {data.Test.Count} held-out sequences; ") +
            SeqGanBenchRun.Describe(settings) + FormattableString.Invariant($"; {minutes:F1} min on {device}, load {MachineInfo.LoadAverage()}"),
            "",
            "| melodies | BLEU-4 | MSE (semitones²) | paper BLEU-4 (Nottingham) | paper MSE (Nottingham) |",
            "|---|---|---|---|---|",
            FormattableString.Invariant($"| random generator (initial) | {random:F4} | {randomMse:F3} | — | — |"),
            Row("MLE", SeqGanPhase.Pretraining, PaperBleuMle, PaperMseMle),
            Row("SeqGAN", SeqGanPhase.Adversarial, PaperBleuSeqGan, PaperMseSeqGan),
            FormattableString.Invariant($"| real: {realSample.Count} training sequences | {realBleu:F4} | {realMse:F3} | — | — |"),
            "",
        };
        foreach (var (phase, texts) in lastSamples)
        {
            lines.Add($"Samples after {phase} (MIDI: {phase.ToString().ToLowerInvariant()}-N.mid):");
            var written = texts.Select(MidiMelody.ParseTokensLenient).Where(k => k.Length > 0).Take(midiFiles).ToList();
            for (int i = 0; i < written.Count; i++)
            {
                MidiMelody.Write(Path.Combine(output, $"{phase.ToString().ToLowerInvariant()}-{i}.mid"), written[i]);
                lines.Add("    " + string.Join(' ', written[i]));
            }
            lines.Add("");
        }
        SeqGanBenchRun.Finish(model, "BLEU-4", lines, output);
        return 0;
    }

    // A sample's pitches: <unk> tokens (never in a key-only vocabulary, but drawable) are left out; empty samples too.
    private static List<IReadOnlyList<int>> PitchesOf(IEnumerable<string> texts) =>
        texts.Select(t => (IReadOnlyList<int>)MidiMelody.ParseTokensLenient(t)).Where(p => p.Count > 0).ToList();
}
