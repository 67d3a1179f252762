using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Tests.Engine;

public class InMemoryBatchSourceTests
{
    private static (Matrix X, Matrix Y) Rows(int n)
    {
        var x = new Matrix(n, 2);
        var y = new Matrix(n, 1);
        for (int i = 0; i < n; i++) { x[i, 0] = i; x[i, 1] = -i; y[i, 0] = 10 * i; }
        return (x, y);
    }

    private static List<float> Order(IBatchSource source, int epoch, List<int>? sizes = null)
    {
        var seen = new List<float>();
        foreach (Batch b in source.Batches(epoch))
        {
            sizes?.Add(b.Rows);
            for (int r = 0; r < b.Rows; r++)
            {
                Assert.Equal(-b.Features[r, 0], b.Features[r, 1]);
                Assert.Equal(10 * b.Features[r, 0], b.Targets[r, 0]); // targets travel with their rows
                seen.Add(b.Features[r, 0]);
            }
        }
        return seen;
    }

    [Fact]
    public void Each_epoch_visits_every_row_once_in_batches_with_a_short_last_one()
    {
        var (x, y) = Rows(23);
        var source = new InMemoryBatchSource(x, y, batchSize: 5, seed: 3);
        var sizes = new List<int>();
        List<float> order = Order(source, 0, sizes);
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (float)i), order.Order());
        Assert.Equal(new[] { 5, 5, 5, 5, 3 }, sizes);
        Assert.NotEqual(Enumerable.Range(0, 23).Select(i => (float)i), order); // shuffled (23! orders: identity has chance ~1e-22)
    }

    [Fact]
    public void Order_is_a_function_of_seed_and_epoch()
    {
        var (x, y) = Rows(50);
        var a = new InMemoryBatchSource(x, y, 8, seed: 5);
        var b = new InMemoryBatchSource(x, y, 8, seed: 5);
        Assert.Equal(Order(a, 2), Order(b, 2));
        Assert.Equal(Order(a, 1), Order(b, 1)); // order of visiting epochs does not matter
        Assert.NotEqual(Order(a, 1), Order(a, 2));
        Assert.NotEqual(Order(a, 1), Order(new InMemoryBatchSource(x, y, 8, seed: 6), 1));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), Order(new InMemoryBatchSource(x, y, 8, shuffle: false), 4));
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_them()
    {
        var (x, _) = Rows(4);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => new InMemoryBatchSource(x, new Matrix(3, 1), 2)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryBatchSource(x, null, 0)).ParamName);
    }
}
