using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;

namespace Ml.Relaxation.MLNet.Data;

/// <summary>
/// Reads the rows of one <see cref="DataPart"/> from a fresh cursor into caller-owned spans: dense features and an
/// optional target, applying the <see cref="NonFiniteRowPolicy"/>. Holds one row's <see cref="VBuffer{T}"/> and nothing
/// else, so memory does not grow with the data.
/// </summary>
internal sealed class RowReader : IDisposable
{
    /// <summary>
    /// How a user leaves rows with missing values out, in the names they can set: the estimators' option, and the
    /// batch source's for code that reads batches itself.
    /// </summary>
    internal const string SkipAdvice = "leave such rows out: set SkipRowsWithMissingValues = true in the estimator's options "
        + "(NonFiniteRows = NonFiniteRowPolicy.Skip in BatchSourceOptions when reading batches with DataViewBatchSource).";

    private readonly DataViewRowCursor _cursor;
    private readonly ValueGetter<VBuffer<float>> _features;
    private readonly TargetReader? _target;
    private readonly RowSplit _split;
    private readonly DataPart _part;
    private readonly NonFiniteRowPolicy _policy;
    private readonly string _featureColumn;
    private VBuffer<float> _buffer;
    private long _read, _skipped;

    public RowReader(IDataView data, DataColumns columns, RowSplit split, DataPart part)
    {
        var (feature, size) = ColumnValidation.CheckFeatureColumn(data.Schema, columns.FeatureColumn);
        DataViewSchema.Column? label = columns.LabelColumn is null
            ? null
            : ColumnValidation.CheckLabelColumn(data.Schema, columns.LabelColumn, columns.LabelTask);
        FeatureCount = size;
        _featureColumn = feature.Name;
        _cursor = label is null ? data.GetRowCursor(new[] { feature }) : data.GetRowCursor(new[] { feature, label.Value });
        _features = _cursor.GetGetter<VBuffer<float>>(feature);
        _target = label is null ? null : new TargetReader(_cursor, label.Value, columns.LabelTask);
        _split = split;
        _part = part;
        _policy = columns.NonFiniteRows;
    }

    /// <summary>Slots of the feature vector.</summary>
    public int FeatureCount { get; }

    /// <summary>1 when there is a label column, else 0.</summary>
    public int TargetCount => _target is null ? 0 : 1;

    /// <summary>Counts so far; complete once <see cref="TryReadNext"/> has returned false.</summary>
    public PassStatistics Statistics => new(_read, _read - _skipped, _skipped);

    /// <summary>
    /// Moves to the next usable row of the part and writes it into <paramref name="features"/> (length
    /// <see cref="FeatureCount"/>) and <paramref name="target"/> (length <see cref="TargetCount"/>). Returns false at the end.
    /// </summary>
    /// <exception cref="InvalidOperationException">A non-finite value under <see cref="NonFiniteRowPolicy.Reject"/>, or an unusable label.</exception>
    public bool TryReadNext(Span<float> features, Span<float> target)
    {
        while (_cursor.MoveNext())
        {
            if (!_split.Contains(_part, _cursor.Position)) continue;
            _read++;
            if (ReadCurrent(features, target)) return true;
            _skipped++;
        }
        return false;
    }

    private bool ReadCurrent(Span<float> features, Span<float> target)
    {
        _features(ref _buffer);
        if (_buffer.Length != FeatureCount)
            throw new InvalidOperationException(
                $"Row {_cursor.Position} of feature column '{_featureColumn}' has {_buffer.Length} slots; the schema promised {FeatureCount}.");
        var values = _buffer.GetValues();
        if (_buffer.IsDense)
        {
            values.CopyTo(features);
        }
        else
        {
            features.Clear();
            var indices = _buffer.GetIndices();
            for (int i = 0; i < indices.Length; i++) features[indices[i]] = values[i];
        }

        int bad = IndexOfNonFinite(features);
        if (bad >= 0)
        {
            if (_policy == NonFiniteRowPolicy.Skip) return false;
            throw new InvalidOperationException(
                $"Row {_cursor.Position} of feature column '{_featureColumn}' has the non-finite value {features[bad]} in slot {bad}. "
                + "Clean or impute the data, or " + SkipAdvice);
        }

        if (_target is not null)
        {
            float t = _target.Read();
            if (float.IsNaN(t))
            {
                if (_policy == NonFiniteRowPolicy.Skip) return false;
                throw new InvalidOperationException(
                    $"Row {_cursor.Position} of label column '{_target.Column}' is missing, NaN or infinite. "
                    + "Clean the data, or " + SkipAdvice);
            }
            target[0] = t;
        }
        return true;
    }

    /// <summary>Index of the first NaN or infinity in <paramref name="values"/>, or -1. x - x is 0 exactly when x is finite.</summary>
    internal static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            foreach (var v in vectors)
            {
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break;
                i += Vector<float>.Count;
            }
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    public void Dispose() => _cursor.Dispose();
}
