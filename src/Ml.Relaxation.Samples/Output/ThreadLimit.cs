using Ml.Relaxation.Engine;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Samples.Output;

/// <summary>
/// Applies <c>--threads</c> to the library's two process-wide parallelism settings for the length of a run and
/// restores them afterwards (only when given: a run without it leaves them alone). Results do not depend on them:
/// the library gives the same numbers at any thread count.
/// </summary>
internal sealed class ThreadLimit : IDisposable
{
    private readonly (int MatMul, int Relaxations)? _previous;

    private ThreadLimit(int? threads)
    {
        Threads = threads ?? MatMul.MaxDegreeOfParallelism;
        if (threads is not int n) return;
        _previous = (MatMul.MaxDegreeOfParallelism, RelaxationParallelism.MaxDegreeOfParallelism);
        MatMul.MaxDegreeOfParallelism = n;
        RelaxationParallelism.MaxDegreeOfParallelism = n;
    }

    /// <summary>The thread limit of the run.</summary>
    public int Threads { get; }

    public static ThreadLimit Apply(int? threads) => new(threads);

    public void Dispose()
    {
        if (_previous is not var (matMul, relaxations)) return;
        MatMul.MaxDegreeOfParallelism = matMul;
        RelaxationParallelism.MaxDegreeOfParallelism = relaxations;
    }
}
