using System.Collections;
using System.Reflection;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Tests.MLNet;

/// <summary>
/// The options classes are mapped to the settings of the layers below ML.NET in one place each
/// (<c>*Options.Settings.cs</c>). These tests change every public option in turn and require the change to show in
/// those settings, unless the option is listed as read by the estimator itself: a new option that is neither mapped
/// nor listed fails here instead of being silently ignored.
/// </summary>
public class OptionsMappingTests
{
    [Fact]
    public void Every_gated_selector_option_reaches_the_fit_settings_or_is_listed_as_read_by_the_estimator() =>
        AssertEveryOptionIsMapped(GatedFeatureSelectorOptions.ReadByEstimator, o => Describe(
            o.ToFitSettings(LabelTask.MulticlassClassification, classCount: 3, seed: 1),
            o.ToBatchSourceOptions(LabelTask.MulticlassClassification, seed: 1),
            o.ToStabilityDesign(seed: 1)), () => new GatedFeatureSelectorOptions());

    [Fact]
    public void Every_discrete_vae_option_reaches_the_model_training_or_data_settings_or_is_listed_as_read_by_the_estimator() =>
        AssertEveryOptionIsMapped(DiscreteVaeOptions.ReadByEstimator, o => Describe(
            o.ToArchitecture(featureCount: 4), o.ToTrainingOptions(), o.ToBatchSourceOptions(seed: 1)), () => new DiscreteVaeOptions());

    [Fact]
    public void The_lists_of_options_read_by_the_estimators_name_real_options()
    {
        Assert.All(GatedFeatureSelectorOptions.ReadByEstimator, name => Assert.NotNull(typeof(GatedFeatureSelectorOptions).GetProperty(name)));
        Assert.All(DiscreteVaeOptions.ReadByEstimator, name => Assert.NotNull(typeof(DiscreteVaeOptions).GetProperty(name)));
    }

    [Fact]
    public void The_selector_settings_carry_the_resolved_task_and_seed_and_the_options_values()
    {
        var options = new GatedFeatureSelectorOptions { HiddenSizes = [5, 3], L0Strength = null, EarlyStoppingPatience = 0, BatchSize = 17 };
        var settings = options.ToFitSettings(LabelTask.Regression, classCount: 2, seed: 99);
        Assert.Equal(LabelTask.Regression, settings.Task);
        Assert.Equal(99UL, settings.Seed);
        Assert.Equal(new[] { 5, 3 }, settings.HiddenSizes);
        Assert.Null(settings.EarlyStoppingPatience); // 0 in the options means off
        Assert.Equal(17, settings.BatchSize);
        Assert.Equal(17, options.ToBatchSourceOptions(LabelTask.Regression, 99).BatchSize);
        Assert.Null(options.ToStabilityDesign(99).L0Strength); // null: each fit's automatic strength
    }

    /// <summary>
    /// For every public settable property not in <paramref name="readByEstimator"/>: a fresh options object with only
    /// that property changed must describe differently from the defaults.
    /// </summary>
    private static void AssertEveryOptionIsMapped<T>(IReadOnlySet<string> readByEstimator, Func<T, string> settings, Func<T> create)
    {
        string defaults = settings(create());
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
        Assert.NotEmpty(properties);
        foreach (PropertyInfo p in properties)
        {
            if (readByEstimator.Contains(p.Name)) continue;
            T options = create();
            p.SetValue(options, OtherValue(p, p.GetValue(options)));
            Assert.True(settings(options) != defaults,
                $"{typeof(T).Name}.{p.Name} does not reach the settings built in {typeof(T).Name}.Settings.cs. Map it there, "
                + "or, if the estimator reads it itself, add it to ReadByEstimator.");
        }
    }

    /// <summary>A value of the property's type that differs from <paramref name="current"/>.</summary>
    private static object OtherValue(PropertyInfo property, object? current)
    {
        Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            _ when type == typeof(int) => (int)(current ?? 0) + 2,
            _ when type == typeof(float) => (float)(current ?? 0f) + 0.25f,
            _ when type == typeof(bool) => !(bool)current!,
            _ when type == typeof(string) => (string?)current + "X",
            _ when type == typeof(int[]) => (int[])[.. (int[]?)current ?? [], 3],
            _ when type.IsEnum => Enum.GetValues(type).Cast<object>().First(v => !v.Equals(current)),
            _ => throw new NotSupportedException(
                $"No test value for option {property.Name} of type {type.Name}: add one here, or list the option in ReadByEstimator."),
        };
    }

    /// <summary>Every public property of the settings objects, recursively for the library's own types, as text.</summary>
    private static string Describe(params object[] settings) => string.Join("\n", settings.Select(s => Describe(s, depth: 0)));

    private static string Describe(object? value, int depth) => value switch
    {
        null => "null",
        string s => s,
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(i => Describe(i, depth + 1))) + "]",
        _ when depth < 3 && value.GetType().Assembly == typeof(GatedFeatureSelectorOptions).Assembly && !value.GetType().IsEnum =>
            "{" + string.Join(", ", value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0)
                .Select(p => p.Name + "=" + Describe(p.GetValue(value), depth + 1))) + "}",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
