using System.Diagnostics;
using GanExamples;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;
using Spectre.Console;

namespace WaveGanDrums;

/// <summary>Drum one-shots → LoadAudio → WaveGAN → generated WAVs, a spectrogram grid of real and generated clips, the model.</summary>
internal static class DrumSynthesisJob
{
    private const string AudioColumn = "Audio";

    /// <summary>A line of clips.tsv (written by the fetch script).</summary>
    private sealed class DrumClip
    {
        [LoadColumn(0)] public string Path { get; set; } = "";
        [LoadColumn(1)] public string Source { get; set; } = "";
        [LoadColumn(2)] public string Kit { get; set; } = "";
    }

    public static int Run(TrainingSettings settings, string output)
    {
        string? folder = DrumData.Locate(settings.DataFolder);
        if (folder is null) return ExitCodes.BadInput;
        string list = Path.Combine(folder, DrumData.ListFile);

        var ml = ExampleContext.Create(settings.Seed, settings.UseGpu, message => message.StartsWith("WaveGAN", StringComparison.Ordinal));
        var files = ml.Data.LoadFromTextFile<DrumClip>(list, separatorChar: '\t', hasHeader: true);
        var kits = files.GetColumn<string>(nameof(DrumClip.Kit)).ToList();
        AnsiConsole.MarkupLineInterpolated($"Data: [bold]{list}[/]: {kits.Count} one-shots from {kits.Distinct().Count()} kits.");
        string limit = settings.MaxTrainingTime is { } time ? $", for at most {time.TotalMinutes:0.#} min" : "";
        AnsiConsole.MarkupLineInterpolated(
            $"Training: WaveGAN d = {settings.ModelSize}, batch {settings.BatchSize}, {settings.Epochs} epochs{limit} ({(settings.UseGpu ? "GPU if present" : "CPU")}).");

        // Decoding (mono, 16 kHz, peak-normalised, first 16,384 samples) happens in the pipeline, as WaveGAN reads the rows.
        var loadAudio = ml.Transforms.Gan().LoadAudio(AudioColumn, folder, nameof(DrumClip.Path));
        var progress = new TrainingProgressView(p => $"WaveGAN epoch {p.Epoch}", Summary, "decoding the drums ...");
        var clock = Stopwatch.StartNew();
        var (chain, exitCode) = GuardedTraining.Run(token => loadAudio.Append(ml.Transforms.Gan().WaveGan(new WaveGanEstimator.Options
        {
            InputColumnName = AudioColumn,
            ModelSize = settings.ModelSize,
            BatchSize = settings.BatchSize,
            Epochs = settings.Epochs,
            CheckpointDirectory = settings.CheckpointDirectory,
            MaxTrainingTime = settings.MaxTrainingTime,
            Progress = progress,
            CancellationToken = token,
        })).Fit(files), progress, settings.CheckpointDirectory, list);
        if (chain is null) return exitCode;
        using var model = chain.LastTransformer;
        AnsiConsole.MarkupLineInterpolated(
            $"Training took {clock.Elapsed:mm\\:ss} ({progress.Latest?.Step ?? 0} generator steps; {model.TrainingClips} clips, {model.SkippedClips} silent ones skipped).");

        Directory.CreateDirectory(output);
        string generatedFolder = Path.Combine(output, "generated");
        string realFolder = Path.Combine(output, "real");
        string grid = Path.Combine(output, "spectrograms.png");
        string zip = Path.Combine(output, "wavegan.zip");

        var generated = model.Generate(settings.Generate);
        var wavs = AudioFile.WriteWavs(generated, model.OutputColumnName, generatedFolder, model.SampleRate, prefix: "drum");
        var fakes = generated.GetColumn<float[]>(model.OutputColumnName).Take(TrainingSettings.GridColumns).ToList();
        var reals = SpreadClips(loadAudio.Fit(files).Transform(files), kits.Count, TrainingSettings.GridColumns);
        for (int i = 0; i < reals.Count; i++) AudioFile.WriteWav(Path.Combine(realFolder, $"real{i:D2}.wav"), reals[i], model.SampleRate);
        Spectrogram.SaveGrid(grid, new IReadOnlyList<float[]>[] { reals, fakes });
        AtomicOutput.Write(zip, temporary => ml.Model.Save(model, generated.Schema, temporary));

        AnsiConsole.Write(LevelTable(reals, fakes));
        AnsiConsole.MarkupLineInterpolated($"Generated drums ({wavs.Count} WAVs, 16-bit, {model.SampleRate} Hz): [bold]{generatedFolder}[/]");
        AnsiConsole.MarkupLineInterpolated($"Real clips as WaveGAN sees them ({reals.Count}, one every {kits.Count / reals.Count} of the list): [bold]{realFolder}[/]");
        AnsiConsole.MarkupLineInterpolated($"Spectrograms (top row real, bottom row generated; 0–8 kHz bottom to top, 1 s left to right): [bold]{grid}[/]");
        AnsiConsole.MarkupLineInterpolated($"ML.NET model (column Latent: {model.LatentSize} Single in [[-1, 1]] → Waveform, ONNX inside): [bold]{zip}[/]");
        return ExitCodes.Success;
    }

    /// <summary><paramref name="count"/> clips evenly spread over the list (so several kits show), decoding only those rows.</summary>
    private static List<float[]> SpreadClips(IDataView clips, int rows, int count)
    {
        var wanted = Enumerable.Range(0, Math.Min(count, rows)).Select(i => (long)i * rows / Math.Min(count, rows)).ToHashSet();
        var result = new List<float[]>();
        using var cursor = clips.GetRowCursor(new[] { clips.Schema[AudioColumn] });
        var get = cursor.GetGetter<VBuffer<float>>(clips.Schema[AudioColumn]);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext() && result.Count < wanted.Count)
        {
            if (!wanted.Contains(cursor.Position)) continue;
            get(ref buffer);
            result.Add(buffer.DenseValues().ToArray());
        }
        return result;
    }

    /// <summary>
    /// A rough check of what the grid shows: how loud the clips are, how fast they decay, and how alike they are (the
    /// mean correlation of every pair: near 0 for different drums, near 1 when the generator ignores its latent input).
    /// </summary>
    private static Table LevelTable(List<float[]> reals, List<float[]> fakes)
    {
        var table = new Table().AddColumns("clips", "RMS, first 0.25 s", "RMS, last 0.25 s", "peak", "mean correlation of pairs");
        void Row(string name, List<float[]> clips)
        {
            double Rms(float[] x, int from, int to) => Math.Sqrt(x[from..to].Average(v => (double)v * v));
            int quarter = clips[0].Length / 4;
            var pairs = clips.SelectMany((a, i) => clips.Skip(i + 1).Select(b => Correlation(a, b))).ToList();
            table.AddRow(name,
                $"{clips.Average(c => Rms(c, 0, quarter)):F3}",
                $"{clips.Average(c => Rms(c, c.Length - quarter, c.Length)):F3}",
                $"{clips.Average(c => c.Max(Math.Abs)):F3}",
                pairs.Count == 0 ? "" : $"{pairs.Average():F2}");
        }
        Row($"real ({reals.Count})", reals);
        Row($"generated ({fakes.Count})", fakes);
        return table;
    }

    private static double Correlation(float[] a, float[] b)
    {
        double meanA = a.Average(v => (double)v), meanB = b.Average(v => (double)v), ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i] - meanA, y = b[i] - meanB;
            (ab, aa, bb) = (ab + x * y, aa + x * x, bb + y * y);
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    private static string Summary(GanProgress p) => FormattableString.Invariant(
        $"D {p.Losses["D"]:F3}  G {p.Losses["G"]:F3}  GP {p.Losses["GP"]:F3}  {p.SamplesPerSecond:F0} clips/s  ETA {p.Eta:h\\:mm\\:ss}");
}
