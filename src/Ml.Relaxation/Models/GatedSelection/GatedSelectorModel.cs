using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// Hard Concrete gates on standardized features feeding a linear or MLP head. The training loss per mini-batch is
/// the mean task loss plus (lambda / N) E[L0], with N the training row count (the scaling of Louizos et al.), so
/// lambda reads as "task loss summed over the data set that a slot must save to stay open".
/// </summary>
internal sealed class GatedSelectorModel : ITrainableModel
{
    private readonly GatedSelectorSettings _settings;
    private readonly FeatureScaling _scaling;
    private readonly HardConcreteGateLayer _gates;
    private readonly PredictorHead _head;
    private readonly Matrix _x, _gated, _gatedGradient, _targets;
    private readonly RandomSource _noise;

    /// <summary>Creates the model with log_alpha at logit(initial keep probability) and a freshly initialized head.</summary>
    /// <param name="settings">Hyperparameters (validated here).</param>
    /// <param name="scaling">The internal standardization, fitted on the training rows.</param>
    /// <param name="trainingRows">N, the number of training rows, which scales the penalty.</param>
    public GatedSelectorModel(GatedSelectorSettings settings, FeatureScaling scaling, long trainingRows)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(scaling);
        settings.Validate(scaling.FeatureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainingRows);
        _settings = settings;
        _scaling = scaling;
        int d = scaling.FeatureCount, capacity = settings.BatchSize;
        float p = settings.InitialKeepProbability;
        _gates = new HardConcreteGateLayer(d, capacity, MathF.Log(p / (1f - p)),
            new HardConcreteParameters(settings.Gamma, settings.Zeta, settings.Temperature));
        _head = new PredictorHead(d, settings.HiddenSizes, settings.OutputCount, capacity, new RandomSource(settings.Seed, stream: 1));
        _noise = new RandomSource(settings.Seed, stream: 2);
        _x = new Matrix(capacity, d);
        _gated = new Matrix(capacity, d);
        _gatedGradient = new Matrix(capacity, d);
        _targets = new Matrix(capacity, 1);
        PenaltyScale = (float)(settings.L0Strength / trainingRows);
        Parameters = [_gates.LogAlpha, .. _head.Parameters];
    }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>log_alpha, one per slot.</summary>
    public Parameter LogAlpha => _gates.LogAlpha;

    /// <summary>The head's weights and biases.</summary>
    public IReadOnlyList<Parameter> HeadParameters => _head.Parameters;

    /// <summary>The weight of E[L0] in the training loss: lambda / N.</summary>
    public float PenaltyScale { get; }

    /// <summary>P(z != 0) per slot.</summary>
    public float[] ProbabilityNonZero() => _gates.ProbabilityNonZero();

    /// <summary>The deterministic test-time gates per slot.</summary>
    public float[] TestTimeGates() => _gates.TestTimeGates();

    /// <summary>Sum over slots of P(z != 0).</summary>
    public float ExpectedL0() => _gates.ExpectedL0();

    /// <inheritdoc/>
    public float TrainStep(Batch batch, TrainingStep step)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Loss(batch.Features, batch.Targets, _noise, computeGradients: true);
    }

    /// <summary>
    /// Training loss (task + penalty) on raw features with gates sampled from <paramref name="noise"/>; with <paramref name="computeGradients"/> adds the gradients into <see cref="Parameters"/>.
    /// </summary>
    internal float Loss(Matrix features, Matrix targets, RandomSource noise, bool computeGradients)
    {
        Prepare(features, targets);
        _gates.ForwardSampled(_x, noise, _gated);
        float loss = TaskLoss(_head.Forward(_gated), computeGradients);
        if (!computeGradients) return loss + PenaltyScale * _gates.ExpectedL0();
        _head.Backward(_gated, _gatedGradient);
        _gates.Backward(_x, _gatedGradient);
        return loss + _gates.AddPenaltyGradient(PenaltyScale);
    }

    /// <summary>Mean task loss with the test-time gates over <paramref name="source"/>; adds expected L0 and open gates to <paramref name="metrics"/>.</summary>
    public double Evaluate(IBatchSource source, IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(source);
        double sum = 0;
        long rows = 0;
        foreach (Batch batch in source.Batches(0))
        {
            Prepare(batch.Features, batch.Targets);
            _gates.ForwardTestTime(_x, _gated);
            sum += (double)TaskLoss(_head.Forward(_gated), computeGradients: false) * batch.Rows;
            rows += batch.Rows;
        }
        metrics["expected_l0"] = _gates.ExpectedL0();
        metrics["open_gates"] = _gates.TestTimeGates().Count(z => z != 0f);
        return rows == 0 ? double.NaN : sum / rows;
    }

    private void Prepare(Matrix features, Matrix targets)
    {
        HeadLoss.Prepare(_settings.Task, _scaling, features, targets, _x, _targets);
        _gated.SetRows(features.Rows);
        _gatedGradient.SetRows(features.Rows);
    }

    private float TaskLoss(Matrix output, bool computeGradients) =>
        HeadLoss.Compute(_settings.Task, output, _targets, computeGradients ? _head.OutputGradient : null);
}
