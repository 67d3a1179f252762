using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Ml.Relaxation.Samples.Datasets;
using Ml.Relaxation.Samples.Output;

namespace Ml.Relaxation.Samples.CommandLine;

/// <summary>
/// Builds the tool's options. Each command gets its own instances (so each can have its own defaults and allowed
/// values); numbers are read with the invariant culture and range-checked here, so a bad value is a usage error that
/// names the option.
/// </summary>
internal static class SampleOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = "A CSV file with a header row (comma, semicolon, tab or pipe separated). Default: the embedded data set.",
        HelpName = "file.csv",
    };

    public static Option<string?> Dataset(string[] allowed, string defaultName)
    {
        var option = new Option<string?>("--dataset") { Description = $"An embedded data set, when --data is not given. Default: {defaultName}." };
        option.AcceptOnlyFromAmong(allowed);
        return option;
    }

    public static Option<string?> Label(string description) => new("--label") { Description = description, HelpName = "column" };

    public static Option<string?> Task()
    {
        var option = new Option<string?>("--task")
        {
            Description = "What the label is (with --data). Default: inferred; integer codes with few distinct values need it.",
        };
        option.AcceptOnlyFromAmong(LearningTasks.Names);
        return option;
    }

    /// <summary>An optional whole number of at least <paramref name="minimum"/>; null when not given.</summary>
    public static Option<int?> Count(string name, string description, int minimum, string helpName = "n") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => ParseInt(result, name, minimum),
    };

    /// <summary>A whole number of at least <paramref name="minimum"/> with a default shown in help.</summary>
    public static Option<int> Int(string name, string description, int minimum, int defaultValue, string helpName = "n") => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseInt(result, name, minimum) ?? defaultValue,
    };

    public static Option<float?> Lambda() => new("--lambda")
    {
        Description = "L0 strength of every gated-selector fit (GatedFeatureSelectorOptions.L0Strength), in nats a feature must save to stay open; default: automatic (extended BIC of each fit's rows and features).",
        HelpName = "strength",
        CustomParser = result =>
        {
            string token = result.Tokens[0].Value;
            if (float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value) && value > 0) return value;
            result.AddError($"--lambda expects a number greater than 0 (such as 20 or 0.5); got '{token}'.");
            return null;
        },
    };

    public static Option<int?> Epochs(string defaults) => Count("--epochs", $"Training passes over the data. Default: {defaults}.", 1);

    public static Option<int> Seed() => Int("--seed", "Seed of the split, the models and the sampling: the same seed gives the same results.", int.MinValue, 1);

    public static Option<int?> Threads() =>
        Count("--threads", "Most threads the library uses (DegreeOfParallelism). Default: the processor count.", 1);

    public static Option<bool> SkipMissing() => new("--skip-missing")
    {
        Description = $"Leave out rows with a missing value (an empty cell or {string.Join(", ", TableReader.MissingMarkers)}) instead of stopping at the first.",
    };

    public static Option<string?> Output() => new("--output")
    {
        Description = $"The folder to write into (new or empty). Default: a new folder under ./{RunFolder.DefaultParent}/.",
        HelpName = "dir",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print one JSON summary to standard output and nothing else (progress and messages go to standard error).",
    };

    /// <summary>Adds a check that <paramref name="dependent"/> is only given together with <paramref name="required"/>.</summary>
    public static void Requires(Command command, Option dependent, Option required) =>
        command.Validators.Add(result =>
        {
            if (Given(result, dependent) && !Given(result, required))
                result.AddError($"{dependent.Name} applies to {required.Name} only.");
        });

    /// <summary>Adds a check that at most one of <paramref name="a"/> and <paramref name="b"/> is given.</summary>
    public static void Exclusive(Command command, Option a, Option b) =>
        command.Validators.Add(result =>
        {
            if (Given(result, a) && Given(result, b)) result.AddError($"Give either {a.Name} or {b.Name}, not both.");
        });

    private static bool Given(CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private static int? ParseInt(ArgumentResult result, string name, int minimum)
    {
        string token = result.Tokens[0].Value;
        if (int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum) return value;
        result.AddError(minimum == int.MinValue
            ? $"{name} expects a whole number; got '{token}'."
            : $"{name} expects a whole number of at least {minimum}; got '{token}'.");
        return null;
    }
}
