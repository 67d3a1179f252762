using Ml.Relaxation.Data;
using Ml.Relaxation.Models.GatedSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>
/// The checks of one fit's settings, at both sides of every bound: a value just inside is accepted, one just outside
/// (and NaN or an infinity where the bound is on a float) is rejected, naming the setting and what was expected.
/// </summary>
public class GatedSelectorSettingsTests
{
    private static readonly GatedSelectorSettings Valid = new();

    /// <summary>Each bad value, by what it changes: the setting the error must name and what the message must say was expected.</summary>
    private static readonly Dictionary<string, (string Setting, GatedSelectorSettings Settings, string Expected)> Bad = new()
    {
        ["Task = (LabelTask)42"] = ("Task", Valid with { Task = (LabelTask)42 }, "a defined task"),
        ["Task = LabelTask.MulticlassClassification, ClassCount = 1"] = ("ClassCount", Valid with { Task = LabelTask.MulticlassClassification, ClassCount = 1 }, "at least 2 classes"),
        ["HiddenSizes = null!"] = ("HiddenSizes", Valid with { HiddenSizes = null! }, "hidden sizes"),
        ["HiddenSizes = [4, 0]"] = ("HiddenSizes", Valid with { HiddenSizes = [4, 0] }, "every hidden size to be at least 1"),
        ["L0Strength = 0f"] = ("L0Strength", Valid with { L0Strength = 0f }, "finite L0 strength > 0"),
        ["L0Strength = float.NaN"] = ("L0Strength", Valid with { L0Strength = float.NaN }, "finite L0 strength > 0"),
        ["L0Strength = float.PositiveInfinity"] = ("L0Strength", Valid with { L0Strength = float.PositiveInfinity }, "finite L0 strength > 0"),
        ["HeadWeightDecay = -1e-6f"] = ("HeadWeightDecay", Valid with { HeadWeightDecay = -1e-6f }, "finite weight decay >= 0"),
        ["HeadWeightDecay = float.NaN"] = ("HeadWeightDecay", Valid with { HeadWeightDecay = float.NaN }, "finite weight decay >= 0"),
        ["HeadWeightDecay = float.PositiveInfinity"] = ("HeadWeightDecay", Valid with { HeadWeightDecay = float.PositiveInfinity }, "finite weight decay >= 0"),
        ["Epochs = 0"] = ("Epochs", Valid with { Epochs = 0 }, "at least 1 epoch"),
        ["BatchSize = 0"] = ("BatchSize", Valid with { BatchSize = 0 }, "at least 1 row per batch"),
        ["LearningRate = 0f"] = ("LearningRate", Valid with { LearningRate = 0f }, "finite value > 0"),
        ["LearningRate = float.PositiveInfinity"] = ("LearningRate", Valid with { LearningRate = float.PositiveInfinity }, "finite value > 0"),
        ["GateLearningRate = float.NaN"] = ("GateLearningRate", Valid with { GateLearningRate = float.NaN }, "finite value > 0"),
        ["GateLearningRate = -1f"] = ("GateLearningRate", Valid with { GateLearningRate = -1f }, "finite value > 0"),
        ["GateWarmupFraction = 1f"] = ("GateWarmupFraction", Valid with { GateWarmupFraction = 1f }, "a fraction in [0, 1)"),
        ["GateWarmupFraction = -1e-6f"] = ("GateWarmupFraction", Valid with { GateWarmupFraction = -1e-6f }, "a fraction in [0, 1)"),
        ["GateWarmupFraction = float.NaN"] = ("GateWarmupFraction", Valid with { GateWarmupFraction = float.NaN }, "a fraction in [0, 1)"),
        ["InitialKeepProbability = 0f"] = ("InitialKeepProbability", Valid with { InitialKeepProbability = 0f }, "strictly between 0 and 1"),
        ["InitialKeepProbability = 1f"] = ("InitialKeepProbability", Valid with { InitialKeepProbability = 1f }, "strictly between 0 and 1"),
        ["Gamma = 0f"] = ("Gamma", Valid with { Gamma = 0f }, "finite gamma < 0"),
        ["Gamma = float.NegativeInfinity"] = ("Gamma", Valid with { Gamma = float.NegativeInfinity }, "finite gamma < 0"),
        ["Zeta = 1f"] = ("Zeta", Valid with { Zeta = 1f }, "finite zeta > 1"),
        ["Zeta = float.PositiveInfinity"] = ("Zeta", Valid with { Zeta = float.PositiveInfinity }, "finite zeta > 1"),
        ["Temperature = 0f"] = ("Temperature", Valid with { Temperature = 0f }, "finite value > 0"),
        ["EarlyStoppingPatience = 0"] = ("EarlyStoppingPatience", Valid with { EarlyStoppingPatience = 0 }, "at least 1 epoch, or null"),
    };

    public static TheoryData<string> BadCases => [.. Bad.Keys];

    [Theory]
    [MemberData(nameof(BadCases))]
    public void A_value_outside_its_range_is_rejected_naming_the_setting(string change)
    {
        var (setting, settings, expected) = Bad[change];
        var e = Assert.ThrowsAny<ArgumentException>(() => settings.Validate(featureCount: 3));
        Assert.Equal(setting, e.ParamName);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Values_at_the_edge_of_each_range_are_accepted()
    {
        GatedSelectorSettings[] edges =
        [
            Valid,
            Valid with { Task = LabelTask.MulticlassClassification, ClassCount = 2 },
            Valid with { Task = LabelTask.BinaryClassification, ClassCount = 1 }, // the class count only matters for multiclass
            Valid with { Task = LabelTask.Regression, HiddenSizes = [] },
            Valid with { HiddenSizes = [1, 1] },
            Valid with { L0Strength = float.Epsilon, HeadWeightDecay = 0f, Epochs = 1, BatchSize = 1 },
            Valid with { LearningRate = float.Epsilon, GateLearningRate = float.MaxValue, Temperature = float.Epsilon },
            Valid with { GateWarmupFraction = 0f, InitialKeepProbability = 1e-6f },
            Valid with { GateWarmupFraction = 0.999f, InitialKeepProbability = 0.999f },
            Valid with { Gamma = -1e-6f, Zeta = 1.000001f, EarlyStoppingPatience = 1 },
        ];
        foreach (var settings in edges) settings.Validate(featureCount: 1);
    }

    [Fact]
    public void The_default_gate_constants_are_the_hard_concrete_defaults()
    {
        var defaults = Ml.Relaxation.Relaxations.HardConcreteParameters.Default;
        Assert.Equal((float)defaults.Gamma, Valid.Gamma);
        Assert.Equal((float)defaults.Zeta, Valid.Zeta);
        Assert.Equal((float)defaults.Beta, Valid.Temperature);
    }

    [Fact]
    public void A_fit_needs_at_least_one_slot()
    {
        Assert.Equal("featureCount", Assert.Throws<ArgumentOutOfRangeException>(() => Valid.Validate(0)).ParamName);
    }

    [Fact]
    public void Warmup_epochs_round_down_and_the_head_has_one_output_per_class_only_for_multiclass()
    {
        Assert.Equal(2, (Valid with { Epochs = 7, GateWarmupFraction = 0.3f }).GateWarmupEpochs); // 2.1
        Assert.Equal(0, (Valid with { Epochs = 3, GateWarmupFraction = 0.3f }).GateWarmupEpochs); // 0.9
        Assert.Equal(4, (Valid with { Task = LabelTask.MulticlassClassification, ClassCount = 4 }).OutputCount);
        Assert.Equal(1, (Valid with { Task = LabelTask.BinaryClassification, ClassCount = 4 }).OutputCount);
        Assert.Equal(1, (Valid with { Task = LabelTask.Regression, ClassCount = 4 }).OutputCount);
    }
}
