using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet.Data;

namespace Ml.Relaxation.Tests.MLNet.Data;

public class DataViewBatchSourceTests
{
    private static readonly MLContext Ctx = new(seed: 1);

    private static BatchSourceOptions Options(int batch = 7, int pool = 4096, ulong seed = 3, double validation = 0, string? label = "Label") =>
        new() { BatchSize = batch, ShufflePoolRows = pool, Seed = seed, ValidationFraction = validation, LabelColumn = label, LabelTask = LabelTask.BinaryClassification };

    /// <summary>Row ids (feature 0) in the order of an epoch, checking each row's other values on the way.</summary>
    private static List<int> Ids(DataViewBatchSource source, int epoch, List<int>? batchSizes = null)
    {
        var ids = new List<int>();
        foreach (var batch in source.Batches(epoch))
        {
            batchSizes?.Add(batch.Rows);
            for (int r = 0; r < batch.Rows; r++)
            {
                int id = (int)batch.Features[r, 0];
                Assert.Equal((float)id * id, batch.Features[r, 1]);
                if (source.TargetCount == 1) Assert.Equal(id % 2, batch.Targets[r, 0]);
                ids.Add(id);
            }
        }
        return ids;
    }

    [Fact]
    public void Every_row_appears_once_per_epoch_with_its_target_and_a_short_last_batch()
    {
        var source = new DataViewBatchSource(DataViews.Numbered(Ctx, 100), Options(batch: 7, pool: 16));
        var sizes = new List<int>();
        var ids = Ids(source, 0, sizes);
        Assert.Equal(Enumerable.Range(0, 100), ids.Order());
        Assert.Equal(Enumerable.Repeat(7, 14).Append(2), sizes);
        Assert.Equal(new PassStatistics(100, 100, 0), source.LastPass);
        Assert.Equal((2, 1), (source.FeatureCount, source.TargetCount));
    }

    [Fact]
    public void Same_seed_and_epoch_give_the_same_order_and_others_differ()
    {
        var data = DataViews.Numbered(Ctx, 200);
        var a = new DataViewBatchSource(data, Options(pool: 50));
        var b = new DataViewBatchSource(data, Options(pool: 50));
        Assert.Equal(Ids(a, 4), Ids(b, 4));
        Assert.NotEqual(Ids(a, 4), Ids(a, 5));
        Assert.NotEqual(Ids(a, 4), Ids(new DataViewBatchSource(data, Options(pool: 50, seed: 4)), 4));
        Assert.NotEqual(Enumerable.Range(0, 200), Ids(a, 0));
    }

    [Fact]
    public void Interleaved_epochs_give_the_same_batches_as_sequential_ones()
    {
        // Epochs reuse one set of buffers; an epoch started while another runs must get its own.
        var source = new DataViewBatchSource(DataViews.Numbered(Ctx, 90), Options(batch: 10, pool: 30));
        var expected2 = Ids(source, 2);
        var expected3 = Ids(source, 3);
        List<int> got2 = [], got3 = [];
        using (var e2 = source.Batches(2).GetEnumerator())
        using (var e3 = source.Batches(3).GetEnumerator())
        {
            bool more2 = true, more3 = true;
            while (more2 || more3)
            {
                if (more2 && (more2 = e2.MoveNext())) for (int r = 0; r < e2.Current.Rows; r++) got2.Add((int)e2.Current.Features[r, 0]);
                if (more3 && (more3 = e3.MoveNext())) for (int r = 0; r < e3.Current.Rows; r++) got3.Add((int)e3.Current.Features[r, 0]);
            }
        }
        Assert.Equal(expected2, got2);
        Assert.Equal(expected3, got3);
        Assert.Equal(expected2, Ids(source, 2)); // and the shared buffers are free again
    }

    [Fact]
    public void A_source_without_labels_runs_epoch_after_epoch_with_short_last_batches()
    {
        var source = new DataViewBatchSource(DataViews.Numbered(Ctx, 25), Options(batch: 10, label: null));
        for (int epoch = 0; epoch < 3; epoch++)
            Assert.Equal([10, 10, 5], source.Batches(epoch).Select(b => b.Rows).ToArray());
    }

    [Fact]
    public void Options_changed_after_construction_do_not_affect_the_source()
    {
        var options = Options(batch: 10);
        var source = new DataViewBatchSource(DataViews.Numbered(Ctx, 30), options);
        options.BatchSize = 0;
        options.FeatureColumn = "Nope";
        Assert.Equal(3, source.Batches(0).Count());
    }

    [Fact]
    public void A_pool_of_one_keeps_the_data_order()
    {
        var source = new DataViewBatchSource(DataViews.Numbered(Ctx, 50), Options(pool: 1));
        Assert.Equal(Enumerable.Range(0, 50), Ids(source, 3));
    }

    [Fact]
    public void A_pool_covering_the_data_gives_a_uniform_permutation()
    {
        // Where row 0 lands over many epochs: uniform over the 8 positions. Chi-square with 7 degrees of freedom;
        // 24.32 is the 0.999 quantile, so a correct shuffle fails this 1 time in 1000 (fixed seed: deterministic).
        const int n = 8, epochs = 4000;
        var source = new DataViewBatchSource(DataViews.Numbered(Ctx, n), Options(batch: 3, pool: n));
        var counts = new int[n];
        for (int e = 0; e < epochs; e++) counts[Ids(source, e).IndexOf(0)]++;
        double expected = (double)epochs / n;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 24.32, $"chi-square {chi2:F2} over positions [{string.Join(", ", counts)}]");
    }

    [Fact]
    public void Memory_is_bounded_by_the_pool_the_cursor_is_read_lazily()
    {
        const int rows = 5000, pool = 64, batch = 32;
        long pulled = 0;
        IEnumerable<float[]> Generate()
        {
            for (int i = 0; i < rows; i++)
            {
                pulled++;
                yield return [i, (float)i * i];
            }
        }
        var source = new DataViewBatchSource(DataViews.Stream(Ctx, Generate(), 2), Options(batch: batch, pool: pool, label: null));
        long emitted = 0;
        foreach (var b in source.Batches(0))
        {
            emitted += b.Rows;
            // What has been pulled but not yet handed out sits in the pool (plus at most one row read ahead).
            Assert.True(pulled - emitted <= pool + 1, $"{pulled} rows pulled, {emitted} emitted: more than the pool of {pool} buffered");
        }
        Assert.Equal(rows, emitted);
        Assert.Equal(pool, source.PeakPoolRows);
        Assert.Equal(0, source.TargetCount);
    }

    [Fact]
    public void Validation_split_is_disjoint_complete_deterministic_and_near_the_fraction()
    {
        const int n = 4000;
        const double fraction = 0.25;
        var data = DataViews.Numbered(Ctx, n);
        var train = Ids(new DataViewBatchSource(data, Options(validation: fraction, pool: 100)), 0);
        var validation = Ids(new DataViewBatchSource(data, Options(validation: fraction, pool: 1), DataPart.Validation), 0);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, n), train.Concat(validation).Order());
        // The same rows go to validation in every epoch, whatever the shuffle.
        var again = Ids(new DataViewBatchSource(data, Options(validation: fraction, pool: 100)), 7);
        Assert.Equal(train.Order(), again.Order());
        // Binomial(n, 0.25): allow 5 standard deviations.
        double sd = Math.Sqrt(n * fraction * (1 - fraction));
        Assert.InRange(validation.Count, n * fraction - 5 * sd, n * fraction + 5 * sd);
        // Another seed draws another split.
        var other = Ids(new DataViewBatchSource(data, Options(validation: fraction, seed: 99), DataPart.Validation), 0);
        Assert.NotEqual(validation.Order(), other.Order());
    }

    private static float[][] Features(int rows) => Enumerable.Range(0, rows).Select(i => new float[] { i, (float)i * i }).ToArray();

    [Fact]
    public void Non_finite_features_are_rejected_naming_column_row_and_slot_or_skipped_and_counted()
    {
        var f = Features(10);
        f[3][1] = float.NaN;
        f[6][0] = float.NegativeInfinity;
        var data = DataViews.Create(Ctx, f, Enumerable.Range(0, 10).Select(i => (float)(i % 2)).ToArray());
        var reject = new DataViewBatchSource(data, Options(pool: 4));
        var e = Assert.Throws<InvalidOperationException>(() => Ids(reject, 0));
        Assert.Contains("Row 3 of feature column 'Features'", e.Message);
        Assert.Contains("slot 1", e.Message);
        // The advice names what users can set: the estimators' option (and the batch source's), not an enum alone.
        Assert.Contains("SkipRowsWithMissingValues = true", e.Message);
        Assert.Contains("NonFiniteRows = NonFiniteRowPolicy.Skip in BatchSourceOptions", e.Message);

        var options = Options(pool: 4);
        options.NonFiniteRows = NonFiniteRowPolicy.Skip;
        var skip = new DataViewBatchSource(data, options);
        Assert.Equal(Enumerable.Range(0, 10).Except([3, 6]), Ids(skip, 0).Order());
        Assert.Equal(new PassStatistics(10, 8, 2), skip.LastPass);
    }

    [Fact]
    public void Non_finite_regression_labels_are_rejected_or_skipped()
    {
        var data = DataViews.Create(Ctx, Features(5), new double[] { 0, 1, double.PositiveInfinity, 3, 1e300 });
        var options = new BatchSourceOptions { LabelColumn = "Label", LabelTask = LabelTask.Regression, ShufflePoolRows = 1 };
        var e = Assert.Throws<InvalidOperationException>(() => new DataViewBatchSource(data, options).Batches(0).ToList());
        Assert.Contains("Row 2 of label column 'Label'", e.Message);
        Assert.Contains("SkipRowsWithMissingValues = true", e.Message);
        options.NonFiniteRows = NonFiniteRowPolicy.Skip;
        var source = new DataViewBatchSource(data, options);
        var targets = source.Batches(0).SelectMany(b => Enumerable.Range(0, b.Rows).Select(r => b.Targets[r, 0])).ToList();
        Assert.Equal(new float[] { 0, 1, 3 }, targets); // 1e300 does not fit a float: treated as non-finite
        Assert.Equal(2, source.LastPass!.Value.RowsSkipped);
    }

    private static List<float> Targets<T>(T[] labels, LabelTask task, DataViewType? labelType = null)
    {
        var data = DataViews.Create(Ctx, Features(labels.Length), labels, labelType);
        var source = new DataViewBatchSource(data, new BatchSourceOptions { LabelColumn = "Label", LabelTask = task, ShufflePoolRows = 1 });
        return source.Batches(0).SelectMany(b => Enumerable.Range(0, b.Rows).Select(r => b.Targets[r, 0])).ToList();
    }

    [Fact]
    public void Labels_become_float_targets_by_task()
    {
        Assert.Equal(new float[] { 1, 0, 1 }, Targets(new[] { true, false, true }, LabelTask.BinaryClassification));
        Assert.Equal(new float[] { 0, 1 }, Targets(new[] { 0.0, 1.0 }, LabelTask.BinaryClassification));
        // LoadFromEnumerable stores a C# key value v as key v + 1 (and out-of-range values as key 0, missing).
        Assert.Equal(new float[] { 0, 2, 1 }, Targets(new uint[] { 0, 2, 1 }, LabelTask.MulticlassClassification, new KeyDataViewType(typeof(uint), 3)));
        Assert.Equal(new float[] { 4, 0, 2 }, Targets(new long[] { 4, 0, 2 }, LabelTask.MulticlassClassification));
        Assert.Equal(new float[] { 2, 0 }, Targets(new float[] { 2, 0 }, LabelTask.MulticlassClassification));
        Assert.Equal(new float[] { -1.5f, 2.25f }, Targets(new double[] { -1.5, 2.25 }, LabelTask.Regression));
    }

    [Fact]
    public void Unusable_label_values_are_rejected_naming_row_and_column()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Targets(new float[] { 0, 0.5f }, LabelTask.BinaryClassification));
        Assert.Contains("Row 1 of label column 'Label' holds 0.5", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => Targets(new int[] { 1, -1 }, LabelTask.MulticlassClassification));
        Assert.Contains("Row 1 of label column 'Label' holds -1", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => Targets(new double[] { 2.5 }, LabelTask.MulticlassClassification));
        Assert.Contains("holds 2.5", e.Message);
        // Key 0 is a missing label (LoadFromEnumerable maps the out-of-range C# value 3 to it).
        e = Assert.Throws<InvalidOperationException>(() => Targets(new uint[] { 1, 3 }, LabelTask.MulticlassClassification, new KeyDataViewType(typeof(uint), 3)));
        Assert.Contains("Row 1 of label column 'Label' is missing", e.Message);
    }

    private sealed class Word
    {
        public string Text { get; set; } = "";
    }

    [Fact]
    public void Sparse_feature_vectors_are_densified()
    {
        // One-hot encoding produces sparse buffers.
        var words = Ctx.Data.LoadFromEnumerable(new[] { "a", "b", "c", "b" }.Select(t => new Word { Text = t }));
        var data = Ctx.Transforms.Categorical.OneHotEncoding("Features", "Text").Fit(words).Transform(words);
        using (var cursor = data.GetRowCursor(data.Schema))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(data.Schema["Features"]);
            VBuffer<float> v = default;
            cursor.MoveNext();
            getter(ref v);
            Assert.False(v.IsDense);
        }
        var rows = new DataViewBatchSource(data, new BatchSourceOptions { ShufflePoolRows = 1 }).Batches(0).Single();
        Assert.Equal(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0 }, rows.Features.AsSpan().ToArray());
    }

    [Fact]
    public void Bad_columns_and_options_fail_at_construction()
    {
        var data = DataViews.Numbered(Ctx, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataViewBatchSource(data, new BatchSourceOptions { FeatureColumn = "Label" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataViewBatchSource(data, new BatchSourceOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataViewBatchSource(data, new BatchSourceOptions { ShufflePoolRows = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataViewBatchSource(data, new BatchSourceOptions { ValidationFraction = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataViewBatchSource(data, new BatchSourceOptions { LabelColumn = "Label", LabelTask = LabelTask.MulticlassClassification, FeatureColumn = "Features" }.With(o => o.LabelColumn = "Features")));
    }

    [Fact]
    public void Non_finite_scan_finds_the_first_bad_slot_in_vector_body_and_tail()
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int at = 0; at < 37; at++)
            {
                var values = Enumerable.Range(0, 37).Select(i => (float)i * 1e36f).ToArray();
                values[at] = bad;
                if (at + 5 < values.Length) values[at + 5] = float.NaN;
                Assert.Equal(at, RowReader.IndexOfNonFinite(values));
            }
        Assert.Equal(-1, RowReader.IndexOfNonFinite([float.MaxValue, -float.MaxValue, float.Epsilon, 0]));
    }

    [Fact]
    public void Empty_data_yields_no_batches()
    {
        var empty = DataViews.Create(Ctx, [], Array.Empty<float>(), size: 2);
        var source = new DataViewBatchSource(empty, Options());
        Assert.Empty(source.Batches(0));
        Assert.Equal(new PassStatistics(0, 0, 0), source.LastPass);
    }
}

internal static class OptionsExtensions
{
    public static T With<T>(this T options, Action<T> change)
    {
        change(options);
        return options;
    }
}
