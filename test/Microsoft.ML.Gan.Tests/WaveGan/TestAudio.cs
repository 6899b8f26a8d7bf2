using NAudio.Wave;

namespace Microsoft.ML.Gan.Tests.WaveGan;

/// <summary>Small WAV files the audio tests make for themselves.</summary>
internal static class TestAudio
{
    public static string OggSine => Path.Combine(AppContext.BaseDirectory, "TestData", "audio", "sine440-stereo-22050.ogg");

    /// <summary>A sine of <paramref name="frequency"/> Hz; channel c has amplitude <paramref name="amplitudes"/>[c].</summary>
    public static float[][] Sine(double frequency, int rate, double seconds, params float[] amplitudes)
    {
        int n = (int)Math.Round(rate * seconds);
        return amplitudes.Select(a => Enumerable.Range(0, n).Select(i => a * (float)Math.Sin(2 * Math.PI * frequency * i / rate)).ToArray()).ToArray();
    }

    /// <summary>Writes channels (same length) as a WAV file of 16-bit PCM, or 32-bit IEEE float when <paramref name="ieeeFloat"/>.</summary>
    public static string Write(string path, int rate, float[][] channels, bool ieeeFloat = false)
    {
        var format = ieeeFloat ? WaveFormat.CreateIeeeFloatWaveFormat(rate, channels.Length) : new WaveFormat(rate, 16, channels.Length);
        using var writer = new WaveFileWriter(path, format);
        int n = channels.Length == 0 ? 0 : channels[0].Length;
        for (int i = 0; i < n; i++)
            foreach (var channel in channels) writer.WriteSample(channel[i]);
        return path;
    }

    /// <summary>Writes channels (same length) as an AIFF file of 16-bit PCM.</summary>
    public static string WriteAiff(string path, int rate, float[][] channels)
    {
        using var writer = new AiffFileWriter(path, new WaveFormat(rate, 16, channels.Length));
        for (int i = 0; i < channels[0].Length; i++)
            foreach (var channel in channels) writer.WriteSample(channel[i]);
        return path;
    }
}
