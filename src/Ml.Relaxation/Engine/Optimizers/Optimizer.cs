namespace Ml.Relaxation.Engine;

/// <summary>Shared argument checks and gradient zeroing for the optimizers.</summary>
internal abstract class Optimizer : IOptimizer
{
    private float _learningRate;

    /// <summary>Checks and keeps the parameter list.</summary>
    protected Optimizer(IReadOnlyList<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (int i = 0; i < parameters.Count; i++)
            if (parameters[i] is null) throw new ArgumentException($"Parameter {i} is null.", nameof(parameters));
        Parameters = parameters.ToArray();
        LearningRate = learningRate;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc/>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value > 0f) || !float.IsFinite(value))
                throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "Expected a finite learning rate > 0.");
            _learningRate = value;
        }
    }

    /// <inheritdoc/>
    public abstract void Step();

    /// <inheritdoc/>
    public void ZeroGradients()
    {
        // Indexed, not foreach: enumerating an IReadOnlyList allocates, and this runs every step.
        for (int i = 0; i < Parameters.Count; i++) Parameters[i].ZeroGradient();
    }
}
