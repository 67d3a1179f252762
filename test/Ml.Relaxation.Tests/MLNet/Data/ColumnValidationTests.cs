using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Tests.Conformance;

namespace Ml.Relaxation.Tests.MLNet.Data;

public class ColumnValidationTests
{
    private static readonly MLContext Ctx = new(seed: 1);

    private static SchemaShape ShapeOf(DataViewSchema schema) => Shapes.Of(schema);

    private static DataViewSchema Schema(params (string Name, DataViewType Type)[] columns)
    {
        var b = new DataViewSchema.Builder();
        foreach (var (name, type) in columns) b.AddColumn(name, type);
        return b.ToSchema();
    }

    private static readonly VectorDataViewType Floats4 = new(NumberDataViewType.Single, 4);

    [Fact]
    public void Feature_column_of_known_size_floats_is_accepted_with_its_size()
    {
        var schema = Schema(("Features", Floats4));
        Assert.Equal(4, ColumnValidation.CheckFeatureColumn(schema, "Features").Size);
        Assert.Equal("Features", ColumnValidation.CheckFeatureColumn(ShapeOf(schema), "Features").Name);
    }

    public static TheoryData<DataViewType, string> BadFeatureTypes => new()
    {
        { new VectorDataViewType(NumberDataViewType.Double, 4), "Vector<Double" },
        { new VectorDataViewType(NumberDataViewType.Single), "Vector<Single>" },
        { NumberDataViewType.Single, "Single" },
        { TextDataViewType.Instance, "String" },
    };

    [Theory]
    [MemberData(nameof(BadFeatureTypes))]
    public void Feature_column_of_another_type_is_rejected_naming_column_and_found_type(DataViewType type, string found)
    {
        var schema = Schema(("Feats", type));
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => ColumnValidation.CheckFeatureColumn(schema, "Feats"));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => ColumnValidation.CheckFeatureColumn(ShapeOf(schema), "Feats"));
        foreach (var e in new[] { e1, e2 })
        {
            Assert.Contains("'Feats'", e.Message);
            Assert.Contains("known-size vector of Single", e.Message);
            Assert.Contains(found, e.Message);
            Assert.Equal("inputSchema", e.ParamName);
        }
    }

    [Fact]
    public void Missing_columns_are_reported_by_name()
    {
        var schema = Schema(("Features", Floats4));
        Assert.Contains("'Nope'", Assert.Throws<ArgumentOutOfRangeException>(() => ColumnValidation.CheckFeatureColumn(schema, "Nope")).Message);
        Assert.Contains("'Lbl'", Assert.Throws<ArgumentOutOfRangeException>(
            () => ColumnValidation.CheckLabelColumn(ShapeOf(schema), "Lbl", LabelTask.Regression)).Message);
    }

    public static TheoryData<LabelTask, DataViewType, bool> LabelTypes => new()
    {
        { LabelTask.BinaryClassification, BooleanDataViewType.Instance, true },
        { LabelTask.BinaryClassification, NumberDataViewType.Single, true },
        { LabelTask.BinaryClassification, NumberDataViewType.Double, true },
        { LabelTask.BinaryClassification, NumberDataViewType.Int32, false },
        { LabelTask.BinaryClassification, new KeyDataViewType(typeof(uint), 2), false },
        { LabelTask.BinaryClassification, TextDataViewType.Instance, false },
        { LabelTask.MulticlassClassification, new KeyDataViewType(typeof(uint), 3), true },
        { LabelTask.MulticlassClassification, NumberDataViewType.Int64, true },
        { LabelTask.MulticlassClassification, NumberDataViewType.Byte, true },
        { LabelTask.MulticlassClassification, NumberDataViewType.Single, true },
        { LabelTask.MulticlassClassification, BooleanDataViewType.Instance, false },
        { LabelTask.MulticlassClassification, TextDataViewType.Instance, false },
        { LabelTask.MulticlassClassification, new VectorDataViewType(NumberDataViewType.Single, 3), false },
        { LabelTask.Regression, NumberDataViewType.Single, true },
        { LabelTask.Regression, NumberDataViewType.Double, true },
        { LabelTask.Regression, NumberDataViewType.Int32, false },
        { LabelTask.Regression, BooleanDataViewType.Instance, false },
        { LabelTask.Regression, new KeyDataViewType(typeof(uint), 3), false },
    };

    [Theory]
    [MemberData(nameof(LabelTypes))]
    public void Label_types_are_accepted_or_rejected_by_task_for_schemas_and_shapes(LabelTask task, DataViewType type, bool accepted)
    {
        var schema = Schema(("Features", Floats4), ("Y", type));
        if (accepted)
        {
            Assert.Equal("Y", ColumnValidation.CheckLabelColumn(schema, "Y", task).Name);
            Assert.Equal("Y", ColumnValidation.CheckLabelColumn(ShapeOf(schema), "Y", task).Name);
            return;
        }
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => ColumnValidation.CheckLabelColumn(schema, "Y", task));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => ColumnValidation.CheckLabelColumn(ShapeOf(schema), "Y", task));
        foreach (var e in new[] { e1, e2 })
        {
            Assert.Contains("label column 'Y'", e.Message);
            Assert.Contains(ColumnValidation.Expectation(task), e.Message);
        }
    }

    [Fact]
    public void A_host_marks_the_exception_as_ML_NET_does()
    {
        var host = ((Microsoft.ML.Runtime.IHostEnvironment)Ctx).Register("test");
        var schema = Schema(("Features", NumberDataViewType.Double));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ColumnValidation.CheckFeatureColumn(schema, "Features", host));
        Assert.Contains("'Features'", e.Message);
        // ML.NET's Process marks exceptions it has seen in Exception.Data.
        Assert.NotEmpty(e.Data);
    }
}
