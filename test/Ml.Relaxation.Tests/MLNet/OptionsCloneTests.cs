using System.Reflection;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Tests.MLNet;

/// <summary>The estimators keep a copy of their options, so later edits by the caller do not change them.</summary>
public class OptionsCloneTests
{
    [Fact]
    public void Gated_selector_options_copy_every_property_and_their_arrays()
    {
        var options = new GatedFeatureSelectorOptions { Epochs = 7, MaximumFeatureCount = 3, Seed = 5, HiddenSizes = [4, 2], OutputColumnName = "Out" };
        var copy = options.Clone();
        AssertSameValues(options, copy);
        Assert.NotSame(options.HiddenSizes, copy.HiddenSizes);
        options.HiddenSizes[0] = 99;
        Assert.Equal(4, copy.HiddenSizes[0]);
    }

    [Fact]
    public void Discrete_vae_options_copy_every_property_and_their_arrays()
    {
        var options = new DiscreteVaeOptions { Epochs = 7, LatentCount = 3, Seed = 5, EncoderHiddenSizes = [8, 4], DecoderHiddenSizes = [4, 8] };
        var copy = options.Clone();
        AssertSameValues(options, copy);
        Assert.NotSame(options.EncoderHiddenSizes, copy.EncoderHiddenSizes);
        Assert.NotSame(options.DecoderHiddenSizes, copy.DecoderHiddenSizes);
        options.EncoderHiddenSizes[0] = 99;
        options.DecoderHiddenSizes![0] = 99;
        Assert.Equal(8, copy.EncoderHiddenSizes[0]);
        Assert.Equal(4, copy.DecoderHiddenSizes![0]);
    }

    /// <summary>Every public property of <paramref name="copy"/> equals the original's (arrays element by element).</summary>
    private static void AssertSameValues<T>(T original, T copy)
    {
        foreach (PropertyInfo p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            object? a = p.GetValue(original), b = p.GetValue(copy);
            if (a is int[] array) Assert.Equal(array, (int[]?)b);
            else Assert.Equal(a, b);
        }
    }
}
