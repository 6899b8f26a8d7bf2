using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.SeqGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// The saved SeqGAN model at the paper's oracle size: a generator pretrained by MLE through the public estimator (the
/// oracle's ids written as words), saved with <c>mlContext.Model.Save</c> and loaded by a fresh MLContext; NLL-oracle of
/// the TorchSharp transformer's samples (<c>Generate</c>) and the loaded model's (one per row), the largest score
/// difference, and the time per row of each.
/// </summary>
internal static class SeqGanSaveBenchmark
{
    private sealed class Line
    {
        public string Text { get; set; } = "";
    }

    public static int Run(CommandOptions options)
    {
        int vocabulary = options.Int("vocab", 5000);
        int length = options.Int("length", 20);
        int sequences = options.Int("sequences", 9984);
        int samples = options.Int("eval-samples", 9984);
        int epochs = options.Int("mle-epochs", 5);
        int oracleSeed = options.Int("oracle-seed", 66);
        int seed = options.Int("seed", 88);
        string output = options.String("out", "bench/results/seqgan-save");
        options.RejectUnknown();

        GanEnvironment.UseCpu();
        using var oracle = new OracleLstm(vocabulary, oracleSeed);
        string Words(long[] ids) => string.Join(' ', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
        List<string> Draw(int count, ulong drawSeed)
        {
            using var draws = new Generator(drawSeed);
            using var ids = oracle.Sample(count, length, draws);
            return ids.data<long>().ToArray().Chunk(length).Select(Words).ToList();
        }
        var training = Draw(sequences, (ulong)seed);
        var heldOut = Draw(samples, (ulong)seed + 1);

        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(training.Select(t => new Line { Text = t }));
        var clock = Stopwatch.StartNew();
        using var model = ml.Transforms.Gan().SeqGan(new SeqGanEstimator.Options
        {
            SequenceLength = length, MaxVocabularySize = vocabulary + 2, PretrainEpochs = epochs, DiscriminatorPretrainRounds = 0, AdversarialRounds = 0,
        }).Fit(data);
        double trainMinutes = clock.Elapsed.TotalMinutes;
        // The zip (about 30 MB at this size, mostly D's weights) is a by-product; only result.md is kept.
        string zip = Path.Combine(Path.GetTempPath(), $"seqgan-save-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        long zipBytes = new FileInfo(zip).Length;

        var rows = ml.Data.LoadFromEnumerable(heldOut.Select(t => new Line { Text = t }));
        var loaded = new MLContext().Model.Load(zip, out _).Transform(rows);
        File.Delete(zip);
        var theirTexts = new List<string>(samples);
        var theirScores = new List<float>(samples);
        clock.Restart();
        using (var cursor = loaded.GetRowCursor(new[] { loaded.Schema["Generated"], loaded.Schema["Score"] }))
        {
            var text = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(loaded.Schema["Generated"]);
            var score = cursor.GetGetter<VBuffer<float>>(loaded.Schema["Score"]);
            VBuffer<ReadOnlyMemory<char>> t = default;
            VBuffer<float> s = default;
            while (cursor.MoveNext())
            {
                text(ref t);
                score(ref s);
                theirTexts.Add(t.GetItemOrDefault(0).ToString());
                theirScores.Add(s.GetItemOrDefault(0));
            }
        }
        double loadedMs = clock.Elapsed.TotalMilliseconds / samples;

        clock.Restart();
        var ours = model.Transform(rows);
        var ourScores = ours.GetColumn<float>("Score").ToArray();
        _ = ours.GetColumn<string>("Generated").ToArray();
        double torchSharpMs = clock.Elapsed.TotalMilliseconds / samples;
        float maxScoreDifference = ourScores.Zip(theirScores, (a, b) => Math.Abs(a - b)).Max();

        var torchSharp = Nll(oracle, model.Generate(samples).GetColumn<string>("Generated").ToList(), length);
        var fromZip = Nll(oracle, theirTexts, length);
        var truth = Nll(oracle, heldOut, length);
        string Row(string name, (double Nll, double Error, int Left) r) =>
            FormattableString.Invariant($"| {name} | {r.Nll:F3} ± {r.Error:F3} | {r.Left} |");
        var lines = new List<string>
        {
            FormattableString.Invariant($"SeqGAN saved model: oracle vocabulary {vocabulary}, length {length}, {sequences} training sequences (oracle seed {oracleSeed}), {epochs} MLE epochs ({trainMinutes:F1} min), {samples} samples each; load {MachineInfo.LoadAverage()}"),
            "",
            "| samples | NLL-oracle ± standard error | left out (padding or <unk>) |",
            "|---|---|---|",
            Row("TorchSharp transformer (Generate)", torchSharp),
            Row("loaded model zip (one per row)", fromZip),
            Row("the oracle's own", truth),
            "",
            FormattableString.Invariant($"Model zip {zipBytes / 1e6:F1} MB. Largest score difference over {samples} rows: {maxScoreDifference:E2}. Time per row (generated text and score): loaded model {loadedMs:F2} ms, TorchSharp transformer {torchSharpMs:F2} ms."),
            "",
            $"`{ResultFile.CommandLine()}`",
        };
        Directory.CreateDirectory(output);
        File.WriteAllLines(Path.Combine(output, "result.md"), lines);
        foreach (var l in lines) Console.WriteLine(l);
        return 0;
    }

    /// <summary>NLL-oracle of the texts that are full-length oracle sequences, its standard error, and how many were not.</summary>
    private static (double Nll, double Error, int Left) Nll(OracleLstm oracle, IReadOnlyList<string> texts, int length)
    {
        var full = texts.Select(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length == length && w.All(x => long.TryParse(x, CultureInfo.InvariantCulture, out _)))
            .Select(w => w.Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToList();
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        // In batches: the logits of all sequences at once would be [count, length, vocabulary] floats, gigabytes.
        var perSequence = cat(full.Chunk(256).Select(batch =>
        {
            using var batchScope = NewDisposeScope();
            var ids = tensor(batch.SelectMany(x => x).ToArray(), new long[] { batch.Length, length });
            return (-oracle.Network.TokenLogProbabilities(ids).mean(new long[] { 1 })).MoveToOuterDisposeScope();
        }).ToArray());
        using var all = tensor(full.SelectMany(x => x).ToArray(), new long[] { full.Count, length });
        return (oracle.NllOracle(all, 256), perSequence.std().item<float>() / Math.Sqrt(full.Count), texts.Count - full.Count);
    }
}
