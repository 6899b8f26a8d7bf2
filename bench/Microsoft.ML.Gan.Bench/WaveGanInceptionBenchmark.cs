using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Data;
using Microsoft.ML.Gan.WaveGan;
using TorchSharp;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// WaveGAN's evaluation protocol on the digits this machine can make: train the paper's digit classifier on the
/// espeak-ng set (examples/data/make-digits.sh), report its accuracy on held-out voices and on real recordings
/// (examples/data/fetch-tuxpaint-digits.sh), the Inception score of real training and held-out clips, of an untrained
/// generator (the floor) and of a WaveGAN trained here for a fixed time, and the nearest-neighbour diversity and
/// memorisation distances. The classifier's weights are saved under the output folder for reuse (--classifier).
/// </summary>
internal static class WaveGanInceptionBenchmark
{
    private static readonly string[] Digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private sealed class ClipRow
    {
        [VectorType(DigitClassifier.ClipLength)]
        public float[] Audio { get; set; } = [];
    }

    public static int Run(CommandOptions options)
    {
        string digitsFolder = options.String("digits", "data/digits");
        string tuxpaintFolder = options.String("tuxpaint", "data/tuxpaint-digits");
        var accents = options.OptionalString("accents")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var heldOutVoices = options.String("held-out-voices", "m7,f5").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        string? classifierPath = options.OptionalString("classifier");
        int classifierSteps = options.Int("classifier-steps", 100_000);
        double classifierMinutes = options.Double("classifier-minutes", 0);
        int classifierBatch = options.Int("classifier-batch", 64);
        double classifierRate = options.Double("classifier-lr", 1e-4);
        bool adam = options.String("classifier-optimizer", "sgd") switch
        {
            "sgd" => false,
            "adam" => true,
            var other => throw new ArgumentException($"--classifier-optimizer is '{other}'; expected sgd (the official) or adam."),
        };
        double momentum = options.Double("bn-momentum", 0.01);
        int evalClips = options.Int("eval-clips", 500);
        string architecture = options.String("architecture", "wavegan");
        double ganMinutes = options.Double("gan-minutes", 20); // 0 skips WaveGAN training (the untrained floor is still scored)
        int ganEpochs = options.Int("gan-epochs", 100_000); // with the minutes, whichever ends first
        // The estimator's CriticConvolutionsAsMatrixProducts (absent: its default, on a GPU); MixedPrecision comes from --mixed-precision.
        bool? matrixConvolutions = options.OptionalString("matrix-convolutions") is { } matrix ? bool.Parse(matrix) : null;
        int ganBatch = options.Int("gan-batch", 64);
        int samples = options.Int("samples", 500);
        int seed = options.Int("seed", 1);
        bool allLanguages = options.Flag("all-languages");
        string output = options.String("out", "bench/results/wavegan-is");
        var device = GpuOptions.Device(options);
        options.RejectUnknown();
        var ganArchitecture = architecture switch
        {
            "wavegan" => WaveGanArchitecture.WaveGan,
            "specgan" => WaveGanArchitecture.SpecGan,
            _ => throw new ArgumentException($"--architecture '{architecture}' is not one of wavegan, specgan."),
        };
        if (evalClips % 10 != 0 || samples % 10 != 0)
            throw new ArgumentException($"--eval-clips ({evalClips}) and --samples ({samples}) must be multiples of 10: the score averages 10 splits.");
        Directory.CreateDirectory(output);
        var log = new List<string>();
        void Say(string line)
        {
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
            log.Add(line);
        }

        var (train, heldOut) = ReadDigits(digitsFolder, accents, heldOutVoices);
        var real = ReadTuxpaint(tuxpaintFolder);
        var english = real.Where(r => !Path.GetFileNameWithoutExtension(r.Path).Contains('_') || r.Path.Contains("_en")).ToList();
        Say($"digits: {train.Count} training clips, {heldOut.Count} held-out clips (voices {string.Join(",", heldOutVoices)}); tuxpaint: {real.Count} recordings, {english.Count} in English");

        torch.manual_seed(seed);
        var clock = Stopwatch.StartNew();
        DigitClassifier classifier;
        int stepsTrained = 0;
        double finalLoss = double.NaN;
        if (classifierPath is not null)
        {
            classifier = DigitClassifier.Load(classifierPath);
            classifier.to(device);
            Say($"classifier loaded from {classifierPath}");
        }
        else
        {
            classifier = new DigitClassifier(batchNormMomentum: momentum);
            classifier.to(device);
            var losses = classifier.Fit(train.Select(c => c.Clip).ToList(), train.Select(c => c.Label).ToList(), classifierSteps, classifierBatch,
                classifierRate, adam, seed,
                onStep: (step, loss) => { if (step % 10 == 0) Console.WriteLine(FormattableString.Invariant($"{DateTime.Now:HH:mm:ss} classifier step {step} loss {loss:F3} load {MachineInfo.LoadAverage()}")); },
                maxTime: classifierMinutes > 0 ? TimeSpan.FromMinutes(classifierMinutes) : null);
            stepsTrained = losses.Count;
            finalLoss = losses.Skip(Math.Max(0, losses.Count - 10)).Average();
            string weights = Path.Combine(output, "digit-classifier.bin");
            // Saved from the CPU so that the file loads anywhere; training and scoring stay on the device.
            classifier.cpu();
            classifier.Save(weights);
            classifier.to(device);
            Say(FormattableString.Invariant($"classifier: {stepsTrained} steps of {classifierBatch} ({(adam ? "Adam" : "SGD")} {classifierRate}, BN momentum {momentum}) in {clock.Elapsed.TotalMinutes:F1} min; mean loss of the last 10 steps {finalLoss:F3}; weights {weights}"));
        }

        var rows = new List<(string Name, string Value, string Paper)>();
        // Each row is printed as it is measured: a long run stopped part-way still reports what it measured.
        void Row(string name, string value, string paper)
        {
            rows.Add((name, value, paper));
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} | {name} | {value} | {paper} |");
        }
        string F(double x) => x.ToString("F3", CultureInfo.InvariantCulture);
        string Score((double Mean, double Std) s) => $"{F(s.Mean)} ± {F(s.Std)}";
        clock.Restart();
        double heldOutAccuracy = classifier.Accuracy(heldOut.Select(c => c.Clip).ToList(), heldOut.Select(c => c.Label).ToList());
        Row("classifier accuracy, held-out espeak-ng voices", $"{F(heldOutAccuracy)} ({heldOut.Count} clips)", "SC09 test: not reported");
        if (english.Count > 0)
            Row("classifier accuracy, real English recordings (tuxpaint)", $"{F(classifier.Accuracy(english.Select(c => c.Clip).ToList(), english.Select(c => c.Label).ToList()))} ({english.Count} clips)", "–");
        if (allLanguages && real.Count > 0)
            Row("classifier accuracy, all tuxpaint recordings (22 languages)", $"{F(classifier.Accuracy(real.Select(c => c.Clip).ToList(), real.Select(c => c.Label).ToList()))} ({real.Count} clips)", "–");
        var random = new Random(seed);
        var trainSample = train.OrderBy(_ => random.Next()).Take(evalClips).Select(c => c.Clip).ToList();
        var heldOutSample = heldOut.OrderBy(_ => random.Next()).Take(Math.Min(evalClips, heldOut.Count / 10 * 10)).Select(c => c.Clip).ToList();
        Row("IS, real training clips", $"{Score(AudioMetrics.InceptionScore(classifier.Predict(trainSample)))} ({trainSample.Count} clips)", "9.18 ± 0.04 (SC09 train)");
        Row("IS, real held-out clips", $"{Score(AudioMetrics.InceptionScore(classifier.Predict(heldOutSample)))} ({heldOutSample.Count} clips)", "–");
        Say($"accuracies and real-clip scores in {clock.Elapsed.TotalMinutes:F1} min");

        var trainFeatures = AudioMetrics.SimilarityFeatures(train.Select(c => c.Clip).ToList());
        var heldOutFeatures = AudioMetrics.SimilarityFeatures(heldOutSample);
        Row("diversity (NN distance within), real held-out clips", Score(AudioMetrics.NearestNeighbourDistanceWithin(heldOutFeatures)), "–");
        Row("memorisation (NN distance to training), real held-out clips", Score(AudioMetrics.NearestNeighbourDistance(heldOutFeatures, trainFeatures)), "–");

        // The floor: a generator as WaveGanModel initialises it, never trained.
        using (var untrained = new WaveGanGenerator())
        using (var init = new torch.Generator((ulong)seed))
        {
            TensorFlowInit.GlorotUniform(untrained, init);
            untrained.to(device);
            var clips = Generate(z => untrained.forward(z.to(device)), samples, seed);
            Row("IS, untrained WaveGAN generator (floor)", $"{Score(AudioMetrics.InceptionScore(classifier.Predict(clips)))} ({samples} clips)", "–");
        }

        if (ganMinutes > 0)
            TrainAndScore(train, trainFeatures, ganArchitecture, ganBatch, ganMinutes, samples, seed, output, Row, Say);
        Write(output, log, rows);
        classifier.Dispose();
        return 0;

        void TrainAndScore(List<(float[] Clip, int Label)> train, float[][] trainFeatures, WaveGanArchitecture ganArchitecture, int ganBatch,
            double ganMinutes, int samples, int seed, string output, Action<string, string, string> Row, Action<string> Say)
        {
        string name = ganArchitecture == WaveGanArchitecture.SpecGan ? "SpecGAN" : "WaveGAN";
        var clock = Stopwatch.StartNew();
        long steps = 0; // the training step reached (a resumed run counts from the checkpoint's), from the last progress report
        var ml = GpuOptions.Context(seed, device);
        var ganOptions = new WaveGanEstimator.Options
        {
            InputColumnName = "Audio",
            Architecture = ganArchitecture,
            BatchSize = ganBatch,
            Epochs = ganEpochs,
            MaxTrainingTime = TimeSpan.FromMinutes(ganMinutes),
            CriticConvolutionsAsMatrixProducts = matrixConvolutions,
            MixedPrecision = GpuOptions.MixedPrecision,
            CuDnnAutotuning = GpuOptions.CuDnnAutotuning,
            CheckpointDirectory = Path.Combine(output, "wavegan-checkpoints"),
            ProgressInterval = TimeSpan.FromSeconds(60),
            Progress = new SyncProgress(p =>
            {
                steps = p.Step;
                Console.WriteLine(FormattableString.Invariant(
                    $"{DateTime.Now:HH:mm:ss} {name} step {p.Step} G {p.Losses.GetValueOrDefault("G"):F3} D {p.Losses.GetValueOrDefault("D"):F3} load {MachineInfo.LoadAverage()}"));
            }),
        };
        var data = ml.Data.LoadFromEnumerable(train.Select(c => new ClipRow { Audio = c.Clip }));
        using var wavegan = ml.Transforms.Gan().WaveGan(ganOptions).Fit(data);
        double trainedMinutes = clock.Elapsed.TotalMinutes;
        Say(FormattableString.Invariant($"{name}: batch {ganBatch}, trained to step {steps}, {trainedMinutes:F1} min in this run (budget {ganMinutes} min, or {ganEpochs} epochs of {Math.Max(1, train.Count / (ganBatch * 5))} steps) on {train.Count} clips, ")
            + $"critic's convolutions as matrix products {matrixConvolutions?.ToString() ?? "by default"}, bfloat16 {GpuOptions.MixedPrecision}");
        var generated = wavegan.Generate(samples).GetColumn<float[]>(wavegan.OutputColumnName).ToList();
        AudioFile.WriteWavs(wavegan.Generate(10), wavegan.OutputColumnName, Path.Combine(output, name.ToLowerInvariant() + "-samples"), wavegan.SampleRate);
        var generatedFeatures = AudioMetrics.SimilarityFeatures(generated);
        Row(FormattableString.Invariant($"IS, {name} at step {steps} ({trainedMinutes:F1} min of training in this run)"), $"{Score(AudioMetrics.InceptionScore(classifier.Predict(generated)))} ({samples} clips)",
            ganArchitecture == WaveGanArchitecture.SpecGan ? "about 6.0 (SpecGAN, SC09)" : "about 4.7 (WaveGAN, SC09)");
        Row($"diversity (NN distance within), {name} samples", Score(AudioMetrics.NearestNeighbourDistanceWithin(generatedFeatures)), "–");
        Row($"memorisation (NN distance to training), {name} samples", Score(AudioMetrics.NearestNeighbourDistance(generatedFeatures, trainFeatures)), "–");

        }
    }

    private static void Write(string output, List<string> log, List<(string Name, string Value, string Paper)> rows)
    {
        var lines = new List<string> { $"Command: {ResultFile.CommandLine()}", "" };
        lines.AddRange(log);
        lines.Add("");
        lines.Add("| measurement | ours | paper |");
        lines.Add("|---|---|---|");
        lines.AddRange(rows.Select(r => $"| {r.Name} | {r.Value} | {r.Paper} |"));
        File.WriteAllLines(Path.Combine(output, "results.md"), lines);
        foreach (var line in lines) Console.WriteLine(line);
    }

    private static List<float[]> Generate(Func<torch.Tensor, torch.Tensor> generator, int count, int seed)
    {
        using var noise = new torch.Generator((ulong)seed + 1);
        var result = new List<float[]>(count);
        using var _ = torch.no_grad();
        for (int start = 0; start < count; start += 50)
        {
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(50, count - start);
            var z = torch.rand(new long[] { n, 100 }, generator: noise) * 2 - 1;
            var waves = generator(z).reshape(n, -1).cpu().data<float>().ToArray();
            for (int i = 0; i < n; i++) result.Add(waves.AsSpan(i * DigitClassifier.ClipLength, DigitClassifier.ClipLength).ToArray());
        }
        return result;
    }

    /// <summary>The espeak-ng clips, split by voice variant (the third '_' field) so held-out clips are unheard voices.</summary>
    private static (List<(float[] Clip, int Label)> Train, List<(float[] Clip, int Label)> HeldOut) ReadDigits(string folder, string[]? accents, HashSet<string> heldOutVoices)
    {
        if (!Directory.Exists(folder))
            throw new ArgumentException($"Digit folder '{folder}' does not exist; make it with examples/data/make-digits.sh.");
        var train = new List<(float[], int)>();
        var heldOut = new List<(float[], int)>();
        foreach (var path in Directory.GetFiles(folder, "*.wav").Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileNameWithoutExtension(path).Split('_');
            int label = Array.IndexOf(Digits, parts[0]);
            if (label < 0 || parts.Length < 5)
                throw new ArgumentException($"'{path}' is not named <digit>_<accent>_<voice>_p<pitch>_s<speed>.wav as make-digits.sh names clips.");
            if (accents is not null && !accents.Contains(parts[1])) continue;
            var clip = AudioFile.Load(path, 16000, DigitClassifier.ClipLength);
            (heldOutVoices.Contains(parts[2]) ? heldOut : train).Add((clip, label));
        }
        if (train.Count == 0 || heldOut.Count == 0)
            throw new ArgumentException($"'{folder}' gave {train.Count} training and {heldOut.Count} held-out clips; both need some (check --accents and --held-out-voices).");
        return (train, heldOut);
    }

    private static List<(float[] Clip, int Label, string Path)> ReadTuxpaint(string folder)
    {
        if (!Directory.Exists(folder))
        {
            Console.WriteLine($"no '{folder}' (examples/data/fetch-tuxpaint-digits.sh makes it): no real-recording accuracy");
            return [];
        }
        return Directory.GetFiles(folder, "*.ogg").Order(StringComparer.Ordinal)
            .Select(p => (AudioFile.Load(p, 16000, DigitClassifier.ClipLength), Path.GetFileName(p)[0] - '0', p)).ToList();
    }
}
