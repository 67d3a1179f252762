namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Supplies the relaxation temperature tau during training. The training loop calls <see cref="OnStep"/> once per
/// optimizer step (with the global step count, starting at 0) and <see cref="OnValidation"/> after each validation
/// evaluation; samplers read <see cref="Temperature"/>.
/// </summary>
public interface ITemperatureSchedule
{
    /// <summary>The current temperature; always finite and greater than 0.</summary>
    float Temperature { get; }

    /// <summary>Called before optimizer step <paramref name="step"/> (0, 1, 2, ...).</summary>
    void OnStep(long step);

    /// <summary>Called with the monitored validation metric after an evaluation.</summary>
    void OnValidation(double metric);
}
