using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// <c>emoji</c>: the CycleGAN paper's evaluation idea on the emoji data. Train Google → Twitter unpaired, translate the
/// held-out Google emoji and score them against the Twitter drawings of the same emoji, which training never paired
/// (the paper scores Cityscapes translations with an FCN against ground truth instead). The input itself is the
/// baseline to beat; <c>--method gan-alone</c> is the paper's ablation without cycle (and identity) losses.
/// </summary>
internal static class EmojiEvaluation
{
    private sealed class TestRow
    {
        public string Google { get; set; } = "";
        public string Twitter { get; set; } = "";
    }

    public static int Run(CommandOptions o)
    {
        string folder = o.OptionalString("data") ?? EmojiDataset.FindDefaultFolder() ?? EmojiDataset.DefaultRelativeFolder;
        string method = o.String("method", "cyclegan");
        var config = NetworkConfig.Read(o, size: 64, blocks: 6, ngf: 64, ndf: 64);
        int epochs = o.Int("epochs", 2), images = o.Int("images", 0), seed = o.Int("seed", 1), preview = o.Int("preview", 16);
        string output = o.String("out", Path.Combine("bench", "results", $"emoji-{method}"));
        int reportSeconds = o.Int("report-seconds", 60);
        double maxMinutes = o.Double("max-minutes", 0);
        var device = GpuOptions.Device(o);
        o.RejectUnknown();
        double cycleWeight = method switch
        {
            "cyclegan" => 10,
            "gan-alone" => 0, // also removes the identity loss, which the model scales by the cycle weight
            _ => throw new ArgumentException($"--method is '{method}'; expected cyclegan or gan-alone."),
        };

        var emoji = EmojiDataset.Open(folder);
        var ml = GpuOptions.Context(seed, device);
        var all = emoji.GetTrainingImages(seed: 0);
        var rows = images <= 0 ? all : all.Where(r => !r.IsTwitter).Take(images).Concat(all.Where(r => r.IsTwitter).Take(images)).ToList();
        int countA = rows.Count(r => !r.IsTwitter), countB = rows.Count - countA;
        var options = config.ToOptions();
        options.InputColumnName = "Emoji";
        options.DomainColumnName = nameof(EmojiImage.IsTwitter);
        options.OutputColumnName = "Translated";
        // The catalog's split: the first half at the constant rate, the second half decaying (the last epoch at 0).
        (options.Epochs, options.DecayEpochs) = ((epochs + 1) / 2, epochs / 2);
        options.CycleWeight = cycleWeight;
        options.CuDnnAutotuning = GpuOptions.CuDnnAutotuning;
        options.ProgressInterval = TimeSpan.FromSeconds(reportSeconds);
        if (maxMinutes > 0) options.MaxTrainingTime = TimeSpan.FromMinutes(maxMinutes);
        long lastStep = 0;
        options.Progress = new SyncProgress(p =>
        {
            lastStep = p.Step;
            Console.WriteLine(FormattableString.Invariant(
                $"{DateTime.Now:HH:mm:ss} epoch {p.Epoch} step {p.Step}/{p.TotalSteps} {p.SamplesPerSecond:F2} img/s eta {p.Eta:hh\\:mm\\:ss} load {MachineInfo.LoadAverage()} | ") +
                string.Join(' ', p.Losses.Select(kv => FormattableString.Invariant($"{kv.Key} {kv.Value:F3}"))));
        });

        var machine = MachineInfo.Now();
        long steps = (long)epochs * ((Math.Max(countA, countB) + config.Batch - 1) / config.Batch);
        Console.WriteLine($"emoji {method}: {config}, {countA} Google + {countB} Twitter training images on {device}, {epochs} epochs ({options.Epochs} + {options.DecayEpochs} decay) = {steps} steps, seed {seed}; {machine}");

        var pipeline = Load(ml, "Emoji", nameof(EmojiImage.Image), config.Size).Append(ml.Transforms.Gan().CycleGan(options));
        var clock = Stopwatch.StartNew();
        using var model = pipeline.Fit(ml.Data.LoadFromEnumerable(rows)).LastTransformer;
        double trainSeconds = clock.Elapsed.TotalSeconds;
        long trainedSteps = lastStep;
        Console.WriteLine($"trained {trainedSteps} of {steps} steps in {trainSeconds / 60:F1} min");

        var pairs = ReadTestPairs(ml, emoji, config.Size);
        clock.Restart();
        var translated = pairs.Select(p => model.Translate(p.Google, CycleGanDirection.AToB)).ToList();
        double translateSeconds = clock.Elapsed.TotalSeconds;
        var scores = new
        {
            identity = Evaluate(pairs.Select(p => p.Google).ToList(), pairs, config.Size),
            translated = Evaluate(translated, pairs, config.Size),
        };
        Console.WriteLine("| method | L1 ↓ | SSIM ↑ |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(FormattableString.Invariant($"| identity (input) | {scores.identity.L1:F4} | {scores.identity.Ssim:F4} |"));
        Console.WriteLine(FormattableString.Invariant($"| {method} | {scores.translated.L1:F4} | {scores.translated.Ssim:F4} |"));
        Console.WriteLine($"{pairs.Count} held-out pairs; training {trainSeconds / 60:F1} min; translating {translateSeconds:F1} s");

        Directory.CreateDirectory(output);
        var shown = Enumerable.Range(0, Math.Min(preview, pairs.Count)).ToList();
        ImageGrid.Save(Path.Combine(output, "grid.png"), new[]
        {
            shown.Select(i => pairs[i].Google).ToList(),
            shown.Select(i => translated[i]).ToList(),
            shown.Select(i => pairs[i].Twitter).ToList(),
        }, config.Size, config.Size);
        ResultFile.WriteJson(Path.Combine(output, "result.json"), new
        {
            command = ResultFile.CommandLine(),
            method,
            config,
            epochs,
            constantEpochs = options.Epochs,
            decayEpochs = options.DecayEpochs,
            trainingImages = new { google = countA, twitter = countB },
            steps,
            trainedSteps,
            maxMinutes,
            cycleWeight,
            identityWeight = cycleWeight > 0 ? options.IdentityWeight : 0,
            seed,
            device = device.ToString(),
            trainMinutes = trainSeconds / 60,
            translateSeconds,
            testPairs = pairs.Count,
            scores,
            gridRows = "held-out Google input / translation / true Twitter",
            gridNames = shown.Select(i => pairs[i].Name).ToList(),
            machine,
            loadAfter = MachineInfo.LoadAverage(),
        });
        return 0;
    }

    private static IEstimator<ITransformer> Load(MLContext ml, string output, string input, int size)
    {
        var load = ml.Transforms.LoadImages(output, imageFolder: null, input);
        // The files are 64×64; other sizes are resized the same way for training and for evaluation.
        return size == 64 ? load : load.Append(ml.Transforms.ResizeImages(output, size, size, output));
    }

    private sealed record Pair(string Name, float[] Google, float[] Twitter);

    private static List<Pair> ReadTestPairs(MLContext ml, EmojiDataset emoji, int size)
    {
        var tests = emoji.GetTestPairs();
        var view = ml.Data.LoadFromEnumerable(tests.Select(p => new TestRow { Google = p.GooglePath, Twitter = p.TwitterPath }));
        var loaded = Load(ml, "GoogleImage", nameof(TestRow.Google), size).Append(Load(ml, "TwitterImage", nameof(TestRow.Twitter), size)).Fit(view).Transform(view);
        var pairs = new List<Pair>();
        using var cursor = loaded.GetRowCursor(loaded.Schema);
        var google = cursor.GetGetter<MLImage>(loaded.Schema["GoogleImage"]);
        var twitter = cursor.GetGetter<MLImage>(loaded.Schema["TwitterImage"]);
        MLImage g = null!, t = null!;
        int i = 0;
        while (cursor.MoveNext())
        {
            google(ref g);
            twitter(ref t);
            pairs.Add(new Pair(tests[i++].Name, ImageTensors.ToPlanarRgb(g), ImageTensors.ToPlanarRgb(t)));
        }
        return pairs;
    }

    private sealed record Score(double L1, double Ssim, double L1Median, double SsimMedian);

    private static Score Evaluate(IReadOnlyList<float[]> images, IReadOnlyList<Pair> pairs, int size)
    {
        var l1 = images.Select((x, i) => ImageMetrics.MeanAbsoluteError(x, pairs[i].Twitter)).ToList();
        var ssim = images.Select((x, i) => ImageMetrics.StructuralSimilarity(x, pairs[i].Twitter, size, size)).ToList();
        return new Score(l1.Average(), ssim.Average(), Summary.Of(l1).Median, Summary.Of(ssim).Median);
    }
}
