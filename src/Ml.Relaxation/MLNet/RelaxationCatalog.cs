using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Ml.Relaxation.MLNet;

/// <summary>
/// The front door to this library's estimators: <c>mlContext.Relaxation()</c>. Each estimator adds its methods to
/// this partial class in its own folder.
/// </summary>
public sealed partial class RelaxationCatalog
{
    internal RelaxationCatalog(MLContext context)
    {
        Context = context;
        Environment = context;
    }

    /// <summary>The context the estimators are created in.</summary>
    internal MLContext Context { get; }

    /// <summary>The context as an ML.NET host environment (hosts, channels, exception marking).</summary>
    internal IHostEnvironment Environment { get; }
}

/// <summary>Extension methods on <see cref="MLContext"/>.</summary>
public static class MLContextExtensions
{
    /// <summary>The catalog of Ml.Relaxation estimators for <paramref name="context"/>.</summary>
    public static RelaxationCatalog Relaxation(this MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new RelaxationCatalog(context);
    }
}
