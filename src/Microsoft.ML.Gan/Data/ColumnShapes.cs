using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Data;

/// <summary>
/// The <see cref="SchemaShape"/> an estimator reports for the columns it adds. <see cref="SchemaShape.Column"/> has no
/// public constructor; ML.NET's own <c>CustomMapping</c> reports any column its output class declares, and from no
/// input columns at all, so it is asked for the shape of a one-column class renamed and retyped as needed.
/// </summary>
internal static class ColumnShapes
{
    private sealed class NoColumns;

    private sealed class One<T>
    {
        public T Column { get; set; } = default!;
    }

    /// <summary>A Single scalar or a Single vector column.</summary>
    public static SchemaShape.Column Of(string name, DataViewType type) => type switch
    {
        _ when type == NumberDataViewType.Single => Shape<float>(name, type),
        VectorDataViewType { ItemType: var item } when item == NumberDataViewType.Single => Shape<float[]>(name, type),
        _ => throw new NotSupportedException($"Column '{name}': no shape for {type}."),
    };

    private static SchemaShape.Column Shape<T>(string name, DataViewType type)
    {
        var definition = SchemaDefinition.Create(typeof(One<T>));
        definition[0].ColumnName = name;
        definition[0].ColumnType = type;
        var mapping = new MLContext().Transforms.CustomMapping<NoColumns, One<T>>((_, _) => { }, null, outputSchemaDefinition: definition);
        return mapping.GetOutputSchema(new SchemaShape(Array.Empty<SchemaShape.Column>())).Single(c => c.Name == name);
    }

    /// <summary><paramref name="input"/> with <paramref name="added"/> at the end, hiding input columns of the same names.</summary>
    public static SchemaShape With(SchemaShape input, params SchemaShape.Column[] added) =>
        new(input.Where(c => added.All(a => a.Name != c.Name)).Concat(added));
}
