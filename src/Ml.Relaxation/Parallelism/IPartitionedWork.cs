namespace Ml.Relaxation.Parallelism;

/// <summary>
/// Work split into numbered parts that can run in any order on any thread. Deterministic results need each part to
/// compute a fixed piece of the output in a fixed way, whichever thread runs it.
/// </summary>
internal interface IPartitionedWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    void RunPart(int part, int parts);
}
