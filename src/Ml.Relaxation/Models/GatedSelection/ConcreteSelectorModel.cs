using System.Numerics.Tensors;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// The Concrete selector (the selection layer of Abid, Balin and Zou's Concrete autoencoder, 2019, with the label's
/// head in place of the decoder): k selection units, each a Gumbel-Softmax over the slots, feed the head. Unit i
/// outputs the standardized features times w_i, with w_i = softmax((logits_i + g_i) / T) and one Gumbel draw g_i per
/// unit and mini-batch. T falls geometrically from <see cref="StartTemperature"/> to <see cref="EndTemperature"/> over
/// training, so each unit ends on one slot, argmax logits_i. Because the k units share one head and one budget, a slot
/// whose information another unit already supplies is worth little to a second unit: the units choose k slots that
/// predict well together, where one gate per slot scores each slot on its own.
/// </summary>
internal sealed class ConcreteSelectorModel : ITrainableModel
{
    /// <summary>The first temperature: the units start close to uniform over the slots (as in Abid et al.).</summary>
    public const float StartTemperature = 10f;

    /// <summary>The last temperature: each unit's weights are then all but one-hot (as in Abid et al.).</summary>
    public const float EndTemperature = 0.01f;

    private readonly GatedSelectorSettings _settings;
    private readonly FeatureScaling _scaling;
    private readonly PredictorHead _head;
    private readonly Matrix _x, _selected, _selectedGradient, _targets, _weights, _weightGradient;
    private readonly RandomSource _noise;
    private readonly long _totalSteps;
    private readonly bool _fixedSlots;

    /// <summary>Creates the model with small random logits (units near uniform, yet apart) and a fresh head.</summary>
    /// <param name="settings">The head's settings, its learning rate and seed.</param>
    /// <param name="scaling">The standardization of the slots the units choose among.</param>
    /// <param name="units">k, the number of selection units.</param>
    /// <param name="totalSteps">The optimizer steps of the whole fit, over which the temperature falls.</param>
    /// <param name="fixedSlots">
    /// When true, unit i is slot i (one unit per slot) and the logits never change: the head alone is fitted on the
    /// given slots, to measure how well they predict together.
    /// </param>
    public ConcreteSelectorModel(GatedSelectorSettings settings, FeatureScaling scaling, int units, long totalSteps, bool fixedSlots = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(scaling);
        int d = scaling.FeatureCount, capacity = settings.BatchSize;
        settings.Validate(d);
        if (units < 1 || units > d) throw new ArgumentOutOfRangeException(nameof(units), units, $"Expected from 1 to {d} units.");
        if (fixedSlots && units != d) throw new ArgumentException($"Fixed slots need one unit per slot ({d}), got {units}.", nameof(units));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        _settings = settings;
        _scaling = scaling;
        _fixedSlots = fixedSlots;
        _totalSteps = totalSteps;
        Logits = new Parameter("selector.logits", units, d);
        if (fixedSlots) for (int i = 0; i < units; i++) Logits.ValueMatrix[i, i] = 1f;
        else
        {
            new RandomSource(settings.Seed, stream: 3).NextUniforms(Logits.Value);
            // logits within +-0.005: the units start all but uniform, and apart, so they need not follow one another
            for (int i = 0; i < Logits.Value.Length; i++) Logits.Value[i] = 0.01f * (Logits.Value[i] - 0.5f);
        }
        _head = new PredictorHead(units, settings.HiddenSizes, settings.OutputCount, capacity, new RandomSource(settings.Seed, stream: 1));
        _noise = new RandomSource(settings.Seed, stream: 2);
        _x = new Matrix(capacity, d);
        _targets = new Matrix(capacity, 1);
        _selected = new Matrix(capacity, units);
        _selectedGradient = new Matrix(capacity, units);
        _weights = new Matrix(units, d);
        _weightGradient = new Matrix(units, d);
        Parameters = fixedSlots ? [.. _head.Parameters] : [Logits, .. _head.Parameters];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The units' logits, [k x slots].</summary>
    public Parameter Logits { get; }

    /// <summary>The head's weights and biases.</summary>
    public IReadOnlyList<Parameter> HeadParameters => _head.Parameters;

    /// <summary>The temperature at optimizer step <paramref name="step"/>: T0 (T1 / T0)^(step / total steps), T1 from the last step on.</summary>
    public float Temperature(long step) =>
        StartTemperature * MathF.Pow(EndTemperature / StartTemperature, Math.Min(1f, (float)step / _totalSteps));

    /// <summary>The slot of each unit: the argmax of its logits (the lower index on ties). Units may share a slot.</summary>
    public int[] SelectedSlots()
    {
        var slots = new int[Logits.Rows];
        for (int i = 0; i < slots.Length; i++) slots[i] = TensorPrimitives.IndexOfMax(Logits.ValueMatrix.Row(i));
        return slots;
    }

    /// <inheritdoc/>
    public float TrainStep(Batch batch, TrainingStep step)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Loss(batch.Features, batch.Targets, _noise, Temperature(step.Step), computeGradients: true);
    }

    /// <summary>
    /// The mean task loss on raw features with unit weights drawn from <paramref name="noise"/> at temperature
    /// <paramref name="temperature"/> (with fixed slots: one-hot weights, no draw); with <paramref name="computeGradients"/>
    /// adds the gradients into <see cref="Parameters"/>.
    /// </summary>
    internal float Loss(Matrix features, Matrix targets, RandomSource noise, float temperature, bool computeGradients)
    {
        Prepare(features, targets);
        if (_fixedSlots) OneHotWeights();
        else GumbelSoftmax.Sample(noise, Logits.Value, Logits.Cols, temperature, _weights.AsSpan());
        MatMul.MultiplyTransposeB(_x, _weights, _selected);
        float loss = HeadLoss.Compute(_settings.Task, _head.Forward(_selected), _targets, computeGradients ? _head.OutputGradient : null);
        if (!computeGradients) return loss;
        _head.Backward(_selected, _selectedGradient);
        if (_fixedSlots) return loss;
        // dL/dw = (dL/dselected)^T x, then through each unit's softmax
        MatMul.MultiplyTransposeA(_selectedGradient, _x, _weightGradient);
        GumbelSoftmax.Backward(_weights.AsSpan(), _weightGradient.AsSpan(), Logits.Cols, temperature, _weightGradient.AsSpan());
        TensorPrimitives.Add(Logits.Gradient, _weightGradient.AsSpan(), Logits.Gradient);
        return loss;
    }

    /// <summary>Mean task loss over <paramref name="source"/> with each unit on its selected slot.</summary>
    public double Evaluate(IBatchSource source, IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(source);
        OneHotWeights();
        double sum = 0;
        long rows = 0;
        foreach (Batch batch in source.Batches(0))
        {
            Prepare(batch.Features, batch.Targets);
            MatMul.MultiplyTransposeB(_x, _weights, _selected);
            sum += (double)HeadLoss.Compute(_settings.Task, _head.Forward(_selected), _targets, null) * batch.Rows;
            rows += batch.Rows;
        }
        return rows == 0 ? double.NaN : sum / rows;
    }

    private void OneHotWeights()
    {
        int[] slots = SelectedSlots();
        _weights.Clear();
        for (int i = 0; i < slots.Length; i++) _weights[i, slots[i]] = 1f;
    }

    private void Prepare(Matrix features, Matrix targets)
    {
        HeadLoss.Prepare(_settings.Task, _scaling, features, targets, _x, _targets);
        _selected.SetRows(features.Rows);
        _selectedGradient.SetRows(features.Rows);
    }
}
