namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Exponential annealing as in Jang et al. (2017): <c>tau = max(minimum, initial * exp(-rate * t))</c>, re-evaluated
/// only at steps that are multiples of <c>interval</c> (t is that step), constant in between.
/// </summary>
/// <remarks>
/// Defaults: initial 1, rate 3e-5, interval 100, minimum 0.5 - the schedule of the project's PyTorch VAE peer
/// (<c>torch_vae.py</c>), inside the range Jang et al. report (rate 1e-5 to 1e-4, minimum 0.5; they update every
/// 500 or 1000 steps). The temperature is a function of the step only, so skipping or repeating calls changes nothing.
/// </remarks>
public sealed class AnnealedTemperature : ITemperatureSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initial">Temperature at step 0 (finite, greater than 0).</param>
    /// <param name="rate">Decay rate r per step (finite, at least 0).</param>
    /// <param name="minimum">Floor of the temperature (finite, greater than 0, at most <paramref name="initial"/>).</param>
    /// <param name="interval">Steps between updates (at least 1).</param>
    public AnnealedTemperature(float initial = 1f, double rate = 3e-5, float minimum = 0.5f, int interval = 100)
    {
        Checks.Temperature(initial, nameof(initial));
        Checks.Temperature(minimum, nameof(minimum));
        if (minimum > initial)
            throw new ArgumentOutOfRangeException(nameof(minimum), minimum, $"The minimum must not exceed the initial temperature ({initial}).");
        if (!(rate >= 0) || double.IsInfinity(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The decay rate must be a finite number of at least 0.");
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, 1);
        Initial = initial;
        Rate = rate;
        Minimum = minimum;
        Interval = interval;
        Temperature = initial;
    }

    /// <summary>Temperature at step 0.</summary>
    public float Initial { get; }

    /// <summary>Decay rate per step.</summary>
    public double Rate { get; }

    /// <summary>Floor of the temperature.</summary>
    public float Minimum { get; }

    /// <summary>Steps between updates.</summary>
    public int Interval { get; }

    /// <inheritdoc/>
    public float Temperature { get; private set; }

    /// <summary>The temperature in force at <paramref name="step"/>.</summary>
    public float At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        long t = step - step % Interval;
        return (float)Math.Max(Minimum, Initial * Math.Exp(-Rate * t));
    }

    /// <inheritdoc/>
    public void OnStep(long step) => Temperature = At(step);

    /// <inheritdoc/>
    public void OnValidation(double metric) { }
}
