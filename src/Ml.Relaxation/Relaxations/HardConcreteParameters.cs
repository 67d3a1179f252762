namespace Ml.Relaxation.Relaxations;

/// <summary>
/// The fixed constants of a Hard Concrete gate (Louizos, Welling and Kingma 2018): the stretch interval
/// (<see cref="Gamma"/>, <see cref="Zeta"/>) with gamma &lt; 0 &lt; 1 &lt; zeta, and the temperature <see cref="Beta"/>.
/// They are hyper-parameters, never learned. Validated on construction.
/// </summary>
public sealed class HardConcreteParameters
{
    /// <summary>The paper's constants: gamma = -0.1, zeta = 1.1, beta = 2/3.</summary>
    public static HardConcreteParameters Default { get; } = new();

    /// <summary>Creates a parameter set.</summary>
    /// <param name="gamma">Lower end of the stretch interval; must be finite and below 0.</param>
    /// <param name="zeta">Upper end of the stretch interval; must be finite and above 1.</param>
    /// <param name="beta">Temperature of the underlying Binary Concrete; must be finite and above 0.</param>
    public HardConcreteParameters(double gamma = -0.1, double zeta = 1.1, double beta = 2.0 / 3.0)
    {
        if (!(gamma < 0) || double.IsInfinity(gamma))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be a finite number below 0 (the stretch must reach past 0 for gates to close exactly).");
        if (!(zeta > 1) || double.IsInfinity(zeta))
            throw new ArgumentOutOfRangeException(nameof(zeta), zeta, "zeta must be a finite number above 1 (the stretch must reach past 1 for gates to open exactly).");
        if (!(beta > 0) || double.IsInfinity(beta) || !Checks.IsValidTemperature((float)beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a finite number of at least about 2.9e-39 (the sampler scales by 1/beta in single precision, which overflows below that).");
        Gamma = gamma;
        Zeta = zeta;
        Beta = beta;
        LogRatioZero = Math.Log(-gamma / zeta);
        LogRatioOne = Math.Log((1 - gamma) / (zeta - 1));
    }

    /// <summary>Lower end of the stretch interval (below 0).</summary>
    public double Gamma { get; }

    /// <summary>Upper end of the stretch interval (above 1).</summary>
    public double Zeta { get; }

    /// <summary>Temperature of the underlying Binary Concrete.</summary>
    public double Beta { get; }

    /// <summary><c>log(-gamma / zeta)</c>: <c>P(z = 0) = sigmoid(beta * LogRatioZero - log_alpha)</c>.</summary>
    internal double LogRatioZero { get; }

    /// <summary><c>log((1 - gamma) / (zeta - 1))</c>: <c>P(z = 1) = sigmoid(log_alpha - beta * LogRatioOne)</c>.</summary>
    internal double LogRatioOne { get; }

    /// <inheritdoc/>
    public override string ToString() => $"HardConcrete(gamma={Gamma}, zeta={Zeta}, beta={Beta})";
}
