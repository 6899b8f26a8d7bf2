using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Data;

/// <summary>
/// A lazy <see cref="IDataView"/>: the source's columns plus one computed column (hiding a source column of the same
/// name, as ML.NET's transforms do). The value is computed by the getter <c>makeGetter</c> returns, each time a cursor
/// asks for it: a getter whose value is costly keeps it for its row (<see cref="OncePerRow"/>), since ML.NET cursors may
/// ask more than once per row.
/// </summary>
internal sealed class MappedDataView : IDataView
{
    private readonly IDataView _source;
    private readonly Func<DataViewRow, Delegate> _makeGetter;
    private readonly string[] _needs;

    /// <param name="source">The view whose columns pass through unchanged and whose rows the computed column is read from.</param>
    /// <param name="outputName">The computed column's name; a source column of that name is hidden.</param>
    /// <param name="outputType">The computed column's type, which <paramref name="makeGetter"/>'s getters must produce.</param>
    /// <param name="makeGetter">Given a source row, returns a <c>ValueGetter&lt;T&gt;</c> of <paramref name="outputType"/>'s raw type.</param>
    /// <param name="needs">Source columns the computed column reads.</param>
    public MappedDataView(IDataView source, string outputName, DataViewType outputType, Func<DataViewRow, Delegate> makeGetter, params string[] needs)
    {
        _source = source;
        _makeGetter = makeGetter;
        _needs = needs;
        Schema = WithColumn(source.Schema, outputName, outputType);
    }

    /// <summary>
    /// <paramref name="compute"/>, run at most once per row of <paramref name="row"/>'s cursor: the value is kept until
    /// the cursor moves (by <see cref="DataViewRow.Position"/>), for getters whose value is costly (a decoded file, a
    /// translated image). The caller must not change the value it gets.
    /// </summary>
    public static Func<T> OncePerRow<T>(DataViewRow row, Func<T> compute)
    {
        long cachedAt = -1;
        T cached = default!;
        return () =>
        {
            if (row.Position != cachedAt)
            {
                cached = compute();
                cachedAt = row.Position;
            }
            return cached;
        };
    }

    /// <summary><paramref name="schema"/> with one column added at the end (hiding one of the same name).</summary>
    public static DataViewSchema WithColumn(DataViewSchema schema, string name, DataViewType type)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(schema);
        builder.AddColumn(name, type);
        return builder.ToSchema();
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => _source.CanShuffle;
    public long? GetRowCount() => _source.GetRowCount();

    private int OutputIndex => Schema.Count - 1;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var wanted = columnsNeeded.Select(c => c.Index).ToHashSet();
        bool output = wanted.Contains(OutputIndex);
        var sourceColumns = _source.Schema.Where(c => wanted.Contains(c.Index) || (output && _needs.Contains(c.Name)));
        return new Cursor(this, _source.GetRowCursor(sourceColumns, rand), output);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly MappedDataView _parent;
        private readonly DataViewRowCursor _source;
        private readonly Delegate? _outputGetter;

        public Cursor(MappedDataView parent, DataViewRowCursor source, bool output)
        {
            (_parent, _source) = (parent, source);
            if (output) _outputGetter = parent._makeGetter(source);
        }

        public override DataViewSchema Schema => _parent.Schema;
        public override long Position => _source.Position;
        public override long Batch => _source.Batch;
        public override bool MoveNext() => _source.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => _source.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _parent.OutputIndex ? _outputGetter is not null : _source.IsColumnActive(_source.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _parent.OutputIndex) return _source.GetGetter<TValue>(_source.Schema[column.Index]);
            if (_outputGetter is null) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            return _outputGetter as ValueGetter<TValue> ?? throw new InvalidOperationException(
                $"Column '{column.Name}' holds {column.Type.RawType.Name}; it was read as {typeof(TValue).Name}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _source.Dispose();
            base.Dispose(disposing);
        }
    }
}
