namespace Ml.Relaxation.Samples.Datasets;

/// <summary>What the label column asks for; the names are the <c>--task</c> values.</summary>
internal enum LearningTask
{
    Binary,
    Multiclass,
    Regression,
}

internal static class LearningTasks
{
    /// <summary>The <c>--task</c> values, in the order help shows them.</summary>
    public static readonly string[] Names = ["binary", "multiclass", "regression"];

    public static string Name(this LearningTask task) => Names[(int)task];

    public static LearningTask Parse(string name) => (LearningTask)Array.IndexOf(Names, name);
}
