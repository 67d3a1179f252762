namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Lowers the temperature when a monitored validation metric plateaus (like a learning-rate "reduce on plateau"):
/// after <see cref="Patience"/> evaluations in a row without an improvement of more than <see cref="MinDelta"/>,
/// tau is multiplied by <see cref="Factor"/>, floored at <see cref="Minimum"/>, and the count restarts.
/// </summary>
public sealed class AdaptiveTemperature : ITemperatureSchedule
{
    private double best;
    private int stale;

    /// <summary>Creates the schedule.</summary>
    /// <param name="initial">Starting temperature (finite, greater than 0).</param>
    /// <param name="factor">Multiplier applied on a plateau, in (0, 1).</param>
    /// <param name="patience">Evaluations without improvement before lowering (at least 1).</param>
    /// <param name="minimum">Floor (finite, greater than 0, at most <paramref name="initial"/>).</param>
    /// <param name="higherIsBetter">True when the metric is to be maximized (e.g. accuracy); false for a loss.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement (at least 0).</param>
    public AdaptiveTemperature(float initial = 1f, float factor = 0.5f, int patience = 3, float minimum = 0.1f,
        bool higherIsBetter = false, double minDelta = 0)
    {
        Checks.Temperature(initial, nameof(initial));
        Checks.Temperature(minimum, nameof(minimum));
        if (minimum > initial)
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"The minimum must not exceed the initial temperature ({initial}).");
        if (!(factor > 0f && factor < 1f))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must lie strictly between 0 and 1.");
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        if (!(minDelta >= 0) || double.IsInfinity(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number of at least 0.");
        Temperature = initial;
        Factor = factor;
        Patience = patience;
        Minimum = minimum;
        HigherIsBetter = higherIsBetter;
        MinDelta = minDelta;
        best = higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>Multiplier applied on a plateau.</summary>
    public float Factor { get; }

    /// <summary>Evaluations without improvement before the temperature is lowered.</summary>
    public int Patience { get; }

    /// <summary>Floor of the temperature.</summary>
    public float Minimum { get; }

    /// <summary>Whether larger metric values are better.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <inheritdoc/>
    public float Temperature { get; private set; }

    /// <inheritdoc/>
    public void OnStep(long step) { }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The metric is NaN.</exception>
    public void OnValidation(double metric)
    {
        if (double.IsNaN(metric)) throw new ArgumentException("The validation metric is NaN.", nameof(metric));
        bool improved = HigherIsBetter ? metric > best + MinDelta : metric < best - MinDelta;
        if (improved)
        {
            best = metric;
            stale = 0;
            return;
        }
        if (++stale >= Patience)
        {
            Temperature = Math.Max(Minimum, Temperature * Factor);
            stale = 0;
        }
    }
}
