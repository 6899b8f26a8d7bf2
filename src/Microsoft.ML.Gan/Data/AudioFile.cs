using System.Runtime.InteropServices;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.Core;
using Microsoft.ML.Gan.Data;
using NAudio.Wave;
using NVorbis;

namespace Microsoft.ML.Gan;

/// <summary>
/// Reads audio files into the fixed-length clips WaveGAN trains on, and writes clips back as 16-bit WAV files.
/// WAV (PCM 8/16/24/32-bit or IEEE float) and AIFF (PCM; both read with NAudio) and OGG Vorbis (read with NVorbis)
/// are recognised by their content, not their file name.
/// </summary>
public static class AudioFile
{
    /// <summary>
    /// One clip as the official WaveGAN loader makes it (<c>decode_audio</c> and the first slice of
    /// <c>decode_extract_and_batch</c> with <c>--data_first_slice --data_pad_end</c>): channels averaged to mono,
    /// resampled to <paramref name="sampleRate"/>, divided by the whole file's peak |sample| (a silent file stays
    /// zero), then the first <paramref name="sliceLength"/> samples, zero-padded at the end when the file is shorter.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file cannot be read (a folder, no permission, locked), is not a WAV, AIFF or
    /// OGG file, or is damaged; the message names it.</exception>
    public static float[] Load(string path, int sampleRate = 16000, int sliceLength = 16384)
    {
        CheckRate(sampleRate);
        if (sliceLength < 1) throw new ArgumentOutOfRangeException(nameof(sliceLength), sliceLength, "The slice length must be positive.");
        var (samples, rate) = ReadMono(path);
        if (rate != sampleRate) samples = SincResampler.Resample(samples, rate, sampleRate);
        float peak = 0;
        foreach (float s in samples) peak = Math.Max(peak, Math.Abs(s));
        var clip = new float[sliceLength];
        int count = Math.Min(sliceLength, samples.Length);
        for (int i = 0; i < count; i++) clip[i] = peak > 0 ? samples[i] / peak : 0f;
        return clip;
    }

    /// <summary>
    /// Reads a WAV, AIFF or OGG file as mono samples at its own rate: every channel's samples averaged, as the official
    /// loader does (a stereo file is mixed down).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Load"/>.</exception>
    public static (float[] Samples, int SampleRate) ReadMono(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"Audio file '{path}' is a folder, not a file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Audio file '{path}' does not exist.", path);
        var header = new byte[4];
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4)
                throw new InvalidDataException($"Audio file '{path}' is not a WAV, AIFF or OGG file: it has only {stream.Length} bytes.");
        }
        // A file deleted since the check above stays a FileNotFoundException, as documented.
        catch (Exception e) when (e is UnauthorizedAccessException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"Audio file '{path}' could not be read: {e.Message}", e);
        }
        string magic = System.Text.Encoding.ASCII.GetString(header);
        var (format, read) = magic switch
        {
            "RIFF" or "RIFX" or "RF64" => ("WAV", (Func<(float[], int, int)>)(() => ReadPcm(new WaveFileReader(path)))),
            "OggS" => ("OGG Vorbis", () => ReadOgg(path)),
            // Drum kits (Hydrogen's among them) often come as AIFF.
            "FORM" => ("AIFF", () => ReadPcm(new AiffFileReader(path))),
            _ => throw new InvalidDataException(
                $"Audio file '{path}' is not a WAV, AIFF or OGG file (it starts with the bytes {Convert.ToHexString(header)}, not 'RIFF', 'FORM' or 'OggS')."),
        };
        try
        {
            var (interleaved, channels, rate) = read();
            return (Mix(interleaved, channels), rate);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"Audio file '{path}' could not be decoded as {format}: {e.Message}", e);
        }
    }

    private static (float[] Interleaved, int Channels, int Rate) ReadPcm(WaveStream file)
    {
        using var reader = file;
        var format = reader.WaveFormat;
        var provider = reader.ToSampleProvider();
        return (ReadAll(provider, reader.Length / Math.Max(1, format.BlockAlign) * format.Channels), format.Channels, format.SampleRate);
    }

    private static (float[] Interleaved, int Channels, int Rate) ReadOgg(string path)
    {
        using var reader = new VorbisReader(path);
        var samples = new List<float>();
        var buffer = new float[4096 * reader.Channels];
        int read;
        while ((read = reader.ReadSamples(buffer, 0, buffer.Length)) > 0) samples.AddRange(buffer.AsSpan(0, read));
        return (samples.ToArray(), reader.Channels, reader.SampleRate);
    }

    private static float[] ReadAll(ISampleProvider provider, long expected)
    {
        var samples = new List<float>((int)Math.Min(expected, int.MaxValue / 2));
        var buffer = new float[8192];
        int read;
        while ((read = provider.Read(buffer)) > 0) samples.AddRange(buffer.AsSpan(0, read));
        return samples.ToArray();
    }

    private static float[] Mix(float[] interleaved, int channels)
    {
        if (channels <= 1) return interleaved;
        var mono = new float[interleaved.Length / channels];
        for (int i = 0; i < mono.Length; i++)
        {
            float sum = 0;
            for (int c = 0; c < channels; c++) sum += interleaved[i * channels + c];
            mono[i] = sum / channels;
        }
        return mono;
    }

    /// <summary>
    /// Writes mono samples in [−1, 1] as a 16-bit PCM WAV file, quantised as the official code's
    /// <c>float_to_int16</c>: x · 32767, clipped to ±32767, truncated towards zero (NaN is written as 0). The file is
    /// replaced through a temporary file and a rename, so a player or a crash never sees half a file.
    /// </summary>
    public static void WriteWav(string path, ReadOnlySpan<float> samples, int sampleRate = 16000)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckRate(sampleRate);
        var pcm = new short[samples.Length];
        for (int i = 0; i < samples.Length; i++)
            pcm[i] = float.IsNaN(samples[i]) ? (short)0 : (short)Math.Clamp(samples[i] * 32767f, -32767f, 32767f);
        AtomicFile.Write(path, temp =>
        {
            using var writer = new WaveFileWriter(temp, new WaveFormat(sampleRate, 16, 1));
            writer.Write(MemoryMarshal.AsBytes(pcm.AsSpan()));
        });
    }

    /// <summary>
    /// Writes every row of a float-vector column as a 16-bit WAV file <c>{prefix}{row:D5}.wav</c> in
    /// <paramref name="folder"/> (created if needed) and returns the paths, in row order.
    /// </summary>
    /// <example>
    /// <code>
    /// var waves = model.Generate(16);
    /// AudioFile.WriteWavs(waves, model.OutputColumnName, "generated");
    /// </code>
    /// </example>
    public static IReadOnlyList<string> WriteWavs(IDataView data, string columnName, string folder, int sampleRate = 16000, string prefix = "clip")
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        CheckRate(sampleRate);
        var column = data.Schema.GetColumnOrNull(columnName) ?? throw new ArgumentOutOfRangeException(nameof(columnName),
            $"Column '{columnName}' was not found; the data has columns: {string.Join(", ", data.Schema.Select(c => $"'{c.Name}'"))}.");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n } || n != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(columnName), $"Column '{columnName}' has type {column.Type}; expected a vector of Single (audio samples).");
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        using var cursor = data.GetRowCursor(new[] { column });
        var get = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            get(ref buffer);
            string path = Path.Combine(folder, $"{prefix}{cursor.Position:D5}.wav");
            WriteWav(path, buffer.DenseValues().ToArray(), sampleRate);
            paths.Add(path);
        }
        return paths;
    }

    private static void CheckRate(int sampleRate)
    {
        if (sampleRate < 1) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sample rate must be positive (Hz).");
    }
}
