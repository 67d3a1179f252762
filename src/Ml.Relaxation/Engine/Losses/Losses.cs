namespace Ml.Relaxation.Engine;

/// <summary>
/// Loss functions. Each returns the loss as the mean over rows of the per-row sum, and, when given a gradient
/// matrix, writes the gradient of that mean with respect to its input (or adds it, with <c>accumulate</c>, so several
/// terms can share one buffer). Sums run in a fixed order, so results do not depend on threads.
/// </summary>
internal static partial class Losses
{
    private static void CheckSameShape(Matrix expected, Matrix actual, string paramName)
    {
        ArgumentNullException.ThrowIfNull(actual, paramName);
        if (actual.Rows != expected.Rows || actual.Cols != expected.Cols)
            throw new ArgumentException($"Expected [{expected.Rows} x {expected.Cols}], got [{actual.Rows} x {actual.Cols}].", paramName);
    }

    private static void CheckGradient(Matrix input, Matrix? gradient, string paramName)
    {
        if (gradient is not null) CheckSameShape(input, gradient, paramName);
    }

    private static void Store(Span<float> g, int i, float value, bool accumulate)
    {
        if (accumulate) g[i] += value;
        else g[i] = value;
    }
}
