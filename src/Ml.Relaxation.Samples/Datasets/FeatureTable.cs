namespace Ml.Relaxation.Samples.Datasets;

/// <summary>
/// Rows of numeric features held in memory, with their column names and, for supervised jobs, a label. The samples'
/// data sets are small (at most a few thousand rows), so one copy in memory keeps splitting and plotting simple.
/// </summary>
internal sealed class FeatureTable
{
    /// <summary>Where the rows came from, for messages and the summary (a path or an embedded data set's name).</summary>
    public required string Source { get; init; }

    /// <summary>One name per feature column (the CSV header), in column order.</summary>
    public required string[] FeatureNames { get; init; }

    /// <summary>The rows, each holding <see cref="FeatureNames"/>.Length finite values.</summary>
    public required float[][] Rows { get; init; }

    /// <summary>The label of every row, or null when the job needs none.</summary>
    public LabelColumn? Label { get; init; }

    /// <summary>Rows left out for missing values (only with <c>--skip-missing</c>).</summary>
    public int RowsSkipped { get; init; }

    /// <summary>A column of the file that is not a feature and not used (the label, for a job that needs none).</summary>
    public string? ColumnLeftOut { get; init; }

    /// <summary>The same rows without the label.</summary>
    public FeatureTable WithoutLabel() => new()
    {
        Source = Source, FeatureNames = FeatureNames, Rows = Rows, RowsSkipped = RowsSkipped, ColumnLeftOut = Label?.Name ?? ColumnLeftOut,
    };

    /// <summary>Whether each row is an image of <see cref="ImageSide"/> x <see cref="ImageSide"/> pixels (square feature count).</summary>
    public int? ImageSide
    {
        get
        {
            int side = (int)Math.Round(Math.Sqrt(FeatureNames.Length));
            return side * side == FeatureNames.Length && side > 1 ? side : null;
        }
    }
}

/// <summary>
/// A label column after inference: <see cref="Values"/> holds 0/1 for binary tasks, the class index (0-based, into
/// <see cref="Classes"/>) for multiclass tasks and the number itself for regression.
/// </summary>
/// <param name="Name">The column's name in the header.</param>
/// <param name="Task">The task the label asks for.</param>
/// <param name="Values">One value per row.</param>
/// <param name="Classes">The class names (multiclass: in index order; binary: negative then positive); null for regression.</param>
/// <param name="Note">How the task was chosen, when it was inferred rather than given with <c>--task</c>.</param>
internal sealed record LabelColumn(string Name, LearningTask Task, float[] Values, string[]? Classes, string? Note);
