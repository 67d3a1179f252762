using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Tests.DiscreteVae;

/// <summary>The synthetic mixture as ML.NET data views.</summary>
internal static class MixtureViews
{
    public sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    public sealed class DoubleRow
    {
        public double[] Features { get; set; } = [];
    }

    public sealed class Encoded
    {
        public long[] Codes { get; set; } = [];
        public float[] OneHot { get; set; } = [];
        public float[] Probabilities { get; set; } = [];
    }

    public static IDataView Features(MLContext ctx, SyntheticMixture data) => FromRows(ctx,
        Enumerable.Range(0, data.X.Rows).Select(r => data.X.Row(r).ToArray()), SyntheticMixture.Features);

    /// <summary>The schema of <see cref="Row"/> with the feature vector's size, for prediction engines.</summary>
    public static SchemaDefinition RowSchema(int size)
    {
        var def = SchemaDefinition.Create(typeof(Row));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return def;
    }

    public static IDataView FromRows(MLContext ctx, IEnumerable<float[]> rows, int size)
    {
        return ctx.Data.LoadFromEnumerable(rows.Select(f => new Row { Features = f }).ToArray(), RowSchema(size));
    }

    public static IDataView Doubles(MLContext ctx, int rows, int size)
    {
        var def = SchemaDefinition.Create(typeof(DoubleRow));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Double, size);
        return ctx.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(_ => new DoubleRow { Features = new double[size] }).ToArray(), def);
    }
}
