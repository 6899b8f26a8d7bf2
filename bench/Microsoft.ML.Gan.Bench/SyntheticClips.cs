using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Bench;

/// <summary>A row of <see cref="SyntheticClips.Load"/>'s data view: one clip.</summary>
internal sealed class ClipRow
{
    public float[] Audio { get; set; } = Array.Empty<float>();
}

/// <summary>
/// Deterministic one-second clips for the timing and memory commands (a sine per clip, 110 Hz + 20 Hz per index, with a
/// little noise, at 16 kHz): time and memory do not depend on the sound, and these need no download.
/// </summary>
internal static class SyntheticClips
{
    public static float[][] Generate(int count, int length = 16384, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            double hz = 110 + 20 * i;
            return Enumerable.Range(0, length).Select(t => (float)(0.6 * Math.Sin(2 * Math.PI * hz * t / 16000) + 0.05 * (random.NextDouble() - 0.5))).ToArray();
        }).ToArray();
    }

    /// <summary><paramref name="clips"/> (of one length) as a data view with a vector column "Audio", as WaveGAN reads it.</summary>
    public static IDataView Load(MLContext ml, float[][] clips)
    {
        var schema = SchemaDefinition.Create(typeof(ClipRow));
        schema[nameof(ClipRow.Audio)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, clips[0].Length);
        return ml.Data.LoadFromEnumerable(clips.Select(audio => new ClipRow { Audio = audio }), schema);
    }
}
