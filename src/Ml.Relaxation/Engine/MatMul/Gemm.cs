using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Engine;

/// <summary>
/// The blocked, packed product behind <see cref="MatMul"/>: C[M x N] (+)= op(A) op(B). First all of op(A) is packed
/// into micro-panels (by all threads, a range of row panels each, once A has <see cref="MinParallelPackFloats"/>
/// floats); then parts, each
/// owning a range of whole tile columns (or, when C is narrow, tile rows), pack their own slice of op(B) per k-chunk
/// (an untransposed B as the first row tile reads it, see <see cref="GemmKernel.TilePackingB"/>) and
/// run the tiles in the GotoBLAS/BLIS order: column blocks of <see cref="Nc"/>, k-chunks of at most
/// <see cref="KcMax"/> (<see cref="KcMaxFewRows"/> when A has few rows), row blocks of <see cref="Mc"/> (L2), tile
/// columns (B micro-panel in L1), tile rows.
/// The k-chunks depend only on the shape, and every tile is computed the same way wherever it lies, so the result does not
/// depend on the number of threads or parts. There are more parts than threads, and column parts shrink towards the
/// end (see <see cref="ColumnParts"/>), so when a core is slow or a worker late (a busy machine) the other threads take
/// over its share down to a tile column or two. Packing buffers and the job object are reused per thread: a call
/// allocates nothing after warm-up.
/// </summary>
internal sealed unsafe class Gemm : IPartitionedWork
{
    /// <summary>Rows of packed A per block: 20 micro-panels, 120 x 256 floats = 120 KiB, resident in L2.</summary>
    public const int Mc = 120;

    /// <summary>Columns of B packed per block: 16 micro-panels, at most 256 KiB, so the B block stays in L2 with the A block.</summary>
    public const int Nc = 256;

    /// <summary>Longest k-chunk: a B micro-panel of 256 x 16 floats = 16 KiB stays in L1 while the A block streams past.</summary>
    public const int KcMax = 256;

    /// <summary>
    /// Longest k-chunk when op(A) has at most <see cref="Mc"/> rows (the 100-row products of a training step). Each B
    /// micro-panel then serves only one column of row tiles, so it may outgrow L1 and stream from L2, while every extra
    /// chunk is another pass that reads and writes C: 512 instead of 256 was 3-4% faster at 100x784x512, 100x512x256 and
    /// A*B^T 100x512x784; one chunk of 784 instead of two of 392 at 100x784x512 another 3-4% (1 and 2 threads). The
    /// per-thread B buffer holds this many rows of <see cref="Nc"/> columns (1 MiB).
    /// </summary>
    public const int KcMaxFewRows = 1024;

    /// <summary>Products below this many multiply-adds per extra thread run on the caller alone.</summary>
    public const long MinWorkPerThread = 1L << 17;

    /// <summary>
    /// Test hook: products started on this thread use the portable kernel and packing, as on a machine without
    /// AVX2/FMA (e.g. ARM64), so that path is tested end to end here too.
    /// </summary>
    [ThreadStatic] internal static bool PortableOnThisThread;

    /// <summary>Test hook: whether the last product started on this thread ran the AVX2/FMA kernel and packing.</summary>
    internal static bool LastRunOnThisThreadWasVector => t_job?._vector ?? false;

    /// <summary>
    /// Test hook: this thread's scratch storage (created if needed) and the addresses of the B packing buffer
    /// (<see cref="ScratchBFloats"/> floats) and the scratch tile (<see cref="ScratchTileFloats"/> floats) inside it,
    /// so a test can check that both lie in the pinned array, 64-byte aligned, and that products write nothing around them.
    /// </summary>
    internal static (float[] Storage, nint B, nint Tile) ScratchOnThisThread()
    {
        Buffers buffers = t_buffers ??= new Buffers();
        return (buffers.Storage, (nint)buffers.B, (nint)buffers.Tile);
    }

    /// <summary>Floats of the per-thread B packing buffer: the longest k-chunk times a column block.</summary>
    internal const int ScratchBFloats = KcMaxFewRows * Nc;

    /// <summary>Floats of the per-thread scratch tile for edge tiles.</summary>
    internal const int ScratchTileFloats = GemmKernel.Mr * GemmKernel.Nr;

    /// <summary>
    /// When op(A) has more rows than <see cref="Mc"/>, the widest column part is a 1/<see cref="PartsPerThread"/> share
    /// of a thread's tile columns: a part reuses each row block of A from L2 across its columns, so wide parts read A
    /// fewer times, and the parts after the widest shrink (see <see cref="ColumnParts"/>). With at most Mc rows every
    /// tile column reads the whole A chunk anyway, so parts are single tile columns.
    /// </summary>
    public const int PartsPerThread = 4;

    /// <summary>
    /// <see cref="PartsPerThread"/> when the packed A is larger than <see cref="PackedAInL2Bytes"/>: every part streams
    /// all of the packed A from L3 once per column block, so fewer, wider parts read it fewer times (1024^3: 4-7% faster
    /// than 4).
    /// </summary>
    public const int PartsPerThreadLargeA = 2;

    /// <summary>
    /// The packed A that stays in a core's L2 cache (512 KiB on the Zen 3 we measured) across the parts of one thread.
    /// Up to this size, streaming A again per part is cheap and more parts balance a late core better: the 320 KB A of
    /// 100x784x512 and the 314 KB A of 784x100x512 ran 4-8% faster with 4 parts per thread than with 2.
    /// </summary>
    public const long PackedAInL2Bytes = 512 * 1024;

    [ThreadStatic] private static Gemm? t_job;
    [ThreadStatic] private static Buffers? t_buffers;

    private bool _transA, _transB, _accumulate, _splitColumns, _packing, _vector;
    private int _m, _n, _k, _chunks;
    private int[] _partStarts = new int[64]; // first tile column of each column part, then the end
    private float[]? _a, _b, _c;
    private float[] _packedA = [];
    private GCHandle _packedAHandle;

    /// <summary>C[M x N] (+)= op(A) op(B); A is [M x K] ([K x M] when transposed), B is [K x N] ([N x K] when transposed).</summary>
    public static void Run(bool transA, bool transB, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate, int threads)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c.AsSpan(0, m * n).Clear();
            return;
        }
        Gemm job = t_job ??= new Gemm();
        job._transB = transB;
        job._accumulate = accumulate;
        job._m = m;
        job._n = n;
        job._k = k;
        int kcMax = m <= Mc ? KcMaxFewRows : KcMax;
        job._chunks = (k + kcMax - 1) / kcMax;
        job._b = b;
        job._c = c;
        job._a = a;
        job._transA = transA;
        job._vector = GemmKernel.UsesFma && !PortableOnThisThread;
        int parts = job.Plan(threads);
        try
        {
            job.EnsurePackedACapacity();
            int packParts = parts == 1 ? 1 : job.PackParts(threads);
            job._packing = true;
            if (packParts == 1) job.PackPartOfA(0, 1);
            else WorkerPool.Shared.Run(job, packParts, threads);
            job._packing = false;
            if (parts == 1) job.RunPart(0, 1);
            else WorkerPool.Shared.Run(job, parts, threads);
        }
        finally
        {
            job._packing = false;
            job._a = job._b = job._c = null; // do not keep the caller's arrays alive
        }
    }

    /// <summary>Start of k-chunk <paramref name="q"/>: chunks are as equal as possible and depend on the shape alone.</summary>
    private int ChunkStart(int q) => (int)((long)_k * q / _chunks);

    private int PaddedRows => (_m + GemmKernel.Mr - 1) / GemmKernel.Mr * GemmKernel.Mr;

    /// <summary>Grows the packed-A buffer to hold all of op(A): chunk q holds its row micro-panels at offset PaddedRows * k0.</summary>
    private void EnsurePackedACapacity()
    {
        long needed = (long)PaddedRows * _k + 16;
        if (_packedA.Length >= needed) return;
        if (_packedAHandle.IsAllocated) _packedAHandle.Free();
        _packedA = GC.AllocateUninitializedArray<float>(checked((int)Math.Max(needed, _packedA.Length * 2L)), pinned: true);
        _packedAHandle = GCHandle.Alloc(_packedA, GCHandleType.Pinned);
    }

    /// <summary>Parts for packing A: one per thread once A is large enough that packing it alone would idle the others.</summary>
    private int PackParts(int threads)
    {
        int panels = PaddedRows / GemmKernel.Mr;
        return (long)_m * _k < MinParallelPackFloats ? 1 : Math.Min(threads, panels);
    }

    /// <summary>
    /// Below this many floats of A the caller packs it alone. A 100 x 256 A takes about 5 microseconds to pack, against
    /// about 1 microsecond to hand work to the pool, so even the small A of a training step is packed in parallel.
    /// </summary>
    public const long MinParallelPackFloats = 1L << 14;

    /// <summary>Packs the row micro-panels of part <paramref name="part"/> of op(A), in every k-chunk.</summary>
    private void PackPartOfA(int part, int parts)
    {
        int panels = PaddedRows / GemmKernel.Mr;
        int i0 = (int)((long)panels * part / parts) * GemmKernel.Mr, i1 = Math.Min(_m, (int)((long)panels * (part + 1) / parts) * GemmKernel.Mr);
        if (i0 >= i1) return;
        float* packed = PackedA;
        fixed (float* pa = _a)
        {
            for (int q = 0; q < _chunks; q++)
            {
                int k0 = ChunkStart(q), kc = ChunkStart(q + 1) - k0;
                GemmPacking.PackA(pa, _transA, _m, _k, i0, i1 - i0, k0, kc, packed + (long)PaddedRows * k0 + (long)i0 * kc, _vector);
            }
        }
    }

    /// <summary>The packed A, 64-byte aligned.</summary>
    private float* PackedA => (float*)(((nint)_packedAHandle.AddrOfPinnedObject() + 63) & ~(nint)63);

    /// <summary>Chooses how many parts and which dimension of C to split (performance only: any choice gives the same bits).</summary>
    private int Plan(int threads)
    {
        long work = (long)_m * _n * _k;
        int useful = (int)Math.Clamp(work / MinWorkPerThread, 1, threads);
        if (useful == 1) return 1;
        int panelsN = (_n + GemmKernel.Nr - 1) / GemmKernel.Nr, panelsM = (_m + GemmKernel.Mr - 1) / GemmKernel.Mr;
        // Column parts share the packed A and each packs only its own columns of B; row parts would each pack all of B,
        // so rows are split only when C is too narrow to give every thread two tile columns, and then once per thread.
        _splitColumns = panelsN >= 2 * useful;
        if (!_splitColumns) return Math.Min(useful, panelsM);
        int perThread = (long)PaddedRows * _k * sizeof(float) > PackedAInL2Bytes ? PartsPerThreadLargeA : PartsPerThread;
        int widest = _m <= Mc ? 1 : (panelsN + useful * perThread - 1) / (useful * perThread);
        return ColumnParts(panelsN, useful, widest, ref _partStarts);
    }

    /// <summary>
    /// Cuts <paramref name="tiles"/> tile columns into parts for <paramref name="threads"/> threads by guided
    /// self-scheduling: each part takes ceil(remaining / (2 threads)) tile columns, at most <paramref name="widest"/>, so
    /// the parts claimed last are a column or two and the threads finish together even when one core runs slower (the
    /// 2-core VM we measured has spells at half speed). Writes the first tile column of each part and then
    /// <paramref name="tiles"/> into <paramref name="starts"/> (grown if needed) and returns the number of parts.
    /// </summary>
    internal static int ColumnParts(int tiles, int threads, int widest, ref int[] starts)
    {
        int parts = 0;
        for (int done = 0; done < tiles; parts++)
        {
            if (parts + 2 > starts.Length) Array.Resize(ref starts, starts.Length * 2);
            starts[parts] = done;
            done += Math.Clamp((tiles - done + 2 * threads - 1) / (2 * threads), 1, widest);
        }
        starts[parts] = tiles;
        return parts;
    }

    /// <inheritdoc/>
    public void RunPart(int part, int parts)
    {
        if (_packing)
        {
            PackPartOfA(part, parts);
            return;
        }
        int i0 = 0, i1 = _m, j0 = 0, j1 = _n;
        if (parts > 1)
        {
            if (_splitColumns)
            {
                j0 = _partStarts[part] * GemmKernel.Nr;
                j1 = Math.Min(_n, _partStarts[part + 1] * GemmKernel.Nr);
            }
            else
            {
                Split(_m, GemmKernel.Mr, part, parts, out i0, out i1);
            }
        }
        if (i0 < i1 && j0 < j1) Compute(i0, i1, j0, j1);
    }

    /// <summary>Range of part <paramref name="part"/> when <paramref name="length"/> is cut into whole tiles of <paramref name="tile"/>.</summary>
    private static void Split(int length, int tile, int part, int parts, out int start, out int end)
    {
        int tiles = (length + tile - 1) / tile;
        start = Math.Min(length, (int)((long)tiles * part / parts) * tile);
        end = Math.Min(length, (int)((long)tiles * (part + 1) / parts) * tile);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Compute(int i0, int i1, int j0, int j1)
    {
        Buffers buffers = t_buffers ??= new Buffers();
        int n = _n, k = _k, paddedRows = PaddedRows;
        float* packedA = PackedA, packB = buffers.B, tile = buffers.Tile;
        fixed (float* b = _b, c = _c)
        {
            for (int jc = j0; jc < j1; jc += Nc)
            {
                int nc = Math.Min(Nc, j1 - jc);
                for (int q = 0; q < _chunks; q++)
                {
                    int k0 = ChunkStart(q), kc = ChunkStart(q + 1) - k0;
                    bool add = _accumulate || q > 0;
                    // A full micro-panel of an untransposed B is packed by the first row tile as it computes, instead
                    // of in a pass of its own: with only 100 rows of A, that pass was about 8% of a product's time.
                    bool fuse = _vector && !_transB && i1 - i0 >= GemmKernel.Mr;
                    int fullCols = fuse ? nc / GemmKernel.Nr * GemmKernel.Nr : 0;
                    if (fullCols < nc) GemmPacking.PackB(b, _transB, n, k, k0, kc, jc + fullCols, nc - fullCols, packB + (long)fullCols * kc, _vector);
                    float* chunkA = packedA + (long)paddedRows * k0;
                    for (int ic = i0; ic < i1; ic += Mc)
                    {
                        int mc = Math.Min(Mc, i1 - ic);
                        for (int jr = 0; jr < nc; jr += GemmKernel.Nr)
                        {
                            int cols = Math.Min(GemmKernel.Nr, nc - jr);
                            float* pb = packB + (long)jr * kc;
                            for (int ir = 0; ir < mc; ir += GemmKernel.Mr)
                            {
                                int rows = Math.Min(GemmKernel.Mr, mc - ir);
                                float* pa = chunkA + (long)(ic + ir) * kc;
                                float* ct = c + (long)(ic + ir) * n + jc + jr;
                                if (ic == i0 && ir == 0 && jr < fullCols)
                                {
                                    GemmKernel.TilePackingB(kc, pa, b + (long)k0 * n + jc + jr, n, pb, ct, n, add);
                                    continue;
                                }
                                if (rows == GemmKernel.Mr && cols == GemmKernel.Nr)
                                {
                                    GemmKernel.Tile(kc, pa, pb, ct, n, add, _vector);
                                    continue;
                                }
                                bool fourRows = rows <= 4 && _vector;
                                if (fourRows && rows == 4 && cols == GemmKernel.Nr)
                                {
                                    GemmKernel.TileFourRows(kc, pa, pb, ct, n, add);
                                    continue;
                                }
                                // Edge tile: same arithmetic into a scratch tile, then the same single add or store.
                                if (fourRows) GemmKernel.TileFourRows(kc, pa, pb, tile, GemmKernel.Nr, false);
                                else GemmKernel.Tile(kc, pa, pb, tile, GemmKernel.Nr, false, _vector);
                                for (int r = 0; r < rows; r++)
                                    for (int s = 0; s < cols; s++)
                                        ct[(long)r * n + s] = add ? ct[(long)r * n + s] + tile[r * GemmKernel.Nr + s] : tile[r * GemmKernel.Nr + s];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>One thread's B packing buffer and scratch tile, pinned and 64-byte aligned, allocated once per thread.</summary>
    private sealed class Buffers
    {
        public Buffers()
        {
            int b = ScratchBFloats, t = ScratchTileFloats;
            Storage = GC.AllocateUninitializedArray<float>(b + t + 16, pinned: true);
            float* aligned = (float*)(((nint)Unsafe.AsPointer(ref Storage[0]) + 63) & ~(nint)63);
            B = aligned;
            Tile = aligned + b;
        }

        /// <summary>The pinned array that holds both, with up to 15 floats of alignment slack.</summary>
        public float[] Storage { get; }

        public float* B { get; }

        public float* Tile { get; }
    }
}
