using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Tests.Engine;

public class WorkerPoolTests
{
    private sealed class CountingWork(int parts) : IPartitionedWork
    {
        public readonly int[] Runs = new int[parts];

        public void RunPart(int part, int count)
        {
            Assert.Equal(Runs.Length, count);
            Interlocked.Increment(ref Runs[part]);
            Thread.SpinWait(200);
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
                pool.Run(work, work.Runs.Length);
                Assert.All(work.Runs, r => Assert.Equal(1, r));
            }
        }
        await Task.WhenAll(Task.Run(Many), Task.Run(Many), Task.Run(Many));
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
        Assert.Equal("part 2 failed", Assert.Throws<InvalidOperationException>(() => pool.Run(new FailingWork(), 5)).Message);
        var work = new CountingWork(4);
        pool.Run(work, 4);
        Assert.All(work.Runs, r => Assert.Equal(1, r));
    }
}
