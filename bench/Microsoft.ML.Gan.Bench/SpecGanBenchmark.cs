using System.Diagnostics;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.WaveGan;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// A short SpecGAN run on synthetic notes (decaying harmonic tones of eight pitches, peak-normalised as the loader
/// does): step time, the critic's Wasserstein estimate D(x) − D(G(z)) (last step's critic update), and how far the
/// generated normalised spectrograms are from the training clips' in their first two moments (mean over the
/// 128 × 128 pixels of |Δ| between the per-pixel means, and between the per-pixel standard deviations), at the start
/// and every few steps. It shows that training moves the generator towards the data; it is no quality score (the
/// Inception score is that). <c>--architecture wavegan</c> trains WaveGAN on the same notes at the same size and
/// compares its waveforms through the same spectrogram front end (moments of the notes), to tell SpecGAN's problems
/// from the shared WGAN-GP training's; "saturated" counts the generator's own outputs (spectrogram pixels or samples)
/// beyond ±0.99.
/// </summary>
internal static class SpecGanBenchmark
{
    public static int Run(CommandOptions options)
    {
        int clips = options.Int("clips", 64);
        int steps = options.Int("steps", 100);
        int every = options.Int("eval-every", 25);
        int samples = options.Int("eval-samples", 32);
        int seed = options.Int("seed", 1);
        var architecture = options.String("architecture", "specgan") switch
        {
            "specgan" => WaveGanArchitecture.SpecGan,
            "wavegan" => WaveGanArchitecture.WaveGan,
            var other => throw new ArgumentException($"--architecture '{other}' is not one of specgan, wavegan."),
        };
        var settings = new WaveGanSettings
        {
            Architecture = architecture,
            PhaseShuffle = options.Int("phase-shuffle", 2),
            ModelSize = options.Int("d", 8),
            BatchSize = options.Int("batch", 16),
            DiscriminatorUpdates = options.Int("d-updates", 5),
            Epochs = 1,
        };
        string? output = options.OptionalString("out");
        options.RejectUnknown();
        GanEnvironment.UseCpu();

        using var data = Notes(clips);
        using var model = new WaveGanModel(settings, data, CPU, seed);
        // WaveGAN's clips are compared in the same normalised-spectrogram space, with the same moments.
        var spectrogram = model.Spectrogram ?? SpecGanTransform.FromClips(data, CPU, settings.BatchSize);
        var random = new GanRandom(seed);
        var curve = new List<object>();
        using var realImages = spectrogram.ToSpectrogram(data);
        using var realMean = realImages.mean(new long[] { 0 });
        using var realStd = realImages.std(0, unbiased: false);
        // How far the generated normalised spectrograms' per-pixel mean and standard deviation are from the data's.
        (double Mean, double Std, double Saturated) Distance()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var generated = model.Generator.forward(model.Latent(samples));
            var images = model.Spectrogram is null ? spectrogram.ToSpectrogram(generated) : generated;
            return ((images.mean(new long[] { 0 }) - realMean).abs().mean().item<float>(),
                    (images.std(0, unbiased: false) - realStd).abs().mean().item<float>(),
                    (generated.abs() > 0.99).to(float32).mean().item<float>());
        }

        var start = Distance();
        curve.Add(new { step = 0, mean_distance = start.Mean, std_distance = start.Std, saturated = start.Saturated, wasserstein = 0.0, penalty = 0.0 });
        Console.WriteLine($"step 0: |Δ mean| {start.Mean:F3}, |Δ std| {start.Std:F3}");
        var clock = new Stopwatch();
        double wasserstein = 0, penalty = 0;
        for (int step = 1; step <= steps; step++)
        {
            model.BeginEpoch(1 + (step - 1) / (int)model.StepsPerEpoch);
            clock.Start();
            using (var scope = NewDisposeScope())
            {
                var losses = model.TrainStep(random).ToDictionary(l => l.Name, l => (double)l.Value.item<float>());
                // D's loss is D(G(z)) − D(x) + λ·GP; the estimate of the distance is minus its first part.
                wasserstein = -(losses["D"] - settings.GradientPenalty * losses["GP"]);
                penalty = losses["GP"];
            }
            clock.Stop();
            if (step % every == 0 || step == steps)
            {
                var distance = Distance();
                curve.Add(new { step, mean_distance = distance.Mean, std_distance = distance.Std, saturated = distance.Saturated, wasserstein, penalty });
                Console.WriteLine($"step {step}: |Δ mean| {distance.Mean:F3}, |Δ std| {distance.Std:F3}, saturated {distance.Saturated:P1}, W estimate {wasserstein:F3}, GP {penalty:F3}, {clock.Elapsed.TotalSeconds / step:F2} s/step");
            }
        }
        model.Generator.Dispose();
        model.Discriminator.Dispose();
        spectrogram.Dispose();
        if (output is not null)
            ResultFile.WriteJson(output, new
            {
                command = ResultFile.CommandLine(),
                architecture = architecture.ToString(), clips, steps, d = settings.ModelSize, batch = settings.BatchSize, d_updates = settings.DiscriminatorUpdates, seed,
                seconds_per_step = clock.Elapsed.TotalSeconds / steps,
                curve,
            });
        return 0;
    }

    /// <summary>[count, 1, 16384] notes: pitch i mod 8 of a C major scale from C3, three decaying partials, peak 1.</summary>
    private static Tensor Notes(int count)
    {
        var semitones = new[] { 0, 2, 4, 5, 7, 9, 11, 12 };
        var t = arange(16384, dtype: float64) / 16000.0;
        var notes = Enumerable.Range(0, count).Select(i =>
        {
            double f = 130.81 * Math.Pow(2, semitones[i % 8] / 12.0);
            double decay = 3 + i / 8 % 4;
            var x = (-decay * t).exp() * ((2 * Math.PI * f * t).sin() + 0.5 * (4 * Math.PI * f * t).sin() + 0.25 * (6 * Math.PI * f * t).sin());
            return x / x.abs().max();
        }).ToArray();
        return stack(notes).to(float32).unsqueeze(1);
    }
}
