using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Tests.Reliability;

/// <summary>
/// Same seed, same fitted parameters, bit for bit, at any thread count.
/// </summary>
/// <remarks>
/// Use from an estimator's tests with a delegate that fits with a fixed seed at the given degree of parallelism and
/// returns every learned parameter, flattened:
/// <code>
/// Determinism.AssertBitIdentical(threads => Determinism.AtThreads(threads, () =>
/// {
///     var model = ctx.Relaxation().SelectFeaturesWithGates(new GatedFeatureSelectorOptions { Seed = 7 }).Fit(data);
///     return model.LogAlpha.ToArray();
/// }));
/// </code>
/// It fits at 1 thread twice (same seed twice must agree) and at each other count (default 2), and compares the raw
/// bits of every value (so -0 vs 0 and different NaN payloads count as differences). <see cref="AtThreads{T}"/> sets
/// the library's one parallelism setting (<see cref="DegreeOfParallelism"/>) for the fit. The kernels only split work above a size threshold (matrix
/// products: 2^17 multiply-adds per extra thread; relaxation kernels: 32K elements per thread), so give the fit
/// batches large enough to cross them, or the threaded paths are never compared.
/// </remarks>
public static class Determinism
{
    /// <summary>
    /// Runs <paramref name="fit"/> with <see cref="DegreeOfParallelism.Override"/> set to <paramref name="threads"/>: the
    /// override holds for this test's thread and the tasks it starts only, so tests running in parallel keep theirs.
    /// </summary>
    public static T AtThreads<T>(int threads, Func<T> fit)
    {
        using var scope = DegreeOfParallelism.Override(threads);
        return fit();
    }

    /// <summary>Fails unless every fit returns bit-identical parameters; <paramref name="threadCounts"/> defaults to 2.</summary>
    public static void AssertBitIdentical(Func<int, IReadOnlyList<float>> fitWithThreads, params int[] threadCounts)
    {
        ArgumentNullException.ThrowIfNull(fitWithThreads);
        var reference = fitWithThreads(1).ToArray();
        Assert.True(reference.Length > 0, "The fit returned no parameters to compare.");
        Compare(reference, fitWithThreads(1).ToArray(), "a second fit at 1 thread");
        foreach (int threads in threadCounts.Length == 0 ? [2] : threadCounts)
            Compare(reference, fitWithThreads(threads).ToArray(), $"a fit at {threads} threads");
    }

    private static void Compare(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what} returned {actual.Length} parameters, the first fit {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]), a = BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(e == a, $"{what} differs at parameter {i}: {actual[i]:R} (0x{a:X8}) vs {expected[i]:R} (0x{e:X8}) at 1 thread.");
        }
    }
}
