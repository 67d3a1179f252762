namespace Ml.Relaxation.Engine;

/// <summary>How <see cref="Linear"/> draws its initial weights (biases start at zero).</summary>
internal enum Initialization
{
    /// <summary>Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (inputs + outputs)); suits sigmoid, tanh and linear outputs.</summary>
    Glorot,

    /// <summary>He/Kaiming uniform: U(-a, a) with a = sqrt(6 / inputs); suits layers followed by ReLU.</summary>
    He,
}
