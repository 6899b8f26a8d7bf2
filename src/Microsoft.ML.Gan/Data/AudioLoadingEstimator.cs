using Microsoft.ML.Data;
using Microsoft.ML.Gan.Data;

namespace Microsoft.ML.Gan;

/// <summary>
/// Makes an <see cref="AudioLoadingTransformer"/>: a column of audio file paths (WAV, AIFF or OGG) to a column of
/// fixed-length clips. It learns nothing; <see cref="Fit"/> only checks the input column.
/// </summary>
public sealed class AudioLoadingEstimator : IEstimator<AudioLoadingTransformer>
{
    private readonly AudioLoadingTransformer _transformer;

    internal AudioLoadingEstimator(string outputColumnName, string inputColumnName, string? audioFolder, int sampleRate, int sliceLength)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        if (sampleRate < 1) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sample rate must be positive (Hz).");
        if (sliceLength < 1) throw new ArgumentOutOfRangeException(nameof(sliceLength), sliceLength, "The slice length must be positive.");
        _transformer = new AudioLoadingTransformer(outputColumnName, inputColumnName, audioFolder, sampleRate, sliceLength);
    }

    /// <summary>Checks that the input has the path column, as text, and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The path column is missing or does not hold text.</exception>
    public AudioLoadingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }

    /// <summary>Checks the path column and returns the schema with the clip column added.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The path column is missing or is not a scalar of text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = inputSchema.FirstOrDefault(c => c.Name == _transformer.InputColumnName);
        if (input.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Audio path column '{_transformer.InputColumnName}' was not found.");
        if (input.ItemType is not TextDataViewType || input.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Audio path column '{_transformer.InputColumnName}' has type {input.ItemType} ({input.Kind}); expected a scalar of text (one file path per row).");
        return ColumnShapes.With(inputSchema, ColumnShapes.Of(_transformer.OutputColumnName, _transformer.OutputType));
    }
}
