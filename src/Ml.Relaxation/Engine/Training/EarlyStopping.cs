namespace Ml.Relaxation.Engine;

/// <summary>
/// Tracks a validation metric and says when it has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> consecutive epochs.
/// </summary>
internal sealed class EarlyStopping
{
    /// <summary>Creates the tracker.</summary>
    /// <param name="patience">Epochs without improvement tolerated before stopping, at least 1.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement, at least 0.</param>
    /// <param name="higherIsBetter">True for metrics like accuracy, false for losses.</param>
    public EarlyStopping(int patience, double minDelta = 0, bool higherIsBetter = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patience);
        if (!(minDelta >= 0)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "Expected a minimum improvement >= 0.");
        Patience = patience;
        MinDelta = minDelta;
        HigherIsBetter = higherIsBetter;
    }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether larger metric values are better.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>The best metric seen, or NaN before the first.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>Epochs since the best.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Whether patience has run out.</summary>
    public bool ShouldStop => EpochsWithoutImprovement >= Patience;

    /// <summary>Records an epoch's metric and returns whether it is a new best. A NaN metric never improves.</summary>
    public bool Update(double metric)
    {
        bool improved = !double.IsNaN(metric) && (double.IsNaN(Best) ||
            (HigherIsBetter ? metric > Best + MinDelta : metric < Best - MinDelta));
        if (improved)
        {
            Best = metric;
            EpochsWithoutImprovement = 0;
        }
        else
        {
            EpochsWithoutImprovement++;
        }
        return improved;
    }
}
