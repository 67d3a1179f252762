using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Tests.MLNet.Data;

/// <summary>Small in-memory data views for the data-layer tests, with the vector size and label type set at run time.</summary>
internal static class DataViews
{
    public sealed class Row<TLabel>
    {
        public float[] Features { get; set; } = [];
        public TLabel Label { get; set; } = default!;
    }

    public sealed class FeaturesOnly
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>Features of <paramref name="features"/>[i] and label <paramref name="labels"/>[i]; <paramref name="labelType"/> overrides the label's type (e.g. a key).</summary>
    public static IDataView Create<TLabel>(MLContext ctx, float[][] features, TLabel[] labels, DataViewType? labelType = null, int? size = null)
    {
        var def = SchemaDefinition.Create(typeof(Row<TLabel>));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size ?? features[0].Length);
        if (labelType is not null) def["Label"].ColumnType = labelType;
        var rows = features.Select((f, i) => new Row<TLabel> { Features = f, Label = labels[i] }).ToArray();
        return ctx.Data.LoadFromEnumerable(rows, def);
    }

    /// <summary>Features only, streamed lazily from <paramref name="rows"/> (so a test can count what was pulled).</summary>
    public static IDataView Stream(MLContext ctx, IEnumerable<float[]> rows, int size)
    {
        var def = SchemaDefinition.Create(typeof(FeaturesOnly));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return ctx.Data.LoadFromEnumerable(rows.Select(f => new FeaturesOnly { Features = f }), def);
    }

    /// <summary>Rows whose feature 0 is the row id and feature 1 is id squared, with a float label id % 2.</summary>
    public static IDataView Numbered(MLContext ctx, int rows) =>
        Create(ctx, Enumerable.Range(0, rows).Select(i => new float[] { i, (float)i * i }).ToArray(),
            Enumerable.Range(0, rows).Select(i => (float)(i % 2)).ToArray());
}
