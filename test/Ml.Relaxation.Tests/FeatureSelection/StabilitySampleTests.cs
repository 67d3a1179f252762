using Microsoft.ML;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.MLNet.FeatureSelection;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The stability fits' rows in memory: all training rows when they fit, else a uniform reservoir sample.</summary>
public class StabilitySampleTests
{
    private static IDataView Numbered(MLContext ml, int rows) =>
        SelectionData.View(ml, [.. Enumerable.Range(0, rows).Select(i => new float[] { i, -i })], [.. Enumerable.Range(0, rows).Select(i => i % 2 == 0)]);

    private static DataColumns Columns(ulong seed) =>
        new() { FeatureColumn = "Features", LabelColumn = "Label", LabelTask = LabelTask.BinaryClassification, Seed = seed };

    [Fact]
    public void Small_data_is_read_whole_in_order()
    {
        var ml = new MLContext(1);
        var (x, y) = StabilitySample.Read(Numbered(ml, 50), Columns(1), slots: 2, expectedRows: 50);
        Assert.Equal(50, x.Rows);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), Enumerable.Range(0, 50).Select(r => x[r, 0]));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i % 2 == 0 ? 1f : 0f), y.AsSpan().ToArray());
    }

    [Fact]
    public void Large_data_gives_a_uniform_sample_of_the_capacity_with_each_row_once_and_its_own_target()
    {
        var ml = new MLContext(1);
        var data = Numbered(ml, 400);
        const int seeds = 200, capacity = 100;
        var included = new int[400];
        for (ulong seed = 0; seed < seeds; seed++)
        {
            // 200 feature values hold 100 rows of 2 slots; an underestimated row count must still work
            var (x, y) = StabilitySample.Read(data, Columns(seed), slots: 2, expectedRows: 40, maxFloats: 2 * capacity);
            Assert.Equal(capacity, x.Rows);
            var rows = Enumerable.Range(0, capacity).Select(r => (int)x[r, 0]).ToArray();
            Assert.Equal(capacity, rows.Distinct().Count());
            for (int r = 0; r < capacity; r++)
            {
                Assert.Equal(-x[r, 0], x[r, 1]);
                Assert.Equal(rows[r] % 2 == 0 ? 1f : 0f, y[r, 0]);
                included[rows[r]]++;
            }
        }
        // each row is kept with probability 1/4: per quarter of the file the count is 200 x 100 / 4 = 5000, with a
        // standard deviation below sqrt(100 x 200 x 0.25 x 0.75) = 61 (rows are drawn without replacement): allow 5 of it
        for (int quarter = 0; quarter < 4; quarter++)
            Assert.InRange(included.Skip(100 * quarter).Take(100).Sum(), 5000 - 5 * 61, 5000 + 5 * 61);
        Assert.True(included.Min() > 0, "every row is sometimes kept");
    }
}
