namespace Ml.Relaxation.Engine;

/// <summary>Stochastic gradient descent with (heavy-ball) momentum: v = mu v + g; p -= lr v. Momentum 0 is plain SGD.</summary>
internal sealed class Sgd : Optimizer
{
    private readonly float[][] _velocity;

    /// <summary>Creates the optimizer with zero velocity.</summary>
    public Sgd(IReadOnlyList<Parameter> parameters, float learningRate = 0.01f, float momentum = 0f) : base(parameters, learningRate)
    {
        if (!(momentum >= 0f && momentum < 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Expected 0 <= momentum < 1.");
        Momentum = momentum;
        _velocity = Parameters.Select(p => new float[p.Value.Length]).ToArray();
    }

    /// <summary>The momentum coefficient mu.</summary>
    public float Momentum { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        float lr = LearningRate, mu = Momentum;
        for (int i = 0; i < Parameters.Count; i++)
        {
            Span<float> p = Parameters[i].Value, v = _velocity[i];
            ReadOnlySpan<float> g = Parameters[i].Gradient;
            for (int j = 0; j < p.Length; j++)
            {
                v[j] = mu * v[j] + g[j];
                p[j] -= lr * v[j];
            }
        }
    }
}
