using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Tests.Engine;

public class MatMulTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 7, 1 }, { 3, 1, 5 }, { 2, 3, 4 }, { 7, 13, 11 }, { 17, 31, 9 }, { 5, 8, 16 },
        { 6, 17, 24 }, { 13, 5, 33 }, { 31, 97, 47 }, { 65, 129, 67 }, { 100, 37, 200 }, { 7, 300, 3 }, { 101, 263, 23 },
        { 130, 531, 70 }, { 3, 5, 1100 }, { 121, 7, 33 }, { 12, 40, 300 }, { 40, 700, 50 },
        { 40, 1100, 50 }, // at most Gemm.Mc rows and k above Gemm.KcMaxFewRows: two k-chunks
    };

    /// <summary>op(A) op(B) in double from the definition.</summary>
    private static double[] Reference(Matrix a, Matrix b, bool transA, bool transB, int m, int n, int k)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(transA ? a[p, i] : a[i, p]) * (transB ? b[j, p] : b[p, j]);
                c[i * n + j] = s;
            }
        return c;
    }

    private static void AssertClose(double[] expected, Matrix actual, int k, string what)
    {
        // Inputs are in [-1, 1): a float sum of k products errs by at most about k * 2^-24 * k; use a generous multiple.
        double tolerance = 1e-6 * k + 1e-6;
        Span<float> c = actual.AsSpan();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - c[i]) <= tolerance, $"{what}: element {i}: expected {expected[i]}, got {c[i]}");
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Multiply_matches_the_definition(int m, int k, int n)
    {
        Matrix a = GradientCheck.Random(m, k, 1), b = GradientCheck.Random(k, n, 2);
        var c = GradientCheck.Random(m, n, 3);
        MatMul.Multiply(a, b, c);
        AssertClose(Reference(a, b, false, false, m, n, k), c, k, "A*B");
    }

    [Theory, MemberData(nameof(Shapes))]
    public void MultiplyTransposeA_matches_the_definition(int m, int k, int n)
    {
        Matrix a = GradientCheck.Random(k, m, 4), b = GradientCheck.Random(k, n, 5);
        var c = GradientCheck.Random(m, n, 6);
        MatMul.MultiplyTransposeA(a, b, c);
        AssertClose(Reference(a, b, true, false, m, n, k), c, k, "A^T*B");
    }

    [Theory, MemberData(nameof(Shapes))]
    public void MultiplyTransposeB_matches_the_definition(int m, int k, int n)
    {
        Matrix a = GradientCheck.Random(m, k, 7), b = GradientCheck.Random(n, k, 8);
        var c = GradientCheck.Random(m, n, 9);
        MatMul.MultiplyTransposeB(a, b, c);
        AssertClose(Reference(a, b, false, true, m, n, k), c, k, "A*B^T");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Accumulate_adds_to_the_existing_output(bool transA, bool transB)
    {
        const int m = 19, k = 23, n = 29;
        Matrix a = transA ? GradientCheck.Random(k, m, 10) : GradientCheck.Random(m, k, 10);
        Matrix b = transB ? GradientCheck.Random(n, k, 11) : GradientCheck.Random(k, n, 11);
        Matrix c = GradientCheck.Random(m, n, 12);
        float[] before = c.AsSpan().ToArray();
        Action<Matrix, Matrix, Matrix, bool> op = transA ? MatMul.MultiplyTransposeA : transB ? MatMul.MultiplyTransposeB : MatMul.Multiply;
        op(a, b, c, true);
        double[] expected = Reference(a, b, transA, transB, m, n, k);
        for (int i = 0; i < expected.Length; i++) expected[i] += before[i];
        AssertClose(expected, c, k, "accumulate");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void The_portable_path_matches_the_definition_and_any_thread_count(bool transA, bool transB)
    {
        // The kernel and packing a machine without AVX2/FMA (e.g. ARM64) runs, end to end, with edges in every dimension.
        const int m = 103, k = 300, n = 61;
        Matrix a = transA ? GradientCheck.Random(k, m, 17) : GradientCheck.Random(m, k, 17);
        Matrix b = transB ? GradientCheck.Random(n, k, 18) : GradientCheck.Random(k, n, 18);
        try
        {
            Gemm.PortableOnThisThread = true;
            MatchesTheDefinitionAtAnyThreadCount(transA, transB, m, n, k, a, b, "portable");
            Assert.False(Gemm.LastRunOnThisThreadWasVector); // the hook did switch paths
        }
        finally { Gemm.PortableOnThisThread = false; }
        Gemm.Run(transA, transB, m, n, k, a.Data, b.Data, new float[m * n], false, 2);
        Assert.Equal(GemmKernel.UsesFma, Gemm.LastRunOnThisThreadWasVector); // and without it this machine uses FMA if it can
    }

    [Theory]
    [InlineData(false, 37)]  // C three tiles wide: rows are split
    [InlineData(true, 37)]
    [InlineData(false, 90)]  // columns are split
    [InlineData(true, 90)]
    public void A_large_A_is_packed_in_parallel_with_the_same_result(bool transA, int n)
    {
        const int m = 521, k = 530; // m * k is above Gemm.MinParallelPackFloats; m is not a multiple of the tile height
        Assert.True((long)m * k >= Gemm.MinParallelPackFloats);
        Matrix a = transA ? GradientCheck.Random(k, m, 15) : GradientCheck.Random(m, k, 15);
        Matrix b = GradientCheck.Random(k, n, 16);
        MatchesTheDefinitionAtAnyThreadCount(transA, false, m, n, k, a, b, "large A");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Few_rows_split_into_single_column_parts_give_the_same_result(bool transA, bool transB)
    {
        const int m = 100, k = 300, n = 1100; // at most Gemm.Mc rows: 69 parts of one tile column at 2 or more threads
        Matrix a = transA ? GradientCheck.Random(k, m, 22) : GradientCheck.Random(m, k, 22);
        Matrix b = transB ? GradientCheck.Random(n, k, 23) : GradientCheck.Random(k, n, 23);
        MatchesTheDefinitionAtAnyThreadCount(transA, transB, m, n, k, a, b, "few rows, many columns");
    }

    [Theory]
    [InlineData(32, 2, 4)]   // 784x100x512 at 2 threads: widest part a quarter of a thread's columns
    [InlineData(64, 2, 16)]  // 1024^3 at 2 threads
    [InlineData(32, 2, 1)]   // few rows: single columns
    [InlineData(49, 3, 5)]
    [InlineData(200, 8, 7)]
    [InlineData(4, 2, 1)]
    public void Column_parts_cover_every_tile_column_once_and_shrink_to_single_columns(int tiles, int threads, int widest)
    {
        int[] starts = new int[2]; // grown as needed
        int parts = Gemm.ColumnParts(tiles, threads, widest, ref starts);
        Assert.Equal(0, starts[0]);
        Assert.Equal(tiles, starts[parts]);
        int previous = int.MaxValue;
        for (int p = 0; p < parts; p++)
        {
            int size = starts[p + 1] - starts[p];
            Assert.InRange(size, 1, widest);
            Assert.True(size <= previous, $"part {p} ({size} columns) is wider than the one before ({previous})");
            previous = size;
        }
        // The last parts are single columns, one per thread at least, so a slow thread leaves the others a column at most.
        for (int p = parts - Math.Min(parts, threads); p < parts; p++) Assert.Equal(1, starts[p + 1] - starts[p]);
        // No more parts than the widest-part count plus the shrinking tail needs (guided self-scheduling).
        Assert.True(parts <= (tiles + widest - 1) / widest + 2 * threads * (int)Math.Ceiling(Math.Log(Math.Max(2, tiles))),
            $"{parts} parts for {tiles} columns");
    }

    /// <summary>Runs the product at 1, 2 and 3 threads: the first result must match the definition, the others its bits.</summary>
    private static float[] MatchesTheDefinitionAtAnyThreadCount(bool transA, bool transB, int m, int n, int k, Matrix a, Matrix b, string what)
    {
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var c = new float[m * n];
            Gemm.Run(transA, transB, m, n, k, a.Data, b.Data, c, false, threads);
            if (first is null)
            {
                first = c;
                AssertClose(Reference(a, b, transA, transB, m, n, k), new Matrix(c, m, n), k, what);
            }
            else Assert.Equal(first, c);
        }
        return first!;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Results_are_bit_identical_at_any_thread_count(bool transA, bool transB)
    {
        const int m = 203, k = 600, n = 301; // several k-chunks, row and column edges
        Matrix a = transA ? GradientCheck.Random(k, m, 13) : GradientCheck.Random(m, k, 13);
        Matrix b = transB ? GradientCheck.Random(n, k, 14) : GradientCheck.Random(k, n, 14);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3, 4, 7 })
        {
            var c = new float[m * n];
            Gemm.Run(transA, transB, m, n, k, a.Data, b.Data, c, false, threads);
            if (first is null) first = c;
            else Assert.Equal(first, c);
        }
    }

    [Fact]
    public void Empty_inner_dimension_gives_zeros_or_leaves_the_sum()
    {
        var a = new Matrix(3, 0);
        var b = new Matrix(0, 4);
        var c = GradientCheck.Random(3, 4, 15);
        float[] before = c.AsSpan().ToArray();
        MatMul.Multiply(a, b, c, accumulate: true);
        Assert.Equal(before, c.AsSpan().ToArray());
        MatMul.Multiply(a, b, c);
        Assert.All(c.AsSpan().ToArray(), v => Assert.Equal(0f, v));
    }

    /// <summary>The three products by name, each with inputs of the right shapes for C [2 x 4] and k = 3.</summary>
    private static (Action<Matrix, Matrix, Matrix, bool> Op, bool TransA, bool TransB) Product(string name) => name switch
    {
        "A*B" => (MatMul.Multiply, false, false),
        "A^T*B" => (MatMul.MultiplyTransposeA, true, false),
        "A*B^T" => (MatMul.MultiplyTransposeB, false, true),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [InlineData("A*B")]
    [InlineData("A^T*B")]
    [InlineData("A*B^T")]
    public void Bad_arguments_are_rejected_naming_the_argument_and_the_shapes_before_anything_is_written(string product)
    {
        const int m = 2, k = 3, n = 4;
        var (op, transA, transB) = Product(product);
        // Backing arrays with room for a [2 x 4] output too, so an aliased output has the right shape and only its storage is wrong.
        Matrix a = transA ? new Matrix(new float[8], k, m) : new Matrix(new float[8], m, k);
        Matrix b = transB ? new Matrix(new float[12], n, k) : new Matrix(new float[12], k, n);
        a.AsSpan().Fill(1f);
        b.AsSpan().Fill(1f);
        Matrix c = GradientCheck.Random(m, n, 30);
        float[] before = c.AsSpan().ToArray();

        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => op(null!, b, c, false)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => op(a, null!, c, false)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentNullException>(() => op(a, b, null!, false)).ParamName);

        // The inner dimensions disagree: B has one row (or, transposed, one column) too many.
        Matrix longB = transB ? new Matrix(n, k + 1) : new Matrix(k + 1, n);
        var inner = Assert.Throws<ArgumentException>(() => op(a, longB, c, false));
        Assert.Equal("b", inner.ParamName);
        Assert.Contains($"A is [{a.Rows} x {a.Cols}], so B needs {k} {(transB ? "columns" : "rows")}; it has {k + 1}.", inner.Message);

        // The output has a wrong row count, a wrong column count, or both.
        foreach ((int rows, int cols) in new[] { (m + 1, n), (m, n + 1), (n, m) })
        {
            var output = Assert.Throws<ArgumentException>(() => op(a, b, new Matrix(rows, cols), true));
            Assert.Equal("c", output.ParamName);
            Assert.Contains($"Expected a [{m} x {n}] output, got [{rows} x {cols}].", output.Message);
        }

        // The output shares storage with A, or with B.
        foreach (float[] shared in new[] { a.Data, b.Data })
        {
            var alias = Assert.Throws<ArgumentException>(() => op(a, b, new Matrix(shared, m, n), false));
            Assert.Equal("c", alias.ParamName);
            Assert.Contains("must not share storage with an input", alias.Message);
        }

        Assert.Equal(before, c.AsSpan().ToArray()); // nothing was written by the rejected calls
        op(a, b, c, false); // and the same arguments, put right, are accepted
        Assert.All(c.AsSpan().ToArray(), v => Assert.Equal(k, v));
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    public unsafe void Scratch_buffers_lie_inside_their_pinned_array_aligned_and_products_at_their_limits_write_nothing_around_them(
        bool transA, bool transB, bool portable)
    {
        // k = KcMaxFewRows with few rows fills the B buffer's rows; n = 2 column blocks + 7 fills its columns and leaves edge
        // tiles (7 columns, and 4 of 6 rows: m = 10) that go through the scratch tile. Threads = 1: the caller's buffers.
        const int m = 10, k = Gemm.KcMaxFewRows, n = 2 * Gemm.Nc + 7;
        Assert.True(m <= Gemm.Mc);
        Matrix a = transA ? GradientCheck.Random(k, m, 31) : GradientCheck.Random(m, k, 31);
        Matrix b = transB ? GradientCheck.Random(n, k, 32) : GradientCheck.Random(k, n, 32);
        (float[] storage, nint bAddress, nint tileAddress) = Gemm.ScratchOnThisThread();
        long bOffset, tileOffset;
        fixed (float* start = storage)
        {
            Assert.Equal(0, bAddress % 64);
            Assert.Equal(0, tileAddress % 64);
            bOffset = (bAddress - (nint)start) / sizeof(float);
            tileOffset = (tileAddress - (nint)start) / sizeof(float);
        }
        // Both regions inside the array, in order, without overlap.
        Assert.InRange(bOffset, 0, 15);
        Assert.InRange(tileOffset, bOffset + Gemm.ScratchBFloats, storage.Length - Gemm.ScratchTileFloats);
        Assert.Equal(storage, Gemm.ScratchOnThisThread().Storage); // the same buffers, reused

        // Canaries in the slack around the two regions must survive products that use the regions to their limits.
        const float canary = -12345.678f;
        long tileEnd = tileOffset + Gemm.ScratchTileFloats;
        for (long i = 0; i < bOffset; i++) storage[i] = canary;
        for (long i = bOffset + Gemm.ScratchBFloats; i < tileOffset; i++) storage[i] = canary;
        for (long i = tileEnd; i < storage.Length; i++) storage[i] = canary;
        var c = new float[m * n];
        try
        {
            Gemm.PortableOnThisThread = portable;
            Gemm.Run(transA, transB, m, n, k, a.Data, b.Data, c, false, threads: 1);
            Assert.Equal(portable || !GemmKernel.UsesFma, !Gemm.LastRunOnThisThreadWasVector);
        }
        finally { Gemm.PortableOnThisThread = false; }
        AssertClose(Reference(a, b, transA, transB, m, n, k), new Matrix(c, m, n), k, "at the scratch limits");
        for (long i = 0; i < bOffset; i++) Assert.Equal(canary, storage[i]);
        for (long i = bOffset + Gemm.ScratchBFloats; i < tileOffset; i++) Assert.Equal(canary, storage[i]);
        for (long i = tileEnd; i < storage.Length; i++) Assert.Equal(canary, storage[i]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void Portable_kernel_computes_the_tile_from_packed_panels(bool add)
    {
        const int kc = 37, mr = GemmKernel.Mr, nr = GemmKernel.Nr, ldc = 21;
        float[] a = GradientCheck.Random(kc, mr, 16).AsSpan().ToArray(); // packed: for each p, Mr values
        float[] b = GradientCheck.Random(kc, nr, 17).AsSpan().ToArray(); // packed: for each p, Nr values
        float[] c = GradientCheck.Random(mr, ldc, 18).AsSpan().ToArray();
        float[] before = (float[])c.Clone();
        fixed (float* pa = a, pb = b, pc = c) GemmKernel.TilePortable(kc, pa, pb, pc, ldc, add);
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < ldc; j++)
            {
                double expected = j < nr ? (add ? before[i * ldc + j] : 0) : before[i * ldc + j];
                if (j < nr) for (int p = 0; p < kc; p++) expected += (double)a[p * mr + i] * b[p * nr + j];
                Assert.True(Math.Abs(expected - c[i * ldc + j]) < 1e-4, $"({i}, {j}): expected {expected}, got {c[i * ldc + j]}");
            }
    }

    [FmaTheory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void Fma_kernel_variants_give_the_full_kernels_bits_and_touch_only_their_rows(bool add)
    {
        const int kc = 41, mr = GemmKernel.Mr, nr = GemmKernel.Nr, ldb = 23, ldc = 19;
        float[] a = GradientCheck.Random(kc, mr, 19).AsSpan().ToArray();
        float[] source = GradientCheck.Random(kc, ldb, 20).AsSpan().ToArray(); // row-major B, Nr of its columns used
        float[] b = new float[kc * nr];
        for (int p = 0; p < kc; p++) Array.Copy(source, p * ldb, b, p * nr, nr);
        float[] start = GradientCheck.Random(mr, ldc, 21).AsSpan().ToArray();
        float[] full = (float[])start.Clone(), packing = (float[])start.Clone(), four = (float[])start.Clone();
        float[] packedB = new float[kc * nr];
        fixed (float* pa = a, pb = b, ps = source, pp = packedB, c0 = full, c1 = packing, c2 = four)
        {
            GemmKernel.Tile(kc, pa, pb, c0, ldc, add, fma: true);
            GemmKernel.TilePackingB(kc, pa, ps + 2, ldb, pp, c1, ldc, add); // columns 2..17 of the source
            GemmKernel.TileFourRows(kc, pa, pb, c2, ldc, add);
        }
        float[] shifted = new float[kc * nr];
        for (int p = 0; p < kc; p++) Array.Copy(source, p * ldb + 2, shifted, p * nr, nr);
        Assert.Equal(shifted, packedB); // the panel it packed on the way
        var expected = new float[mr * ldc];
        fixed (float* pa = a, pb = shifted, pc = expected)
        {
            Array.Copy(start, expected, start.Length);
            GemmKernel.Tile(kc, pa, pb, pc, ldc, add, fma: true);
        }
        Assert.Equal(expected, packing);
        for (int i = 0; i < mr; i++)
            for (int j = 0; j < ldc; j++)
            {
                float want = i < 4 ? full[i * ldc + j] : start[i * ldc + j]; // rows 4 and 5 untouched
                Assert.Equal(want, four[i * ldc + j]);
            }
        Assert.NotEqual(start, four);
    }
}
