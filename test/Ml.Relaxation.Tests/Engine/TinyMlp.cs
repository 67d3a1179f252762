using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.Engine;

/// <summary>A one-hidden-layer ReLU network with a BCE-with-logits or MSE head, built only from the engine's public API.</summary>
internal sealed class TinyMlp : ITrainableModel
{
    private readonly Linear _hidden, _output;
    private readonly bool _binary;
    private readonly Matrix _h, _o, _dO, _dH;

    public TinyMlp(int inputs, int hidden, int outputs, int batchCapacity, ulong seed, bool binary)
    {
        var rng = new RandomSource(seed);
        _hidden = new Linear(inputs, hidden, rng, Initialization.He, "hidden");
        _output = new Linear(hidden, outputs, rng, Initialization.Glorot, "output");
        _binary = binary;
        _h = new Matrix(batchCapacity, hidden);
        _dH = new Matrix(batchCapacity, hidden);
        _o = new Matrix(batchCapacity, outputs);
        _dO = new Matrix(batchCapacity, outputs);
        Parameters = [.. _hidden.Parameters, .. _output.Parameters];
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    public Linear Hidden => _hidden;

    public Matrix Forward(Matrix x)
    {
        _h.SetRows(x.Rows);
        _o.SetRows(x.Rows);
        _hidden.Forward(x, _h);
        Activations.Relu(_h.AsSpan(), _h.AsSpan());
        _output.Forward(_h, _o);
        return _o;
    }

    public float Loss(Matrix x, Matrix targets, Matrix? gradient)
    {
        Matrix o = Forward(x);
        return _binary ? Losses.BinaryCrossEntropyWithLogits(o, targets, gradient) : Losses.MeanSquaredError(o, targets, gradient);
    }

    public float TrainStep(Batch batch, TrainingStep step)
    {
        _dO.SetRows(batch.Rows);
        _dH.SetRows(batch.Rows);
        float loss = Loss(batch.Features, batch.Targets, _dO);
        _output.Backward(_h, _dO, _dH);
        Activations.ReluBackward(_h.AsSpan(), _dH.AsSpan(), _dH.AsSpan());
        _hidden.Backward(batch.Features, _dH, null);
        return loss;
    }

    public double Evaluate(IBatchSource source, IDictionary<string, double> metrics)
    {
        double loss = 0, correct = 0;
        long rows = 0;
        foreach (Batch batch in source.Batches(0))
        {
            loss += (double)Loss(batch.Features, batch.Targets, null) * batch.Rows;
            Span<float> o = _o.AsSpan(), t = batch.Targets.AsSpan();
            for (int i = 0; i < o.Length; i++) if ((o[i] > 0) == (t[i] > 0.5f)) correct++;
            rows += batch.Rows;
        }
        metrics["accuracy"] = correct / (rows * _o.Cols);
        return loss / rows;
    }
}
