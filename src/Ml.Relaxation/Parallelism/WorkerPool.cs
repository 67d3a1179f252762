using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Ml.Relaxation.Parallelism;

/// <summary>
/// A small pool of dedicated threads for the engine's short parallel loops (a 100-row product takes tens of
/// microseconds, where <see cref="Parallel.For(int, int, Action{int})"/> costs microseconds and allocates per call).
/// The caller runs parts itself and idle workers claim the rest from a shared counter, so a worker that the OS has
/// not scheduled yet delays nothing: the caller simply takes its parts. Workers spin for <see cref="SpinMicroseconds"/>
/// after a job, waiting for the next, then block. One job runs at a time; a concurrent caller runs its parts alone.
/// A part may call <see cref="Run"/> again: that nested job runs on the thread that asked for it.
/// At most the number of threads the caller asks for compute a job at once (a worker still spinning after a wider job
/// does not join): more threads than cores would only be time-sliced, and a part held by a descheduled thread delays
/// the whole job.
/// </summary>
internal sealed class WorkerPool
{
    private readonly object _gate = new();
    private readonly ManualResetEventSlim[] _wake;
    private readonly Thread?[] _threads;
    private IPartitionedWork? _work;
    private int _parts;
    private long _state; // generation << 32 | next unclaimed part
    private long _seats; // generation << 32 | most threads << 16 | threads computing (the caller included)
    private int _remaining;
    private ExceptionDispatchInfo? _failure;

    /// <summary>The process-wide pool: one worker per processor beyond the caller's.</summary>
    public static WorkerPool Shared { get; } = new(Math.Max(0, Environment.ProcessorCount - 1));

    /// <summary>Creates a pool of <paramref name="workers"/> threads, started on first use.</summary>
    public WorkerPool(int workers)
    {
        _wake = new ManualResetEventSlim[workers];
        _threads = new Thread?[workers];
        for (int i = 0; i < workers; i++) _wake[i] = new ManualResetEventSlim(false, 0);
    }

    /// <summary>Worker threads (the caller adds one more).</summary>
    public int WorkerCount => _threads.Length;

    /// <summary>How long an idle worker polls for the next job before blocking. Default 50 microseconds.</summary>
    public static double SpinMicroseconds { get; set; } = 50;

    /// <summary>Runs all parts of <paramref name="work"/> on at most <paramref name="threads"/> threads (the caller's included) and returns when they are done.</summary>
    public void Run(IPartitionedWork work, int parts, int threads)
    {
        // A part that itself calls Run (a parallel fit whose matrix products use the pool) runs that job alone: on a
        // worker the gate is held by the job's caller, and on the caller the gate is re-entrant, which must not restart
        // the job in flight.
        if (parts <= 1 || threads <= 1 || _threads.Length == 0 || Monitor.IsEntered(_gate) || !Monitor.TryEnter(_gate))
        {
            for (int p = 0; p < parts; p++) work.RunPart(p, parts);
            return;
        }
        try
        {
            EnsureStarted();
            // Close the finished job first: a worker that read its state before the fields below change would otherwise
            // read the new job's work and part count with the old state and claim a part of the new job under the old
            // state (run twice, counted three times). A closed generation has no claimable part and no seats, so
            // that claim fails, and only the next generation opens the new job. (A full fence: the field writes below must
            // not become visible before the closed state, on any memory model.)
            long closed = (Volatile.Read(ref _state) >> 32) + 1;
            Interlocked.Exchange(ref _state, closed << 32 | int.MaxValue);
            _work = work;
            _parts = parts;
            _failure = null;
            Volatile.Write(ref _remaining, parts);
            long generation = closed + 1;
            int helpers = Math.Min(Math.Min(_threads.Length, parts - 1), threads - 1);
            Volatile.Write(ref _seats, generation << 32 | (long)(helpers + 1) << 16 | 1);
            Volatile.Write(ref _state, generation << 32); // publishes the fields above
            for (int i = 0; i < helpers; i++) _wake[i].Set();
            // No thread-pool helper: a woken pool thread spins for work afterwards, taking a core from the job on a
            // two-core machine (measured: 10-20% slower 100-row products). A late worker costs nothing: the caller
            // claims its parts.
            Drain(generation);
            var spin = new SpinWait();
            while (Volatile.Read(ref _remaining) != 0) spin.SpinOnce(sleep1Threshold: -1);
            _work = null;
            _failure?.Throw();
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    /// <summary>Takes a free seat at job <paramref name="generation"/>, if it is still running and has one, and helps with it.</summary>
    private void JoinAndDrain(long generation)
    {
        while (true)
        {
            long seats = Volatile.Read(ref _seats);
            if (seats >> 32 != generation || (seats & 0xFFFF) >= ((seats >> 16) & 0xFFFF)) return;
            if (Interlocked.CompareExchange(ref _seats, seats + 1, seats) == seats) break;
        }
        Drain(generation);
    }

    /// <summary>Claims and runs parts of job <paramref name="generation"/> until none are left.</summary>
    private void Drain(long generation)
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if (state >> 32 != generation) return;
            IPartitionedWork? work = _work;
            int parts = _parts, part = (int)state;
            if (part >= parts || work is null) return;
            // The claim succeeds only if the state is unchanged since work and parts were read after it: a new job first
            // closes the old state (see Run), so they belong to this job.
            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state) continue;
            try
            {
                work.RunPart(part, parts);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            Interlocked.Decrement(ref _remaining);
        }
    }

    private void EnsureStarted()
    {
        if (_threads[^1] is not null) return;
        for (int i = 0; i < _threads.Length; i++)
        {
            int index = i;
            _threads[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"Ml.Relaxation engine worker {i}" };
            _threads[i]!.Start();
        }
    }

    private void WorkerLoop(int index)
    {
        ManualResetEventSlim wake = _wake[index];
        long seen = 0;
        while (true)
        {
            long generation = Volatile.Read(ref _state) >> 32;
            if (generation == seen)
            {
                long until = Stopwatch.GetTimestamp() + (long)(SpinMicroseconds * Stopwatch.Frequency / 1e6);
                while ((generation = Volatile.Read(ref _state) >> 32) == seen && Stopwatch.GetTimestamp() < until)
                    Thread.SpinWait(20);
                if (generation == seen)
                {
                    // Reset before the last check: a job published after it is followed by a Set that Wait sees.
                    wake.Reset();
                    if ((generation = Volatile.Read(ref _state) >> 32) == seen)
                    {
                        wake.Wait();
                        continue;
                    }
                }
            }
            seen = generation;
            JoinAndDrain(generation);
        }
    }
}
