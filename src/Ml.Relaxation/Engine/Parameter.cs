namespace Ml.Relaxation.Engine;

/// <summary>
/// A trainable tensor: its values and the gradient of the loss with respect to them, both row-major
/// [<see cref="Rows"/> x <see cref="Cols"/>]. Backward passes add into <see cref="Gradient"/>; optimizers read it and
/// update <see cref="Value"/>.
/// </summary>
internal sealed class Parameter
{
    /// <summary>Creates a zero parameter of <paramref name="rows"/> x <paramref name="cols"/>.</summary>
    public Parameter(string name, int rows, int cols)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        Name = name;
        Value = new float[checked(rows * cols)];
        Gradient = new float[Value.Length];
        ValueMatrix = new Matrix(Value, rows, cols);
        GradientMatrix = new Matrix(Gradient, rows, cols);
    }

    /// <summary>The name, unique within a model (e.g. <c>encoder.0.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The values, row-major.</summary>
    public float[] Value { get; }

    /// <summary>The accumulated gradient of the loss with respect to <see cref="Value"/>.</summary>
    public float[] Gradient { get; }

    /// <summary>Rows of the value as a matrix.</summary>
    public int Rows => ValueMatrix.Rows;

    /// <summary>Columns of the value as a matrix.</summary>
    public int Cols => ValueMatrix.Cols;

    /// <summary><see cref="Value"/> viewed as a matrix (shares storage).</summary>
    public Matrix ValueMatrix { get; }

    /// <summary><see cref="Gradient"/> viewed as a matrix (shares storage).</summary>
    public Matrix GradientMatrix { get; }

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGradient() => Array.Clear(Gradient);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{Rows} x {Cols}]";
}
