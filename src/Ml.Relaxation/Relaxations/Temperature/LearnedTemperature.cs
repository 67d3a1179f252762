using Ml.Relaxation.Numerics;

namespace Ml.Relaxation.Relaxations;

/// <summary>How a <see cref="LearnedTemperature"/> maps its unconstrained parameter to tau.</summary>
public enum TemperatureConstraint
{
    /// <summary><c>tau = softplus(raw) + epsilon</c>: any positive value, never below epsilon.</summary>
    Softplus,

    /// <summary>
    /// <c>tau = lo + (hi - lo) sigmoid(raw)</c>: inside [lo, hi], reaching a bound only once sigmoid(raw) rounds to 0 or
    /// 1 in double precision (|raw| above about 37), where the gradient with respect to raw is 0 too.
    /// </summary>
    Bounded,
}

/// <summary>
/// A temperature learned by gradient descent through an unconstrained parameter <see cref="Raw"/>. Unconstrained
/// learned temperatures drift high; the constraint keeps tau positive (and bounded, for
/// <see cref="TemperatureConstraint.Bounded"/>), and an optional penalty <c>PenaltyWeight * tau</c> pushes it down.
/// </summary>
/// <remarks>
/// Per step: read <see cref="Temperature"/>, run forward and backward, get dL/dtau (e.g. from
/// <see cref="GumbelSoftmax.TemperatureGradient"/>), then update <see cref="Raw"/> with <see cref="RawGradient"/>
/// (which adds the penalty's gradient). The schedule callbacks do nothing: the optimizer moves the temperature.
/// </remarks>
public sealed class LearnedTemperature : ITemperatureSchedule
{
    private LearnedTemperature(TemperatureConstraint constraint, double epsilon, double lower, double upper, double penaltyWeight)
    {
        if (!(penaltyWeight >= 0) || double.IsInfinity(penaltyWeight))
            throw new ArgumentOutOfRangeException(nameof(penaltyWeight), penaltyWeight, "The penalty weight must be a finite number of at least 0.");
        Constraint = constraint;
        Epsilon = epsilon;
        Lower = lower;
        Upper = upper;
        PenaltyWeight = penaltyWeight;
    }

    /// <summary>A temperature <c>softplus(raw) + epsilon</c> starting at <paramref name="initial"/>.</summary>
    /// <param name="initial">Starting tau; must exceed <paramref name="epsilon"/> and be finite.</param>
    /// <param name="epsilon">Lower floor of tau (greater than 0).</param>
    /// <param name="penaltyWeight">Weight of the penalty <c>PenaltyWeight * tau</c> (0 for none).</param>
    public static LearnedTemperature Softplus(float initial = 1f, double epsilon = 1e-2, double penaltyWeight = 0)
    {
        if (!(epsilon > 0) || double.IsInfinity(epsilon) || !Checks.IsValidTemperature((float)epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a finite number of at least about 2.9e-39: tau never falls below it, and tau is used in single precision, where smaller values round to 0 or overflow 1/tau.");
        if (!(initial > epsilon) || float.IsInfinity(initial))
            throw new ArgumentOutOfRangeException(nameof(initial), initial, $"The initial temperature must be finite and greater than epsilon ({epsilon}).");
        var t = new LearnedTemperature(TemperatureConstraint.Softplus, epsilon, 0, double.PositiveInfinity, penaltyWeight);
        double v = initial - epsilon; // inverse softplus: raw = log(exp(v) - 1) = v + log(1 - exp(-v))
        t.Raw = (float)(v + Math.Log(1 - Math.Exp(-v)));
        return t;
    }

    /// <summary>A temperature <c>lower + (upper - lower) sigmoid(raw)</c> starting at <paramref name="initial"/>.</summary>
    /// <param name="initial">Starting tau, strictly between the bounds.</param>
    /// <param name="lower">Lower bound (finite, greater than 0).</param>
    /// <param name="upper">Upper bound (finite, greater than <paramref name="lower"/>).</param>
    /// <param name="penaltyWeight">Weight of the penalty <c>PenaltyWeight * tau</c> (0 for none).</param>
    public static LearnedTemperature Bounded(float initial = 1f, double lower = 0.1, double upper = 5, double penaltyWeight = 0)
    {
        if (!(lower > 0) || double.IsInfinity(lower) || !Checks.IsValidTemperature((float)lower))
            throw new ArgumentOutOfRangeException(nameof(lower), lower, "The lower bound must be a finite number of at least about 2.9e-39 (tau is used in single precision, where smaller values round to 0 or overflow 1/tau).");
        if (!(upper > lower) || double.IsInfinity(upper) || !Checks.IsValidTemperature((float)upper))
            throw new ArgumentOutOfRangeException(nameof(upper), upper, $"The upper bound must be finite and greater than the lower bound ({lower}).");
        if (!(initial > lower && initial < upper))
            throw new ArgumentOutOfRangeException(nameof(initial), initial, $"The initial temperature must lie strictly between {lower} and {upper}.");
        var t = new LearnedTemperature(TemperatureConstraint.Bounded, 0, lower, upper, penaltyWeight);
        double q = (initial - lower) / (upper - lower);
        t.Raw = (float)(Math.Log(q) - Math.Log(1 - q));
        return t;
    }

    /// <summary>The parameterization.</summary>
    public TemperatureConstraint Constraint { get; }

    /// <summary>Floor added to softplus (<see cref="TemperatureConstraint.Softplus"/> only).</summary>
    public double Epsilon { get; }

    /// <summary>Lower bound (<see cref="TemperatureConstraint.Bounded"/>; 0 otherwise).</summary>
    public double Lower { get; }

    /// <summary>Upper bound (<see cref="TemperatureConstraint.Bounded"/>; +infinity otherwise).</summary>
    public double Upper { get; }

    /// <summary>Weight of the penalty <c>PenaltyWeight * tau</c> on high temperature.</summary>
    public double PenaltyWeight { get; }

    /// <summary>The unconstrained parameter the optimizer updates. Must stay finite.</summary>
    public float Raw
    {
        get => raw;
        set
        {
            if (!float.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(Raw), value, "The raw temperature parameter must be finite.");
            raw = value;
        }
    }
    private float raw;

    /// <inheritdoc/>
    /// <remarks>Computed in double precision and rounded to float: never below <c>(float)Epsilon</c> or <c>(float)Lower</c>,
    /// which the factories require to be valid single-precision temperatures, so never 0.</remarks>
    public float Temperature => (float)TemperatureOf(raw);

    /// <summary>The penalty term to add to the loss: <c>PenaltyWeight * tau</c>.</summary>
    public double Penalty => PenaltyWeight * TemperatureOf(raw);

    /// <summary>Derivative of tau with respect to <see cref="Raw"/>.</summary>
    public double TemperatureDerivative => Constraint == TemperatureConstraint.Softplus
        ? ScalarMath.Sigmoid(raw)
        : (Upper - Lower) * ScalarMath.Sigmoid(raw) * ScalarMath.Sigmoid(-raw);

    /// <summary>
    /// Gradient of <c>loss + Penalty</c> with respect to <see cref="Raw"/>, given the gradient of the loss with respect
    /// to tau: <c>(dLoss/dtau + PenaltyWeight) * dtau/draw</c>.
    /// </summary>
    public double RawGradient(double lossGradientWrtTemperature) => (lossGradientWrtTemperature + PenaltyWeight) * TemperatureDerivative;

    /// <inheritdoc/>
    public void OnStep(long step) { }

    /// <inheritdoc/>
    public void OnValidation(double metric) { }

    private double TemperatureOf(double r) => Constraint == TemperatureConstraint.Softplus
        ? ScalarMath.Softplus(r) + Epsilon
        : Lower + (Upper - Lower) * ScalarMath.Sigmoid(r);
}
