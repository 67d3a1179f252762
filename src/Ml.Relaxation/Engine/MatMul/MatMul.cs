using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Engine;

/// <summary>
/// Single-precision matrix products for forward and backward passes: C = op(A) op(B), or C += op(A) op(B) with
/// <c>accumulate</c>. The result is the same bit for bit at any <see cref="DegreeOfParallelism"/>: threads split
/// the output, never the sum over k, and every output element sums its k terms in one fixed order.
/// </summary>
internal static class MatMul
{
    /// <summary>C (+)= A B with A [M x K], B [K x N], C [M x N].</summary>
    public static void Multiply(Matrix a, Matrix b, Matrix c, bool accumulate = false)
    {
        Check(a, b, c);
        if (b.Rows != a.Cols) throw new ArgumentException($"A is [{a.Rows} x {a.Cols}], so B needs {a.Cols} rows; it has {b.Rows}.", nameof(b));
        CheckOutput(c, a.Rows, b.Cols);
        Gemm.Run(false, false, a.Rows, b.Cols, a.Cols, a.Data, b.Data, c.Data, accumulate, DegreeOfParallelism.Current);
    }

    /// <summary>C (+)= A^T B with A [K x M], B [K x N], C [M x N] (e.g. a weight gradient x^T dy).</summary>
    public static void MultiplyTransposeA(Matrix a, Matrix b, Matrix c, bool accumulate = false)
    {
        Check(a, b, c);
        if (b.Rows != a.Rows) throw new ArgumentException($"A is [{a.Rows} x {a.Cols}], so B needs {a.Rows} rows; it has {b.Rows}.", nameof(b));
        CheckOutput(c, a.Cols, b.Cols);
        Gemm.Run(true, false, a.Cols, b.Cols, a.Rows, a.Data, b.Data, c.Data, accumulate, DegreeOfParallelism.Current);
    }

    /// <summary>C (+)= A B^T with A [M x K], B [N x K], C [M x N] (e.g. an input gradient dy W^T).</summary>
    public static void MultiplyTransposeB(Matrix a, Matrix b, Matrix c, bool accumulate = false)
    {
        Check(a, b, c);
        if (b.Cols != a.Cols) throw new ArgumentException($"A is [{a.Rows} x {a.Cols}], so B needs {a.Cols} columns; it has {b.Cols}.", nameof(b));
        CheckOutput(c, a.Rows, b.Rows);
        Gemm.Run(false, true, a.Rows, b.Rows, a.Cols, a.Data, b.Data, c.Data, accumulate, DegreeOfParallelism.Current);
    }

    private static void Check(Matrix a, Matrix b, Matrix c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (ReferenceEquals(c.Data, a.Data) || ReferenceEquals(c.Data, b.Data))
            throw new ArgumentException("The output must not share storage with an input.", nameof(c));
    }

    private static void CheckOutput(Matrix c, int rows, int cols)
    {
        if (c.Rows != rows || c.Cols != cols)
            throw new ArgumentException($"Expected a [{rows} x {cols}] output, got [{c.Rows} x {c.Cols}].", nameof(c));
    }
}
