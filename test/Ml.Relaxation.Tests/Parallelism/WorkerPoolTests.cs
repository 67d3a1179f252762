using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Tests.Reliability;

namespace Ml.Relaxation.Tests.Parallelism;

public class WorkerPoolTests
{
    private sealed class CountingWork(int parts, bool spin = true) : IPartitionedWork
    {
        public readonly int[] Runs = new int[parts];
        private int _running;

        /// <summary>The most parts that ran at the same moment.</summary>
        public int MostAtOnce;

        public void RunPart(int part, int count)
        {
            Assert.Equal(Runs.Length, count);
            int running = Interlocked.Increment(ref _running);
            for (int seen; running > (seen = Volatile.Read(ref MostAtOnce)) && Interlocked.CompareExchange(ref MostAtOnce, running, seen) != seen;) { }
            Interlocked.Increment(ref Runs[part]);
            if (spin) Thread.SpinWait(200);
            Interlocked.Decrement(ref _running);
        }
    }

    [Fact]
    public async Task Every_part_runs_exactly_once_over_many_jobs_and_concurrent_callers()
    {
        var pool = new WorkerPool(3);
        void Many()
        {
            for (int job = 0; job < 300; job++)
            {
                var work = new CountingWork(1 + job % 9);
                pool.Run(work, work.Runs.Length, 4);
                Assert.All(work.Runs, r => Assert.Equal(1, r));
            }
        }
        await Task.WhenAll(Task.Run(Many), Task.Run(Many), Task.Run(Many));
    }

    [Fact]
    public async Task Back_to_back_jobs_from_concurrent_callers_never_run_a_part_twice()
    {
        // A worker leaving a finished job could once read the next job's fields with the old state and claim a part of
        // the new job under it: that part ran twice and the caller then waited forever. Many short jobs of varying
        // size and thread count make that window likely (it showed within seconds); a watchdog turns a hang into a failure.
        var pool = new WorkerPool(3);
        var until = DateTime.UtcNow.AddSeconds(1.5);
        int jobs = 0;
        void Many()
        {
            for (int j = 0; DateTime.UtcNow < until; j++)
            {
                var work = new CountingWork(1 + j % 9, spin: false);
                pool.Run(work, work.Runs.Length, 1 + j % 4);
                Assert.All(work.Runs, r => Assert.Equal(1, r));
                Interlocked.Increment(ref jobs);
            }
        }
        var callers = Task.WhenAll(Task.Run(Many), Task.Run(Many), Task.Run(Many));
        var finished = await Task.WhenAny(callers, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == callers, $"a job never finished (after {jobs} jobs)");
        await callers; // rethrows an assertion failure from a caller
    }

    private sealed class FailingWork : IPartitionedWork
    {
        public void RunPart(int part, int parts)
        {
            if (part == 2) throw new InvalidOperationException("part 2 failed");
        }
    }

    [Fact]
    public void A_failing_part_rethrows_on_the_caller_and_the_pool_keeps_working()
    {
        var pool = new WorkerPool(2);
        Assert.Equal("part 2 failed", Assert.Throws<InvalidOperationException>(() => pool.Run(new FailingWork(), 5, 3)).Message);
        var work = new CountingWork(4);
        pool.Run(work, 4, 3);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void No_more_threads_than_asked_for_run_parts_at_once(int threads)
    {
        // Three workers could all join (they spin after each job); only `threads` may (the caller included).
        var pool = new WorkerPool(3);
        int most = 0;
        for (int job = 0; job < 200; job++)
        {
            var work = new CountingWork(16);
            pool.Run(work, 16, threads);
            Assert.All(work.Runs, r => Assert.Equal(1, r));
            most = Math.Max(most, work.MostAtOnce);
        }
        Assert.InRange(most, 1, threads);
    }

    private sealed class TallyWork(int parts) : IPartitionedWork
    {
        public readonly int[] Runs = new int[parts];

        public void RunPart(int part, int count) => Interlocked.Increment(ref Runs[part]);
    }

    private sealed class BlockingWork(ManualResetEventSlim started, ManualResetEventSlim release) : IPartitionedWork
    {
        public void RunPart(int part, int parts)
        {
            started.Set();
            release.Wait();
        }
    }

    [Fact]
    public void A_caller_that_finds_the_pool_busy_runs_its_parts_alone_and_allocates_nothing()
    {
        // Tests run in parallel and share the process-wide pool: a caller warmed up on a free pool that then finds it
        // busy runs every part itself, and must still allocate nothing (the kernels' allocation tests depend on it).
        var pool = new WorkerPool(1);
        var work = new TallyWork(4);
        for (int i = 0; i < 3; i++) pool.Run(work, 4, 2); // warm-up on a free pool
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() => pool.Run(new BlockingWork(started, release), 2, 2)) { IsBackground = true };
        holder.Start();
        try
        {
            Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "the holding job did not start");
            Allocations.AssertNoneAfterWarmUp(() => pool.Run(work, 4, 2));
            Assert.All(work.Runs, runs => Assert.True(runs >= 9, $"a part ran {runs} times")); // every part, every call
        }
        finally
        {
            release.Set();
            Assert.True(holder.Join(TimeSpan.FromSeconds(30)), "the holding job did not finish");
        }
    }
}
