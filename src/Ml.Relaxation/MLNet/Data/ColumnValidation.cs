using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Relaxation.Data;

namespace Ml.Relaxation.MLNet.Data;

/// <summary>
/// Checks an estimator's input columns at the boundary, before any work, for both a concrete
/// <see cref="DataViewSchema"/> (Fit, Transform) and a <see cref="SchemaShape"/> (GetOutputSchema). Failures throw
/// <see cref="ArgumentOutOfRangeException"/> with parameter name <c>inputSchema</c> and a message naming the column,
/// what was expected and the type found, as ML.NET's own estimators do. When an <see cref="IExceptionContext"/>
/// (an ML.NET host) is given, the exception is marked through it.
/// </summary>
internal static class ColumnValidation
{
    private const string SchemaParameter = "inputSchema";
    private const string FeatureExpectation = "known-size vector of Single";

    /// <summary>Checks that <paramref name="name"/> is a known-size vector of <see cref="float"/>; returns its column and size.</summary>
    public static (DataViewSchema.Column Column, int Size) CheckFeatureColumn(DataViewSchema schema, string name, IExceptionContext? host = null)
    {
        var column = Find(schema, name, "feature", host);
        if (column.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single)
            throw Mismatch(host, "feature", name, FeatureExpectation, column.Type.ToString() ?? "?");
        return (column, vector.Size);
    }

    /// <summary>Checks that <paramref name="name"/> is promised as a fixed-size vector of <see cref="float"/>.</summary>
    public static SchemaShape.Column CheckFeatureColumn(SchemaShape shape, string name, IExceptionContext? host = null)
    {
        var column = Find(shape, name, "feature", host);
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.IsKey || column.ItemType != NumberDataViewType.Single)
            throw Mismatch(host, "feature", name, FeatureExpectation, Describe(column));
        return column;
    }

    /// <summary>Checks that <paramref name="name"/> holds labels of a type <paramref name="task"/> accepts (see <see cref="LabelTask"/>).</summary>
    public static DataViewSchema.Column CheckLabelColumn(DataViewSchema schema, string name, LabelTask task, IExceptionContext? host = null)
    {
        var column = Find(schema, name, "label", host);
        var type = column.Type;
        bool ok = task switch
        {
            LabelTask.BinaryClassification => type == BooleanDataViewType.Instance || IsReal(type),
            LabelTask.MulticlassClassification => type is KeyDataViewType || IsReal(type) || IsIntegral(type),
            LabelTask.Regression => IsReal(type),
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown label task."),
        };
        if (!ok) throw Mismatch(host, "label", name, Expectation(task), type.ToString() ?? "?");
        return column;
    }

    /// <summary>Checks that the promised column <paramref name="name"/> holds labels of a type <paramref name="task"/> accepts.</summary>
    public static SchemaShape.Column CheckLabelColumn(SchemaShape shape, string name, LabelTask task, IExceptionContext? host = null)
    {
        var column = Find(shape, name, "label", host);
        var item = column.ItemType;
        bool scalar = column.Kind == SchemaShape.Column.VectorKind.Scalar;
        bool ok = scalar && task switch
        {
            LabelTask.BinaryClassification => !column.IsKey && (item == BooleanDataViewType.Instance || IsReal(item)),
            LabelTask.MulticlassClassification => column.IsKey || IsReal(item) || IsIntegral(item),
            LabelTask.Regression => !column.IsKey && IsReal(item),
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown label task."),
        };
        if (!ok) throw Mismatch(host, "label", name, Expectation(task), Describe(column));
        return column;
    }

    /// <summary>What the label column of <paramref name="task"/> must hold, in words.</summary>
    public static string Expectation(LabelTask task) => task switch
    {
        LabelTask.BinaryClassification => "Boolean, or Single or Double holding 0 or 1",
        LabelTask.MulticlassClassification => "a key type, or an integer, Single or Double class index",
        LabelTask.Regression => "Single or Double",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown label task."),
    };

    /// <summary>A schema-shape column's type in ML.NET's notation, e.g. <c>Vector&lt;Single&gt;</c> or <c>Key&lt;UInt32&gt;</c>.</summary>
    public static string Describe(SchemaShape.Column column)
    {
        string item = column.IsKey ? $"Key<{column.ItemType}>" : column.ItemType?.ToString() ?? "?";
        return column.Kind switch
        {
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}>",
            SchemaShape.Column.VectorKind.VariableVector => $"VarVector<{item}>",
            _ => item,
        };
    }

    internal static bool IsReal(DataViewType type) => type == NumberDataViewType.Single || type == NumberDataViewType.Double;

    internal static bool IsIntegral(DataViewType type) =>
        type == NumberDataViewType.SByte || type == NumberDataViewType.Byte || type == NumberDataViewType.Int16
        || type == NumberDataViewType.UInt16 || type == NumberDataViewType.Int32 || type == NumberDataViewType.UInt32
        || type == NumberDataViewType.Int64 || type == NumberDataViewType.UInt64;

    private static DataViewSchema.Column Find(DataViewSchema schema, string name, string role, IExceptionContext? host)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(name);
        return schema.GetColumnOrNull(name)
            ?? throw Raise(host, new ArgumentOutOfRangeException(SchemaParameter, $"Could not find {role} column '{name}'."));
    }

    private static SchemaShape.Column Find(SchemaShape shape, string name, string role, IExceptionContext? host)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(name);
        // A later column of the same name hides an earlier one, as in a DataViewSchema.
        for (int i = shape.Count - 1; i >= 0; i--)
            if (shape[i].Name == name) return shape[i];
        throw Raise(host, new ArgumentOutOfRangeException(SchemaParameter, $"Could not find {role} column '{name}'."));
    }

    private static Exception Mismatch(IExceptionContext? host, string role, string name, string expected, string found) =>
        Raise(host, new ArgumentOutOfRangeException(SchemaParameter,
            $"Schema mismatch for {role} column '{name}': expected {expected}, got {found}."));

    private static Exception Raise(IExceptionContext? host, Exception exception) =>
        host is null ? exception : host.Process(exception);
}
