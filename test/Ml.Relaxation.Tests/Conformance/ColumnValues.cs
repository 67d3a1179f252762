using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Tests.Conformance;

/// <summary>
/// Reads any column's value as a comparable object (vectors as dense arrays, text as strings) and compares values the
/// way ML.NET's TestEstimatorCore does: floats within 1e-6, doubles within 1e-9 (relative above 1), NaN equal to NaN.
/// </summary>
public static class ColumnValues
{
    private static readonly MethodInfo ScalarMethod = typeof(ColumnValues).GetMethod(nameof(Scalar), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo VectorMethod = typeof(ColumnValues).GetMethod(nameof(Vector), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A getter returning the current value of <paramref name="column"/> in <paramref name="row"/> as an object.</summary>
    public static Func<object?> Getter(DataViewRow row, DataViewSchema.Column column)
    {
        var method = column.Type is VectorDataViewType vector
            ? VectorMethod.MakeGenericMethod(vector.ItemType.RawType)
            : ScalarMethod.MakeGenericMethod(column.Type.RawType);
        return (Func<object?>)method.Invoke(null, [row, column])!;
    }

    private static Func<object?> Scalar<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return Plain(value);
        };
    }

    private static Func<object?> Vector<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        return () =>
        {
            VBuffer<T> value = default;
            getter(ref value);
            return value.DenseValues().Select(v => Plain(v)).ToArray();
        };
    }

    private static object? Plain<T>(T value) => value is ReadOnlyMemory<char> text ? text.ToString() : value;

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> are the same value within tolerance; <paramref name="why"/> says where not.</summary>
    public static bool Same(object? a, object? b, out string why)
    {
        why = "";
        switch (a, b)
        {
            case (float x, float y):
                if (Close(x, y, 1e-6)) return true;
                why = $"{x:R} vs {y:R}";
                return false;
            case (double x, double y):
                if (Close(x, y, 1e-9)) return true;
                why = $"{x:R} vs {y:R}";
                return false;
            case (object?[] x, object?[] y):
                if (x.Length != y.Length)
                {
                    why = $"vector length {x.Length} vs {y.Length}";
                    return false;
                }
                for (int i = 0; i < x.Length; i++)
                    if (!Same(x[i], y[i], out var inner))
                    {
                        why = $"slot {i}: {inner}";
                        return false;
                    }
                return true;
            default:
                if (Equals(a, b)) return true;
                why = $"{a ?? "null"} vs {b ?? "null"}";
                return false;
        }
    }

    private static bool Close(double x, double y, double tolerance) =>
        x.Equals(y) || (double.IsNaN(x) && double.IsNaN(y)) || Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)));

    /// <summary>Every float or double (scalar or in a vector) of the visible columns <paramref name="columns"/>, read in full.</summary>
    public static IEnumerable<(long Row, string Column, double Value)> Numbers(IDataView data, IEnumerable<string> columns)
    {
        var cols = columns.Select(name => data.Schema[name]).ToArray();
        using var cursor = data.GetRowCursor(cols);
        var getters = cols.Select(c => Getter(cursor, c)).ToArray();
        while (cursor.MoveNext())
            for (int i = 0; i < cols.Length; i++)
                foreach (var v in Flatten(getters[i]()))
                    yield return (cursor.Position, cols[i].Name, v);
    }

    private static IEnumerable<double> Flatten(object? value)
    {
        switch (value)
        {
            case float f: yield return f; break;
            case double d: yield return d; break;
            case object?[] items:
                foreach (var item in items)
                    foreach (var v in Flatten(item)) yield return v;
                break;
        }
    }
}
