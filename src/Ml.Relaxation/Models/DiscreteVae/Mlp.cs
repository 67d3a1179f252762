using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Models.DiscreteVae;

/// <summary>
/// A stack of <see cref="Linear"/> layers with ReLU between them and a linear last layer. It keeps each layer's
/// output for the backward pass, in buffers that grow to the largest batch seen (no allocation per step after that).
/// </summary>
internal sealed class Mlp
{
    private readonly Linear[] _layers;
    private Matrix[] _outputs = [];
    private Matrix[] _gradients = [];

    public Mlp(IReadOnlyList<int> sizes, RandomSource rng, string name)
    {
        _layers = new Linear[sizes.Count - 1];
        for (int i = 0; i < _layers.Length; i++)
        {
            bool last = i == _layers.Length - 1;
            _layers[i] = new Linear(sizes[i], sizes[i + 1], rng, last ? Initialization.Glorot : Initialization.He, $"{name}.{i}");
        }
        Parameters = [.. _layers.SelectMany(l => l.Parameters)];
    }

    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>Weights and biases of every layer, input first.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Width of the input.</summary>
    public int Inputs => _layers[0].Inputs;

    /// <summary>Width of the output.</summary>
    public int Outputs => _layers[^1].Outputs;

    /// <summary>Runs the network on <paramref name="x"/> and returns its output (a buffer owned by this object, valid until the next call).</summary>
    public Matrix Forward(Matrix x)
    {
        Ensure(x.Rows);
        Matrix h = x;
        for (int i = 0; i < _layers.Length; i++)
        {
            Matrix y = _outputs[i];
            y.SetRows(x.Rows);
            _layers[i].Forward(h, y);
            if (i < _layers.Length - 1) Activations.Relu(y.AsSpan(), y.AsSpan());
            h = y;
        }
        return h;
    }

    /// <summary>
    /// Backward pass after <see cref="Forward"/> on the same <paramref name="x"/>: adds parameter gradients and writes
    /// the input gradient to <paramref name="dx"/> when given. <paramref name="dOutput"/> is not modified.
    /// </summary>
    public void Backward(Matrix x, Matrix dOutput, Matrix? dx)
    {
        Matrix dy = dOutput;
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            Matrix input = i == 0 ? x : _outputs[i - 1];
            Matrix? dInput = i == 0 ? dx : _gradients[i - 1];
            dInput?.SetRows(x.Rows);
            _layers[i].Backward(input, dy, dInput);
            if (i > 0)
            {
                // The input of layer i is the ReLU output of layer i - 1: mask its gradient where that output was 0.
                Activations.ReluBackward(input.AsSpan(), dInput!.AsSpan(), dInput.AsSpan());
                dy = dInput;
            }
        }
    }

    private void Ensure(int rows)
    {
        if (_outputs.Length > 0 && _outputs[0].RowCapacity >= rows) return;
        _outputs = [.. _layers.Select(l => new Matrix(rows, l.Outputs))];
        _gradients = [.. _layers.SkipLast(1).Select(l => new Matrix(rows, l.Outputs))];
    }
}
