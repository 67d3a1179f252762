using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Samples.Datasets;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>The quantile-binned regression label that mutual information gets (it needs a discrete label).</summary>
public sealed class BinnedLabelTests
{
    [Fact]
    public void Quantile_edges_cut_the_values_into_equally_filled_bins()
    {
        float[] values = [.. Enumerable.Range(1, 100).Select(i => (float)i).Reverse()];
        Assert.Equal([11f, 21f, 31f, 41f, 51f, 61f, 71f, 81f, 91f], TableDataView.QuantileEdges(values, 10));
        // Ties collapse: no edge twice, so a label with two values gets two filled bins (and an empty one below 1).
        Assert.Equal([1f, 2f], TableDataView.QuantileEdges([1f, 1f, 1f, 2f, 2f, 2f], 10));
    }

    [Fact]
    public void The_binned_label_is_a_key_with_one_class_per_bin_and_ten_rows_in_each()
    {
        var table = new FeatureTable
        {
            Source = "t",
            FeatureNames = ["x"],
            Rows = [.. Enumerable.Range(0, 100).Select(i => new float[] { i })],
            Label = new LabelColumn("Label", LearningTask.Regression, [.. Enumerable.Range(0, 100).Select(i => i * 0.5f + 0.25f)], null, null),
        };
        var ml = new MLContext(seed: 1);
        int[] rows = [.. Enumerable.Range(0, 100)];
        var view = TableDataView.CreateWithBinnedLabel(ml, table, rows, TableDataView.QuantileEdges(rows.Select(r => table.Label!.Values[r]), 10));
        Assert.Equal(10UL, Assert.IsType<KeyDataViewType>(view.Schema["Label"].Type).Count);
        uint[] keys = [.. view.GetColumn<uint>("Label")];
        Assert.All(keys.GroupBy(k => k), bin => Assert.Equal(10, bin.Count())); // keys are 1-based: 0 would be missing
        Assert.Equal(Enumerable.Range(1, 10).Select(k => (uint)k), keys.Distinct().Order());
        Assert.Equal(keys.Order(), keys); // the label rises with the row, so do its bins
    }
}
