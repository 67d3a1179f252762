using System.Diagnostics;

namespace Ml.Relaxation.Tests.Reliability;

/// <summary>
/// Cancelling training stops it promptly with <see cref="OperationCanceledException"/> and returns no model.
/// </summary>
/// <remarks>
/// <code>
/// Cancellation.AssertCancelsPromptly(token => ctx.Relaxation().SelectFeatures(new() { CancellationToken = token, ... }).Fit(data),
///     cancelAfter: TimeSpan.FromMilliseconds(200), within: TimeSpan.FromSeconds(2));
/// Cancellation.AssertPreCancelledTokenStopsAtOnce(token => ... .Fit(data));
/// </code>
/// Give the fit enough work that it is still running at <c>cancelAfter</c> (the helper fails if it finished first, as
/// the test would then prove nothing). The fit runs on another thread; after the token is cancelled it must throw
/// <see cref="OperationCanceledException"/> (or a subclass) within <c>within</c>; returning a model is a failure (a
/// partial model), and so is any other exception.
/// </remarks>
public static class Cancellation
{
    /// <summary>Fails unless the fit, cancelled after <paramref name="cancelAfter"/>, throws OperationCanceledException within <paramref name="within"/>.</summary>
    public static void AssertCancelsPromptly<T>(Func<CancellationToken, T> fit, TimeSpan cancelAfter, TimeSpan within)
    {
        using var cts = new CancellationTokenSource();
        var task = Task.Factory.StartNew(() => fit(cts.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.False(((IAsyncResult)task).AsyncWaitHandle.WaitOne(cancelAfter), $"The fit finished within {cancelAfter.TotalMilliseconds} ms, before cancellation: give it more work.");
        var clock = Stopwatch.StartNew();
        cts.Cancel();
        // Wait well past the limit so a slow stop is measured and reported rather than left running.
        var patience = TimeSpan.FromTicks(Math.Max(within.Ticks * 10, TimeSpan.FromSeconds(10).Ticks));
        bool stopped = ((IAsyncResult)task).AsyncWaitHandle.WaitOne(patience); // unlike Task.Wait, does not throw
        clock.Stop();
        Assert.True(stopped, $"The fit was still running {patience.TotalSeconds:F0} s after cancellation.");
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Assert.True(clock.Elapsed <= within, $"The fit stopped {clock.Elapsed.TotalMilliseconds:F0} ms after cancellation; the limit is {within.TotalMilliseconds:F0} ms.");
            return;
        }
        catch (Exception e)
        {
            Assert.Fail($"The cancelled fit threw {e.GetType().Name} ({e.Message}), not OperationCanceledException.");
        }
        Assert.Fail($"The fit returned a model {clock.Elapsed.TotalMilliseconds:F0} ms after cancellation instead of throwing OperationCanceledException.");
    }

    /// <summary>Fails unless a fit given an already-cancelled token throws OperationCanceledException before returning anything.</summary>
    public static void AssertPreCancelledTokenStopsAtOnce<T>(Func<CancellationToken, T> fit, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(1);
        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => fit(new CancellationToken(canceled: true)));
        Assert.True(clock.Elapsed <= limit, $"A pre-cancelled fit took {clock.Elapsed.TotalMilliseconds:F0} ms to stop; the limit is {limit.TotalMilliseconds:F0} ms.");
    }
}
