namespace Ml.Relaxation.Relaxations;

/// <summary>A fixed temperature.</summary>
public sealed class ConstantTemperature : ITemperatureSchedule
{
    /// <summary>Creates a schedule that always returns <paramref name="tau"/> (finite, greater than 0).</summary>
    public ConstantTemperature(float tau)
    {
        Checks.Temperature(tau);
        Temperature = tau;
    }

    /// <inheritdoc/>
    public float Temperature { get; }

    /// <inheritdoc/>
    public void OnStep(long step) { }

    /// <inheritdoc/>
    public void OnValidation(double metric) { }
}
