using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;

namespace Ml.Relaxation.MLNet.Data;

/// <summary>
/// Reads the label of the current row of a cursor as a float target for a <see cref="LabelTask"/>: binary 0/1,
/// a class index, or a real value. Returns NaN for a missing value (a NaN or infinite number, key 0) so that the
/// caller applies its <see cref="NonFiniteRowPolicy"/>; throws <see cref="InvalidOperationException"/> for a value
/// the task cannot use (a binary label of 0.5, a class index of -1 or 2.5).
/// </summary>
internal sealed class TargetReader
{
    /// <summary>Largest class index stored exactly in a float target.</summary>
    private const double MaxClassIndex = 1 << 24;

    private readonly DataViewRowCursor _cursor;
    private readonly Func<double> _raw;
    private readonly bool _isKey;

    public TargetReader(DataViewRowCursor cursor, DataViewSchema.Column column, LabelTask task)
    {
        _cursor = cursor;
        Column = column.Name;
        Task = task;
        _isKey = column.Type is KeyDataViewType;
        _raw = RawGetter(cursor, column);
    }

    /// <summary>The label column's name.</summary>
    public string Column { get; }

    /// <summary>The task deciding the conversion.</summary>
    public LabelTask Task { get; }

    /// <summary>The current row's target, NaN when missing or not finite.</summary>
    public float Read()
    {
        double v = _raw();
        if (!double.IsFinite(v)) return float.NaN;
        switch (Task)
        {
            case LabelTask.BinaryClassification:
                if (v != 0 && v != 1) throw Invalid(v, "binary classification expects 0 or 1 (or a Boolean)");
                return (float)v;
            case LabelTask.MulticlassClassification:
                if (_isKey) return (float)(v - 1); // keys count from 1; 0 (missing) came back as NaN
                if (v < 0 || v != Math.Floor(v) || v > MaxClassIndex)
                    throw Invalid(v, $"multiclass classification expects a whole class index from 0 to {MaxClassIndex} (or a key type)");
                return (float)v;
            default:
                float f = (float)v;
                return float.IsFinite(f) ? f : float.NaN; // a double beyond float range is not usable either
        }
    }

    private InvalidOperationException Invalid(double value, string expectation) =>
        new($"Row {_cursor.Position} of label column '{Column}' holds {value}; {expectation}.");

    private static Func<double> RawGetter(DataViewRow row, DataViewSchema.Column column)
    {
        var type = column.Type is KeyDataViewType key ? key.RawType : column.Type.RawType;
        if (type == typeof(bool)) return Convert<bool>(row, column, b => b ? 1 : 0);
        if (type == typeof(float)) return Convert<float>(row, column, x => x);
        if (type == typeof(double)) return Convert<double>(row, column, x => x);
        bool isKey = column.Type is KeyDataViewType;
        // A key of 0 is ML.NET's missing value.
        if (type == typeof(byte)) return Convert<byte>(row, column, x => isKey && x == 0 ? double.NaN : x);
        if (type == typeof(ushort)) return Convert<ushort>(row, column, x => isKey && x == 0 ? double.NaN : x);
        if (type == typeof(uint)) return Convert<uint>(row, column, x => isKey && x == 0 ? double.NaN : x);
        if (type == typeof(ulong)) return Convert<ulong>(row, column, x => isKey && x == 0 ? double.NaN : x);
        if (type == typeof(sbyte)) return Convert<sbyte>(row, column, x => x);
        if (type == typeof(short)) return Convert<short>(row, column, x => x);
        if (type == typeof(int)) return Convert<int>(row, column, x => x);
        if (type == typeof(long)) return Convert<long>(row, column, x => x);
        throw new ArgumentOutOfRangeException(nameof(column), $"Label column '{column.Name}' has unsupported type {column.Type}.");
    }

    private static Func<double> Convert<T>(DataViewRow row, DataViewSchema.Column column, Func<T, double> convert)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return convert(value);
        };
    }
}
