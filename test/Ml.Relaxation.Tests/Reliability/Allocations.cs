namespace Ml.Relaxation.Tests.Reliability;

/// <summary>Asserts that code allocates nothing on the calling thread once warmed up.</summary>
internal static class Allocations
{
    /// <summary>
    /// Warms <paramref name="step"/> up, then runs it in windows of <paramref name="stepsPerWindow"/> calls and passes
    /// when one window of up to five allocates nothing on this thread. An allocation per call shows in every window.
    /// The runtime rarely charges a thread a few KB it did not ask for while other tests run in parallel (seen once
    /// as 8160 bytes in five full runs of the suite, in a test that passes alone and under GC and pool contention),
    /// so a single window would make a flaky test.
    /// </summary>
    public static void AssertNoneAfterWarmUp(Action step, int stepsPerWindow = 3)
    {
        for (int i = 0; i < 3; i++) step();
        long allocated = long.MaxValue;
        for (int window = 0; window < 5 && allocated != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < stepsPerWindow; i++) step();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, allocated);
    }
}
