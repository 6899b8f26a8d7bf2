using Microsoft.ML.Data;
using Microsoft.ML.Gan.Data;

namespace Microsoft.ML.Gan;

/// <summary>
/// Turns a text column of audio file paths into a column of fixed-length clips (vector of Single, SliceLength values),
/// as <see cref="AudioFile.Load"/> decodes them: mono, resampled to SampleRate, peak-normalised, first SliceLength
/// samples, zero-padded. Files are read lazily, as cursors ask for rows, and once per row: asking again at the same
/// row returns the clip already decoded.
/// </summary>
/// <remarks>
/// An unreadable, missing or non-audio file fails the row with an <see cref="InvalidDataException"/> (or
/// <see cref="FileNotFoundException"/>) naming the column, the row and the file. A silent or empty file gives a clip
/// of zeros; WaveGAN skips such clips and counts them. The transformer cannot be saved in a model zip (ML.NET has no
/// public way for third-party transformers to do so): decode audio before the saved part of a pipeline.
/// </remarks>
public sealed class AudioLoadingTransformer : ITransformer
{
    internal AudioLoadingTransformer(string outputColumnName, string inputColumnName, string? audioFolder, int sampleRate, int sliceLength)
    {
        (OutputColumnName, InputColumnName, AudioFolder, SampleRate, SliceLength) = (outputColumnName, inputColumnName, audioFolder, sampleRate, sliceLength);
        OutputType = new VectorDataViewType(NumberDataViewType.Single, sliceLength);
    }

    /// <summary>The column of clips added.</summary>
    public string OutputColumnName { get; }
    /// <summary>The text column of file paths.</summary>
    public string InputColumnName { get; }
    /// <summary>The folder relative paths are taken from (null: the current folder).</summary>
    public string? AudioFolder { get; }
    /// <summary>Samples per second of the clips.</summary>
    public int SampleRate { get; }
    /// <summary>Samples per clip.</summary>
    public int SliceLength { get; }

    internal VectorDataViewType OutputType { get; }

    /// <summary>False: the transformer maps whole data views (<see cref="Transform"/>), not single rows.</summary>
    public bool IsRowToRowMapper => false;

    /// <summary>Not supported (see <see cref="IsRowToRowMapper"/>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException("AudioLoadingTransformer maps whole data views; call Transform.");

    /// <summary>The input schema with the clip column added (hiding an input column of the same name).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The path column is missing or does not hold text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return MappedDataView.WithColumn(inputSchema, OutputColumnName, OutputType);
    }

    private DataViewSchema.Column CheckInput(DataViewSchema schema)
    {
        var column = ImageColumn.Find(schema, InputColumnName, "Audio path");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Audio path column '{InputColumnName}' has type {column.Type}; expected text (file paths).");
        return column;
    }

    /// <summary>Adds the clip column, decoding each row's file when a cursor first asks for it.</summary>
    public IDataView Transform(IDataView input)
    {
        var column = CheckInput(input.Schema);
        return new MappedDataView(input, OutputColumnName, OutputType, row =>
        {
            var getPath = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[column.Index]);
            var path = default(ReadOnlyMemory<char>);
            // ML.NET cursors may call a getter several times at one row; each call would decode the file again.
            var clip = MappedDataView.OncePerRow(row, () =>
            {
                getPath(ref path);
                return Load(path.ToString(), row.Position);
            });
            // Copied, not shared: the caller owns its buffer and may write into it.
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => new VBuffer<float>(SliceLength, clip()).CopyTo(ref value));
        }, InputColumnName);
    }

    private float[] Load(string path, long row)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidDataException($"Audio path column '{InputColumnName}', row {row}: the path is empty.");
        string full = AudioFolder is null ? path : Path.Combine(AudioFolder, path);
        try
        {
            return AudioFile.Load(full, SampleRate, SliceLength);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"Audio path column '{InputColumnName}', row {row}: {e.Message}", full, e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Audio path column '{InputColumnName}', row {row}: {e.Message}", e);
        }
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "AudioLoadingTransformer cannot be saved in an ML.NET model: ML.NET lets only its own transformers store state there. " +
            "Decode the audio first (Transform, then save the model that follows), or save the WaveGAN transformer alone.");
}
