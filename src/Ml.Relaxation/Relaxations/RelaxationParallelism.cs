using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// How the relaxation kernels split a large batch across threads (at most <see cref="DegreeOfParallelism.Current"/>).
/// Results do not depend on it: every element takes its random draws at a fixed offset from the position reserved for
/// the call, so any split of the rows gives the same output bit for bit.
/// </summary>
internal static class RelaxationParallelism
{
    /// <summary>Below this many elements per thread the threading overhead outweighs the work.</summary>
    public const int MinElementsPerThread = 32 * 1024;
}

/// <summary>A kernel over a range of rows; returns the first row it could not process (e.g. all masked), or -1.</summary>
internal interface IRowKernel
{
    int Run(int rowStart, int rowEnd);
}

/// <summary>Runs an <see cref="IRowKernel"/> over all rows, split into contiguous ranges across threads.</summary>
internal static class RowParallel
{
    /// <summary>Runs <paramref name="kernel"/> on rows [0, <paramref name="rows"/>); returns the first failing row, or -1.</summary>
    public static int Run<TKernel>(TKernel kernel, int rows, int elementsPerRow) where TKernel : struct, IRowKernel
    {
        long total = (long)rows * Math.Max(1, elementsPerRow);
        int threads = (int)Math.Min(Math.Min(DegreeOfParallelism.Current, rows),
                                    Math.Max(1, total / RelaxationParallelism.MinElementsPerThread));
        if (threads <= 1) return kernel.Run(0, rows);
        // A few chunks per thread, claimed dynamically, so a thread that the OS descheduled does not hold up the call.
        int chunks = (int)Math.Min(Math.Min(rows, 4L * threads), Math.Max(threads, total / RelaxationParallelism.MinElementsPerThread));
        // The worker pool rather than Parallel.For: no allocation per call, and no thread-pool thread left
        // spinning on one of two cores afterwards. One job object per calling thread and kernel type, reused.
        var job = RowJob<TKernel>.ForThisThread ??= new RowJob<TKernel>();
        job.Kernel = kernel;
        job.Rows = rows;
        job.FirstBad = int.MaxValue;
        try
        {
            WorkerPool.Shared.Run(job, chunks, threads);
        }
        finally
        {
            job.Kernel = default; // drop the kernel's references (e.g. the random source)
        }
        return job.FirstBad == int.MaxValue ? -1 : job.FirstBad;
    }

    private sealed class RowJob<TKernel> : IPartitionedWork where TKernel : struct, IRowKernel
    {
        [ThreadStatic] public static RowJob<TKernel>? ForThisThread;
        public TKernel Kernel;
        public int Rows, FirstBad;

        public void RunPart(int chunk, int chunks)
        {
            int r0 = (int)((long)Rows * chunk / chunks), r1 = (int)((long)Rows * (chunk + 1) / chunks);
            int bad = Kernel.Run(r0, r1);
            if (bad < 0) return;
            int seen;
            while (bad < (seen = Volatile.Read(ref FirstBad)) && Interlocked.CompareExchange(ref FirstBad, bad, seen) != seen) { }
        }
    }
}
