namespace Ml.Relaxation.Models.DiscreteVae;

/// <summary>How the decoder sees the relaxed latent sample during training.</summary>
public enum RelaxationMode
{
    /// <summary>The soft relaxed sample (a point of the simplex, or in (0, 1) for a bit).</summary>
    Soft,

    /// <summary>Straight-through: the discretized sample forward, the gradient of the soft sample backward.</summary>
    StraightThrough,
}
