using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Tests.Engine;

public class MatrixTests
{
    [Fact]
    public void Rows_shrink_and_grow_back_within_the_capacity_keeping_the_contents()
    {
        var m = new Matrix(4, 3);
        m[3, 2] = 7f;
        m.SetRows(1);
        Assert.Equal(3, m.AsSpan().Length);
        m.SetRows(4);
        Assert.Equal(7f, m[3, 2]);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => m.SetRows(5)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => m.SetRows(-1)).ParamName);
    }

    [Fact]
    public void A_matrix_without_columns_keeps_its_row_capacity()
    {
        var m = new Matrix(5, 0);
        m.SetRows(2);
        Assert.Equal(5, m.RowCapacity);
        m.SetRows(5);
        Assert.Equal(5, m.Rows);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.SetRows(6));
        var wrapped = new Matrix([], 3, 0);
        wrapped.SetRows(0);
        wrapped.SetRows(3);
        Assert.Equal(3, wrapped.Rows);
    }

    [Fact]
    public void A_wrapped_array_gives_the_capacity_it_can_hold()
    {
        var m = new Matrix(new float[10], 2, 4);
        Assert.Equal(2, m.RowCapacity);
        m.SetRows(1);
        m.SetRows(2);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => new Matrix(new float[7], 2, 4)).ParamName);
    }
}
