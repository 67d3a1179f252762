using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.MLNet.OnnxExport;

/// <summary>An empty <see cref="IDataView"/> with a given schema: what fitting a trivial estimator or binding a schema needs.</summary>
internal sealed class SchemaOnlyDataView(DataViewSchema schema) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = schema;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new EmptyCursor(Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new EmptyCursor(Schema)];

    private sealed class EmptyCursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema { get; } = schema;

        public override long Position => -1;

        public override long Batch => 0;

        public override bool MoveNext() => false;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            throw new InvalidOperationException("An empty data view has no rows to read.");

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            throw new InvalidOperationException("An empty data view has no rows to read.");

        public override bool IsColumnActive(DataViewSchema.Column column) => false;
    }
}
