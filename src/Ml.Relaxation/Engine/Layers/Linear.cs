using System.Numerics.Tensors;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Engine;

/// <summary>
/// A fully connected layer y = x W + b, with x [N x inputs], W [inputs x outputs], b [outputs]. Stateless between
/// calls: the caller keeps the activations it needs for the backward pass.
/// </summary>
internal sealed class Linear
{
    /// <summary>Creates the layer and draws its weights from <paramref name="rng"/> with <paramref name="init"/>.</summary>
    /// <param name="inputs">Input features, at least 1.</param>
    /// <param name="outputs">Output features, at least 1.</param>
    /// <param name="rng">Source of the initial weights; it is advanced by inputs x outputs draws.</param>
    /// <param name="init">The initialization scheme.</param>
    /// <param name="name">Prefix of the parameter names (<c>name.weight</c>, <c>name.bias</c>).</param>
    public Linear(int inputs, int outputs, RandomSource rng, Initialization init = Initialization.Glorot, string name = "linear")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        ArgumentNullException.ThrowIfNull(rng);
        Weight = new Parameter(name + ".weight", inputs, outputs);
        Bias = new Parameter(name + ".bias", 1, outputs);
        float limit = init switch
        {
            Initialization.Glorot => MathF.Sqrt(6f / (inputs + outputs)),
            Initialization.He => MathF.Sqrt(6f / inputs),
            _ => throw new ArgumentOutOfRangeException(nameof(init), init, "Expected Glorot or He."),
        };
        Span<float> w = Weight.Value;
        rng.NextUniforms(w);
        for (int i = 0; i < w.Length; i++) w[i] = (2f * w[i] - 1f) * limit;
        Parameters = [Weight, Bias];
    }

    /// <summary>Input features.</summary>
    public int Inputs => Weight.Rows;

    /// <summary>Output features.</summary>
    public int Outputs => Weight.Cols;

    /// <summary>The weight W, [inputs x outputs].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias b, [1 x outputs].</summary>
    public Parameter Bias { get; }

    /// <summary>Weight and bias, in that order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>y = x W + b. <paramref name="y"/> must be [x.Rows x outputs] (set its rows first for a short batch).</summary>
    public void Forward(Matrix x, Matrix y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Cols != Inputs) throw new ArgumentException($"Expected {Inputs} input columns, got {x.Cols}.", nameof(x));
        if (y.Cols != Outputs || y.Rows != x.Rows)
            throw new ArgumentException($"Expected a [{x.Rows} x {Outputs}] output, got [{y.Rows} x {y.Cols}].", nameof(y));
        ReadOnlySpan<float> b = Bias.Value;
        for (int r = 0; r < y.Rows; r++) b.CopyTo(y.Row(r));
        MatMul.Multiply(x, Weight.ValueMatrix, y, accumulate: true);
    }

    /// <summary>
    /// Backward pass: adds x^T dy to the weight gradient and the column sums of dy to the bias gradient, and writes
    /// dx = dy W^T when <paramref name="dx"/> is given (null for a first layer, whose input needs no gradient).
    /// </summary>
    public void Backward(Matrix x, Matrix dy, Matrix? dx)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dy);
        if (x.Cols != Inputs) throw new ArgumentException($"Expected {Inputs} input columns, got {x.Cols}.", nameof(x));
        if (dy.Cols != Outputs || dy.Rows != x.Rows)
            throw new ArgumentException($"Expected a [{x.Rows} x {Outputs}] output gradient, got [{dy.Rows} x {dy.Cols}].", nameof(dy));
        MatMul.MultiplyTransposeA(x, dy, Weight.GradientMatrix, accumulate: true);
        Span<float> gb = Bias.Gradient;
        // Row order is fixed, so the bias gradient is the same at any thread count.
        for (int r = 0; r < dy.Rows; r++) TensorPrimitives.Add(gb, dy.Row(r), gb);
        if (dx is not null)
        {
            if (dx.Cols != Inputs || dx.Rows != x.Rows)
                throw new ArgumentException($"Expected a [{x.Rows} x {Inputs}] input gradient, got [{dx.Rows} x {dx.Cols}].", nameof(dx));
            MatMul.MultiplyTransposeB(dy, Weight.ValueMatrix, dx, accumulate: false);
        }
    }
}
