namespace Ml.Relaxation.Parallelism;

/// <summary>
/// The most threads one call of the library may use: matrix products, the optimizers' updates and the relaxation
/// samplers all read this one setting. Results never depend on it: work is split so that every output element is
/// computed the same way by whichever thread runs it, so any setting gives the same bits.
/// </summary>
/// <remarks>
/// <para><see cref="Maximum"/> is the process-wide default. <see cref="Override"/> replaces it for the current thread
/// and the tasks it starts (an <see cref="AsyncLocal{T}"/> scope), and only until the scope is disposed, so code on
/// other threads, e.g. tests running in parallel or another request of a server, keeps its own setting.</para>
/// <code>
/// using (DegreeOfParallelism.Override(1))
/// {
///     model = pipeline.Fit(data); // this fit runs on the calling thread only
/// }
/// </code>
/// </remarks>
public static class DegreeOfParallelism
{
    private static volatile int _maximum = Environment.ProcessorCount;
    private static readonly AsyncLocal<int> _override = new();

    /// <summary>The process-wide default, at least 1 (initially the processor count). Setting it affects every thread without an <see cref="Override"/>.</summary>
    public static int Maximum
    {
        get => _maximum;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Maximum));
            _maximum = value;
        }
    }

    /// <summary>The setting in force here: the innermost <see cref="Override"/> of this thread or task, otherwise <see cref="Maximum"/>.</summary>
    public static int Current
    {
        get
        {
            int scoped = _override.Value;
            return scoped > 0 ? scoped : _maximum;
        }
    }

    /// <summary>
    /// Uses at most <paramref name="threads"/> threads in calls made by this thread and the tasks it starts, until the
    /// returned scope is disposed (scopes nest; disposing restores the setting that was in force before).
    /// </summary>
    /// <param name="threads">At least 1.</param>
    public static Scope Override(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(threads));
        int previous = _override.Value;
        _override.Value = threads;
        return new Scope(previous);
    }

    /// <summary>An <see cref="Override"/> in force until disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int _previous;

        internal Scope(int previous) => _previous = previous;

        /// <summary>Restores the setting in force before the override.</summary>
        public void Dispose() => _override.Value = _previous;
    }
}
