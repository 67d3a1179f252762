namespace Ml.Relaxation.Tests.Conformance;

/// <summary>One failed conformance check.</summary>
/// <param name="Check">Which check (a <see cref="ConformanceChecks"/> constant).</param>
/// <param name="Detail">What was wrong, with the column, row or exception involved.</param>
public sealed record ConformanceDefect(string Check, string Detail)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Check}] {Detail}";
}

/// <summary>The names of the checks <see cref="EstimatorConformance"/> performs; each defect carries one.</summary>
public static class ConformanceChecks
{
    /// <summary><c>GetOutputSchema</c> on the valid input's shape threw.</summary>
    public const string OutputSchemaOnValidInput = nameof(OutputSchemaOnValidInput);
    /// <summary>An invalid input did not make <c>GetOutputSchema</c> or <c>Fit</c> throw ArgumentOutOfRange or InvalidOperation.</summary>
    public const string InvalidInputOnEstimator = nameof(InvalidInputOnEstimator);
    /// <summary><c>Fit</c> on the valid input threw.</summary>
    public const string Fit = nameof(Fit);
    /// <summary>Save, or Load in a fresh <c>MLContext</c>, failed, or the loaded input schema differs.</summary>
    public const string SaveLoad = nameof(SaveLoad);
    /// <summary><c>IsRowToRowMapper</c> and <c>GetRowToRowMapper</c> disagree, or the mapper's schemas are wrong.</summary>
    public const string RowToRowMapper = nameof(RowToRowMapper);
    /// <summary>The mapper's row values differ from <c>Transform</c>'s.</summary>
    public const string RowToRowMapperValues = nameof(RowToRowMapperValues);
    /// <summary>Output schemas of the original and loaded transformers, or of <c>GetOutputSchema</c> and <c>Transform</c>, differ.</summary>
    public const string OutputSchemas = nameof(OutputSchemas);
    /// <summary>Values, row counts or row ids of the original and loaded outputs differ in one of the four cursor passes.</summary>
    public const string Values = nameof(Values);
    /// <summary>An invalid input did not make the original or loaded transformer throw ArgumentOutOfRange or InvalidOperation.</summary>
    public const string InvalidInputOnTransformer = nameof(InvalidInputOnTransformer);
    /// <summary>What the estimator promised (<c>GetOutputSchema</c> on the shape) differs from what the transformer delivers.</summary>
    public const string PromisedSchema = nameof(PromisedSchema);
}

/// <summary>The defects found by <see cref="EstimatorConformance.Run{TTransformer}"/>; empty when the estimator conforms.</summary>
public sealed class ConformanceReport
{
    private readonly List<ConformanceDefect> _defects = [];

    /// <summary>Every defect found, in the order found.</summary>
    public IReadOnlyList<ConformanceDefect> Defects => _defects;

    /// <summary>Whether check <paramref name="check"/> found a defect.</summary>
    public bool Has(string check) => _defects.Any(d => d.Check == check);

    internal void Add(string check, string detail) => _defects.Add(new ConformanceDefect(check, detail));

    /// <inheritdoc />
    public override string ToString() => _defects.Count == 0 ? "conforms" : string.Join(Environment.NewLine, _defects);
}
