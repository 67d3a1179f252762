using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Tests.Conformance;

/// <summary>The kit passes a correct estimator and reports each deliberate defect of the probes.</summary>
public class EstimatorConformanceTests
{
    private sealed class FloatRow
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class DoubleRow
    {
        [VectorType(3)] public double[] Features { get; set; } = [];
    }

    private sealed class TextRow
    {
        public string Features { get; set; } = "";
    }

    private sealed class ScalarRow
    {
        public float Features { get; set; }
    }

    private sealed class OtherRow
    {
        [VectorType(3)] public float[] Other { get; set; } = [];
    }

    private static readonly MLContext Ctx = new(seed: 1);

    private static readonly IDataView Valid = Ctx.Data.LoadFromEnumerable(
        Enumerable.Range(0, 20).Select(i => new FloatRow { Features = [i, i * i, 5 - i], Label = i % 2 }).ToArray());

    private static readonly InvalidInput[] Invalid =
    [
        InvalidInput.Strict(Ctx.Data.LoadFromEnumerable(new[] { new OtherRow { Other = [1, 2, 3] } })),
        InvalidInput.Strict(Ctx.Data.LoadFromEnumerable(new[] { new TextRow { Features = "1 2 3" } })),
        InvalidInput.WrongType(Ctx.Data.LoadFromEnumerable(new[] { new ScalarRow { Features = 1 } })),
        InvalidInput.WrongType(Ctx.Data.LoadFromEnumerable(new[] { new DoubleRow { Features = [1, 2, 3] } })),
    ];

    private static ConformanceReport Run(ProbeDefect defect) =>
        EstimatorConformance.Run(Ctx, new ProbeEstimator(Ctx, defect), Valid, invalidInputs: Invalid);

    [Fact]
    public void A_correct_estimator_conforms()
    {
        EstimatorConformance.AssertConforms(Ctx, new ProbeEstimator(Ctx, ProbeDefect.None), Valid, invalidInputs: Invalid);
    }

    [Theory]
    [InlineData(ProbeDefect.DoesNotValidate, ConformanceChecks.InvalidInputOnEstimator, "did not throw")]
    [InlineData(ProbeDefect.WrongExceptionType, ConformanceChecks.InvalidInputOnEstimator, "threw ArgumentException")]
    [InlineData(ProbeDefect.PromisesOtherColumn, ConformanceChecks.PromisedSchema, "'Normalized' was promised but not delivered")]
    [InlineData(ProbeDefect.PromisesOtherType, ConformanceChecks.PromisedSchema, "promised item type Double, delivered Single")]
    [InlineData(ProbeDefect.CannotSave, ConformanceChecks.SaveLoad, "This probe cannot be saved")]
    [InlineData(ProbeDefect.SavesOtherState, ConformanceChecks.Values, "original vs loaded")]
    [InlineData(ProbeDefect.ClaimsMapperButHasNone, ConformanceChecks.RowToRowMapper, "IsRowToRowMapper is true but GetRowToRowMapper threw")]
    [InlineData(ProbeDefect.UnstableValues, ConformanceChecks.Values, "two passes of the original transformer")]
    public void The_kit_reports_each_deliberate_defect(ProbeDefect defect, string check, string detail)
    {
        var report = Run(defect);
        Assert.True(report.Defects.Any(d => d.Check == check && d.Detail.Contains(detail)),
            $"expected a [{check}] defect containing \"{detail}\"; the report was:{Environment.NewLine}{report}");
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(
            () => EstimatorConformance.AssertConforms(Ctx, new ProbeEstimator(Ctx, defect), Valid, invalidInputs: Invalid));
    }

    [Fact]
    public void The_kit_reports_a_transformer_schema_that_lets_a_wrong_type_through_when_strict()
    {
        // The built-in normalizer's GetOutputSchema accepts Vector<Double>; strict invalid inputs expose that.
        var strictDouble = InvalidInput.Strict(Invalid[3].Data);
        var report = EstimatorConformance.Run(Ctx, new ProbeEstimator(Ctx, ProbeDefect.None), Valid, invalidInputs: [strictDouble]);
        Assert.True(report.Has(ConformanceChecks.InvalidInputOnTransformer), report.ToString());
        Assert.False(report.Has(ConformanceChecks.InvalidInputOnEstimator), report.ToString());
    }
}
