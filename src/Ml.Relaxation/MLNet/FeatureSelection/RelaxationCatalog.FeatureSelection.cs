using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.MLNet;

public sealed partial class RelaxationCatalog
{
    /// <summary>
    /// A gated (Hard Concrete, L0) feature selector: learns which slots of <paramref name="featureColumnName"/> matter
    /// for predicting <paramref name="labelColumnName"/> and keeps at most <paramref name="maximumFeatureCount"/> of them
    /// (kept slots pass through unchanged, in their original order, with their slot names). Every other setting has
    /// the default documented on <see cref="GatedFeatureSelectorOptions"/>.
    /// </summary>
    /// <param name="maximumFeatureCount">k, from 1 to the slot count; null keeps every slot whose learned gate is open.</param>
    /// <param name="labelColumnName">Boolean (binary), key or integer (multiclass), or Single/Double (regression) label.</param>
    /// <param name="featureColumnName">A known-size vector of Single.</param>
    /// <param name="outputColumnName">The output column; null replaces the feature column.</param>
    public GatedFeatureSelectorEstimator SelectFeaturesWithGates(int? maximumFeatureCount = null, string labelColumnName = "Label",
        string featureColumnName = "Features", string? outputColumnName = null) =>
        SelectFeaturesWithGates(new GatedFeatureSelectorOptions
        {
            MaximumFeatureCount = maximumFeatureCount,
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            OutputColumnName = outputColumnName,
        });

    /// <summary>A gated (Hard Concrete, L0) feature selector with every setting given by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the exception names it.</exception>
    public GatedFeatureSelectorEstimator SelectFeaturesWithGates(GatedFeatureSelectorOptions options) =>
        new(Context, Environment, options);
}
