using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.MLNet.Data;

public class FeatureStatisticsTests
{
    private static readonly MLContext Ctx = new(seed: 1);

    [Fact]
    public void Large_offsets_and_huge_values_do_not_lose_the_variance()
    {
        // Slot 0: 1e7 + k for k = 0..9 (exact floats): mean 1e7 + 4.5, population variance (10^2 - 1) / 12 = 8.25.
        // Slot 1: alternating 1e30 and 3e30: mean 2e30, std 1e30. Slot 2 constant 5, slot 3 all zero.
        var stats = new FeatureStatistics(4);
        for (int k = 0; k < 10; k++) stats.Add([1e7f + k, k % 2 == 0 ? 1e30f : 3e30f, 5, 0]);
        Assert.Equal(10, stats.Count);
        Assert.Equal(1e7 + 4.5, stats.Mean[0], 1e-6);
        Assert.Equal(8.25, stats.Variance(0), 1e-6);
        var std = stats.StandardDeviation();
        Assert.Equal(1.0, stats.Mean[1] / 2e30, 1e-6);
        Assert.Equal(1.0, std[1] / 1e30, 1e-6);
        Assert.Equal([5.0, 0.0], [stats.Mean[2], stats.Mean[3]]);
        Assert.Equal([2, 3], stats.ConstantSlots());
    }

    [Fact]
    public void Streaming_statistics_match_a_two_pass_computation()
    {
        const int n = 3000, f = 5;
        var rng = new RandomSource(11);
        var rows = new float[n][];
        var stats = new FeatureStatistics(f);
        for (int i = 0; i < n; i++)
        {
            rows[i] = new float[f];
            rng.NextUniforms(rows[i]);
            for (int j = 0; j < f; j++) rows[i][j] = rows[i][j] * (j + 1) * 100 - 50 * j;
            stats.Add(rows[i]);
        }
        for (int j = 0; j < f; j++)
        {
            double mean = rows.Average(r => (double)r[j]);
            double variance = rows.Sum(r => (r[j] - mean) * (r[j] - mean)) / n;
            Assert.Equal(mean, stats.Mean[j], Math.Abs(mean) * 1e-12 + 1e-12);
            Assert.Equal(variance, stats.Variance(j), variance * 1e-12);
        }
    }

    [Fact]
    public void Rows_of_the_wrong_length_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new FeatureStatistics(3).Add([1, 2]));
    }

    private static DataColumns Columns(LabelTask task, NonFiniteRowPolicy policy = NonFiniteRowPolicy.Reject) =>
        new() { LabelColumn = "Label", LabelTask = task, NonFiniteRows = policy };

    private static float[][] Features(int rows) => Enumerable.Range(0, rows).Select(i => new float[] { i, 1 }).ToArray();

    [Fact]
    public void Summary_counts_rows_and_classes_and_computes_feature_statistics()
    {
        var data = DataViews.Create(Ctx, Features(10), Enumerable.Range(0, 10).Select(i => i < 7).ToArray());
        var summary = DataSummary.Compute(data, Columns(LabelTask.BinaryClassification));
        Assert.Equal(new PassStatistics(10, 10, 0), summary.Pass);
        Assert.Equal([3L, 7L], summary.ClassCounts);
        Assert.Equal(2, summary.DistinctClasses);
        Assert.Equal(4.5, summary.Features.Mean[0], 1e-12);
        Assert.Equal([1], summary.Features.ConstantSlots());
        summary.ThrowIfEmpty();
        summary.ThrowIfSingleClass();
    }

    [Fact]
    public void Key_labels_count_every_key_value_even_when_unseen()
    {
        var data = DataViews.Create(Ctx, Features(3), new uint[] { 0, 0, 3 }, new KeyDataViewType(typeof(uint), 5));
        var summary = DataSummary.Compute(data, Columns(LabelTask.MulticlassClassification));
        Assert.Equal([2L, 0, 0, 1, 0], summary.ClassCounts);
    }

    [Fact]
    public void A_single_class_is_reported_naming_the_label_column()
    {
        var data = DataViews.Create(Ctx, Features(4), new[] { 2f, 2, 2, 2 });
        var summary = DataSummary.Compute(data, Columns(LabelTask.MulticlassClassification));
        var e = Assert.Throws<InvalidOperationException>(summary.ThrowIfSingleClass);
        Assert.Contains("Label column 'Label' has 1 distinct class", e.Message);
        // Regression has no classes to check.
        DataSummary.Compute(data, Columns(LabelTask.Regression)).ThrowIfSingleClass();
    }

    [Fact]
    public void Empty_data_and_data_with_every_row_skipped_are_reported()
    {
        var empty = DataSummary.Compute(DataViews.Create(Ctx, [], Array.Empty<float>(), size: 2), Columns(LabelTask.Regression));
        Assert.Contains("0 read", Assert.Throws<InvalidOperationException>(empty.ThrowIfEmpty).Message);

        var data = DataViews.Create(Ctx, [[float.NaN, 1], [2, float.PositiveInfinity]], new[] { 1f, 2 });
        var allSkipped = DataSummary.Compute(data, Columns(LabelTask.Regression, NonFiniteRowPolicy.Skip));
        var e = Assert.Throws<InvalidOperationException>(allSkipped.ThrowIfEmpty);
        Assert.Contains("2 read (2 skipped for non-finite values)", e.Message);
        Assert.Contains("'Features'", e.Message);
    }

    [Fact]
    public void Training_and_validation_summaries_partition_the_rows()
    {
        var data = DataViews.Create(Ctx, Features(500), Enumerable.Range(0, 500).Select(i => (float)i).ToArray());
        var columns = Columns(LabelTask.Regression);
        columns.ValidationFraction = 0.3;
        columns.Seed = 5;
        var train = DataSummary.Compute(data, columns);
        var validation = DataSummary.Compute(data, columns, DataPart.Validation);
        Assert.Equal(500, train.Pass.RowsRead + validation.Pass.RowsRead);
        // Means of the row ids recombine to the overall mean 249.5.
        double combined = (train.Features.Mean[0] * train.Features.Count + validation.Features.Mean[0] * validation.Features.Count) / 500;
        Assert.Equal(249.5, combined, 1e-9);
    }
}
