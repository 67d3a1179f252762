using Microsoft.ML;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The internal standardization the gates train on: centering, scaling, and regression targets.</summary>
public class FeatureScalingTests
{
    [Fact]
    public void Features_are_centered_and_scaled_per_slot_and_a_constant_slot_maps_to_zero()
    {
        var scaling = new FeatureScaling([1f, -2f, 5f], [2f, 0.5f, 0f]);
        var x = new Matrix([3f, -2f, 5f, -1f, -1.5f, 5f], 2, 3);
        var z = new Matrix(2, 3);
        scaling.Standardize(x, z);
        Assert.Equal([1f, 0f, 0f, -1f, 1f, 0f], z.AsSpan().ToArray());
    }

    [Fact]
    public void A_slot_or_target_without_a_usable_spread_maps_to_zero_or_is_left_unscaled()
    {
        // std 0, negative, NaN or infinite: the slot is treated as constant (0 after scaling); the others scale as usual
        var scaling = new FeatureScaling([1f, 1f, 1f, 1f, 1f], [float.PositiveInfinity, float.NaN, -2f, 0f, 4f]);
        var z = new Matrix(1, 5);
        scaling.Standardize(new Matrix([3f, 3f, 3f, 3f, 3f], 1, 5), z);
        Assert.Equal([0f, 0f, 0f, 0f, 0.5f], z.AsSpan().ToArray());
        Assert.Equal(5, scaling.FeatureCount);
        foreach (float std in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
            Assert.Equal(1f, new FeatureScaling([0f], [1f], targetMean: 2f, targetStd: std).TargetInverseStd);
        Assert.Equal(0.25f, new FeatureScaling([0f], [1f], targetMean: 2f, targetStd: 4f).TargetInverseStd);
        Assert.Equal(2f, new FeatureScaling([0f], [1f], targetMean: 2f, targetStd: 4f).TargetMean);
        var e = Assert.Throws<ArgumentException>(() => new FeatureScaling([0f, 1f], [1f]));
        Assert.Equal(("std", true), (e.ParamName, e.Message.Contains("Expected 2 standard deviations, got 1")));
    }

    [Fact]
    public void A_subset_keeps_each_slots_own_scaling_bit_for_bit()
    {
        var scaling = new FeatureScaling([1f, -2f, 5f, 0.3f], [3f, 0.7f, 0f, 1.1f]);
        var x = new Matrix([0.1f, 0.2f, 0.3f, 0.4f], 1, 4);
        var all = new Matrix(1, 4);
        scaling.Standardize(x, all);
        var part = new Matrix(1, 2);
        scaling.Subset([3, 1]).Standardize(new Matrix([0.4f, 0.2f], 1, 2), part);
        Assert.Equal([all[0, 3], all[0, 1]], part.AsSpan().ToArray());
        var withTarget = new FeatureScaling([1f, 2f, 3f], [1f, 1f, 1f], targetMean: 5f, targetStd: 4f).Subset([2]);
        Assert.Equal((1, 5f, 0.25f), (withTarget.FeatureCount, withTarget.TargetMean, withTarget.TargetInverseStd));
    }

    [Fact]
    public void Regression_targets_are_standardized_so_an_affine_change_of_units_does_not_change_what_the_head_sees()
    {
        float[] t = [1f, 4f, -2f, 7f];
        float[] u = [.. t.Select(v => 100f * v - 30f)];
        var a = Standardized(t);
        var b = Standardized(u);
        for (int i = 0; i < t.Length; i++) Assert.Equal(a[i], b[i], 1e-5f);
        Assert.Equal(0f, a.Average(), 1e-6f);
        Assert.Equal(1f, MathF.Sqrt(a.Select(v => v * v).Average()), 1e-5f);
    }

    [Fact]
    public void The_selectors_scores_do_not_depend_on_the_units_of_a_regression_label()
    {
        var (x, y, relevant) = SelectionData.LinearAndXor(400, 12, seed: 6);
        float[] target = [.. x.Select(r => 2f * r[relevant[0]] - r[relevant[1]] + 0.5f * r[relevant[2]])];
        GatedSelectorStatistics Fit(Func<float, float> units)
        {
            var ml = new MLContext(seed: 1);
            var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = 3, Seed = 2, Epochs = 10, StabilityRounds = 2 };
            return ml.Relaxation().SelectFeaturesWithGates(options).Fit(SelectionData.View(ml, x, [.. target.Select(units)])).Statistics;
        }
        var plain = Fit(v => v);
        var scaled = Fit(v => 1000f * v + 250f);
        Assert.Equal(relevant[..3].Order(), plain.KeptSlotIndices);
        Assert.Equal(plain.KeptSlotIndices, scaled.KeptSlotIndices);
        Assert.Equal(plain.FeatureScores.Select(f => (f.SlotIndex, f.Score)), scaled.FeatureScores.Select(f => (f.SlotIndex, f.Score)));
        _ = y;
    }

    private static float[] Standardized(float[] t)
    {
        double mean = t.Average(), std = Math.Sqrt(t.Select(v => (v - mean) * (v - mean)).Average());
        var scaling = new FeatureScaling([0f], [1f], (float)mean, (float)std);
        var result = new Matrix(t.Length, 1);
        scaling.StandardizeTargets(new Matrix(t, t.Length, 1), result);
        return result.AsSpan().ToArray();
    }
}
