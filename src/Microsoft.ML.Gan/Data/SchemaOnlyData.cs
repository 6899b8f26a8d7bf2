using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Data;

/// <summary>
/// An empty <see cref="IDataView"/> with one column of a given type: enough to fit ML.NET transformers that only read
/// the schema. (ML.NET's LoadFromEnumerable cannot declare an image column.)
/// </summary>
internal sealed class SchemaOnlyData : IDataView
{
    private SchemaOnlyData(DataViewSchema schema) => Schema = schema;

    public static IDataView Create(string columnName, DataViewType type)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(columnName, type);
        return new SchemaOnlyData(builder.ToSchema());
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;
        public override long Position => -1;
        public override long Batch => 0;
        public override bool MoveNext() => false;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => throw new InvalidOperationException("An empty view has no rows.");
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            (ref TValue value) => throw new InvalidOperationException("An empty view has no rows.");
    }
}
