using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Samples.Output;

/// <summary>
/// Applies <c>--threads</c> to the library's parallelism setting for the length of a run (a
/// <see cref="DegreeOfParallelism.Override"/> scope, so concurrent runs in one process keep their own) and restores it
/// afterwards. Results do not depend on it: the library gives the same numbers at any thread count.
/// </summary>
internal sealed class ThreadLimit : IDisposable
{
    private readonly DegreeOfParallelism.Scope? _scope;

    private ThreadLimit(int? threads)
    {
        Threads = threads ?? DegreeOfParallelism.Current;
        if (threads is int n) _scope = DegreeOfParallelism.Override(n);
    }

    /// <summary>The thread limit of the run.</summary>
    public int Threads { get; }

    public static ThreadLimit Apply(int? threads) => new(threads);

    public void Dispose() => _scope?.Dispose();
}
