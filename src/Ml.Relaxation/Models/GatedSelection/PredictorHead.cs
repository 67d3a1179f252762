using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>The predictor on the gated features: linear, or a ReLU MLP with the given hidden sizes.</summary>
internal sealed class PredictorHead
{
    private readonly Linear[] _layers;
    private readonly Matrix[] _outputs, _gradients;

    public PredictorHead(int inputs, IReadOnlyList<int> hiddenSizes, int outputs, int batchCapacity, RandomSource rng)
    {
        int layerCount = hiddenSizes.Count + 1;
        _layers = new Linear[layerCount];
        _outputs = new Matrix[layerCount];
        _gradients = new Matrix[layerCount];
        int fanIn = inputs;
        for (int i = 0; i < layerCount; i++)
        {
            bool hidden = i < hiddenSizes.Count;
            int fanOut = hidden ? hiddenSizes[i] : outputs;
            _layers[i] = new Linear(fanIn, fanOut, rng, hidden ? Initialization.He : Initialization.Glorot, $"head.{i}");
            _outputs[i] = new Matrix(batchCapacity, fanOut);
            _gradients[i] = new Matrix(batchCapacity, fanOut);
            fanIn = fanOut;
        }
        Parameters = [.. _layers.SelectMany(l => l.Parameters)];
    }

    /// <summary>Weights and biases of every layer, first layer first.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The output of the last <see cref="Forward"/>, [rows x outputs].</summary>
    public Matrix Output => _outputs[^1];

    /// <summary>The buffer for dL/dOutput that <see cref="Backward"/> reads, sized to the last forward pass.</summary>
    public Matrix OutputGradient => _gradients[^1];

    /// <summary>Runs the layers on <paramref name="x"/>; returns <see cref="Output"/>.</summary>
    public Matrix Forward(Matrix x)
    {
        Matrix input = x;
        for (int i = 0; i < _layers.Length; i++)
        {
            _outputs[i].SetRows(x.Rows);
            _gradients[i].SetRows(x.Rows);
            _layers[i].Forward(input, _outputs[i]);
            if (i < _layers.Length - 1) Activations.Relu(_outputs[i].AsSpan(), _outputs[i].AsSpan());
            input = _outputs[i];
        }
        return _outputs[^1];
    }

    /// <summary>Back-propagates <see cref="OutputGradient"/>: adds parameter gradients and writes dL/dx into <paramref name="dx"/>.</summary>
    public void Backward(Matrix x, Matrix dx)
    {
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            Matrix input = i == 0 ? x : _outputs[i - 1];
            Matrix inputGradient = i == 0 ? dx : _gradients[i - 1];
            _layers[i].Backward(input, _gradients[i], inputGradient);
            if (i > 0) Activations.ReluBackward(_outputs[i - 1].AsSpan(), inputGradient.AsSpan(), inputGradient.AsSpan());
        }
    }
}
