namespace Ml.Relaxation.Engine;

/// <summary>
/// A dense row-major matrix of floats. Capacity is fixed at construction; <see cref="SetRows"/> changes the number
/// of rows in use within that capacity, so a short last mini-batch reuses the same buffers without allocating.
/// </summary>
internal sealed class Matrix
{
    /// <summary>Creates a zero matrix of <paramref name="rows"/> x <paramref name="cols"/>.</summary>
    public Matrix(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        Data = new float[checked(rows * cols)];
        Rows = rows;
        Cols = cols;
        RowCapacity = rows;
    }

    /// <summary>Wraps <paramref name="data"/> (row-major, at least <paramref name="rows"/> x <paramref name="cols"/>) without copying.</summary>
    public Matrix(float[] data, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if ((long)rows * cols > data.Length)
            throw new ArgumentException($"Data has {data.Length} elements; {rows} x {cols} needs {(long)rows * cols}.", nameof(data));
        Data = data;
        Rows = rows;
        Cols = cols;
        RowCapacity = cols == 0 ? rows : data.Length / cols; // a matrix without columns holds the rows it was made with
    }

    /// <summary>Rows in use.</summary>
    public int Rows { get; private set; }

    /// <summary>Columns.</summary>
    public int Cols { get; }

    /// <summary>The backing array; elements past <c>Rows * Cols</c> are spare capacity.</summary>
    public float[] Data { get; }

    /// <summary>The most rows this matrix can hold.</summary>
    public int RowCapacity { get; }

    /// <summary>The elements in use, row-major.</summary>
    public Span<float> AsSpan() => Data.AsSpan(0, Rows * Cols);

    /// <summary>Row <paramref name="r"/>.</summary>
    public Span<float> Row(int r) => Data.AsSpan(r * Cols, Cols);

    /// <summary>Element (<paramref name="r"/>, <paramref name="c"/>).</summary>
    public ref float this[int r, int c] => ref Data[r * Cols + c];

    /// <summary>Sets the number of rows in use (at most <see cref="RowCapacity"/>); contents are kept, not cleared.</summary>
    public void SetRows(int rows)
    {
        if ((uint)rows > (uint)RowCapacity)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Expected 0 to {RowCapacity} rows.");
        Rows = rows;
    }

    /// <summary>Sets every element in use to zero.</summary>
    public void Clear() => AsSpan().Clear();
}
