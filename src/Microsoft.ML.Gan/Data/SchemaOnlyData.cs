using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Gan.Data;

/// <summary>An empty <see cref="IDataView"/> with one column of a given type: enough to fit ML.NET transformers that only read the schema.</summary>
internal static class SchemaOnlyData
{
    private sealed class ImageRow { public MLImage? Value { get; set; } }
    private sealed class VectorRow { public float[]? Value { get; set; } }

    public static IDataView Create(MLContext ml, string columnName, DataViewType type)
    {
        if (type is ImageDataViewType)
        {
            var definition = SchemaDefinition.Create(typeof(ImageRow));
            definition[0].ColumnName = columnName;
            definition[0].ColumnType = type;
            return ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>(), definition);
        }
        if (type is VectorDataViewType { ItemType: NumberDataViewType } vector && vector.ItemType == NumberDataViewType.Single)
        {
            var definition = SchemaDefinition.Create(typeof(VectorRow));
            definition[0].ColumnName = columnName;
            definition[0].ColumnType = type;
            return ml.Data.LoadFromEnumerable(Array.Empty<VectorRow>(), definition);
        }
        throw new NotSupportedException($"Column '{columnName}' of type {type} cannot be described by an empty data view here.");
    }
}
