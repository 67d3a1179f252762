using Microsoft.ML;

namespace Ml.Relaxation.Tests.Conformance;

/// <summary>
/// Data an estimator must reject, for <see cref="EstimatorConformance"/>. The estimator's <c>GetOutputSchema</c> and
/// <c>Fit</c> must throw on it, and so must the fitted and reloaded transformers' <c>Transform</c> and, unless
/// <see cref="TransformerSchemaMayAccept"/>, their <c>GetOutputSchema</c>.
/// </summary>
/// <param name="Data">The invalid data.</param>
/// <param name="TransformerSchemaMayAccept">
/// Set for a column of the right name but the wrong type when the fitted transformer is (or reloads as) an ML.NET
/// built-in that does not check types in <c>GetOutputSchema</c>: measured on ML.NET 5.0.1, the min-max normalizer's
/// <c>GetOutputSchema</c> accepts a <c>Single</c> scalar or a <c>Vector&lt;Double&gt;</c> where it was fitted on
/// <c>Vector&lt;Single, 3&gt;</c>, and only its <c>Transform</c> throws. We cannot change built-ins, so the kit then
/// requires only <c>Transform</c> to throw.
/// </param>
public sealed record InvalidInput(IDataView Data, bool TransformerSchemaMayAccept = false)
{
    /// <summary>Invalid everywhere, including every <c>GetOutputSchema</c> (e.g. a missing column).</summary>
    public static InvalidInput Strict(IDataView data) => new(data);

    /// <summary>A wrongly typed column that a built-in transformer's <c>GetOutputSchema</c> may let through.</summary>
    public static InvalidInput WrongType(IDataView data) => new(data, TransformerSchemaMayAccept: true);
}
