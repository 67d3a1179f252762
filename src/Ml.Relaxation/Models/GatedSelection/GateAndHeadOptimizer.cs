using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// Adam on log_alpha and AdamW on the head, each with its own learning rate, driven as one optimizer. The gates get no
/// weight decay: their only regularizer is the L0 penalty.
/// </summary>
internal sealed class GateAndHeadOptimizer : IOptimizer
{
    private readonly Adam _gates, _head;

    public GateAndHeadOptimizer(Parameter logAlpha, IReadOnlyList<Parameter> head, float gateLearningRate, float headLearningRate,
        float headWeightDecay)
    {
        _gates = new Adam([logAlpha], gateLearningRate);
        _head = new Adam(head, headLearningRate, weightDecay: headWeightDecay);
        Parameters = [logAlpha, .. head];
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The head's rate; setting it scales the gates' rate by the same factor.</summary>
    public float LearningRate
    {
        get => _head.LearningRate;
        set
        {
            _gates.LearningRate *= value / _head.LearningRate;
            _head.LearningRate = value;
        }
    }

    /// <summary>While true, <see cref="Step"/> leaves log_alpha (and its Adam moments) untouched: the head warms up alone.</summary>
    public bool GatesFrozen { get; set; }

    public void Step()
    {
        if (!GatesFrozen) _gates.Step();
        _head.Step();
    }

    public void ZeroGradients()
    {
        _gates.ZeroGradients();
        _head.ZeroGradients();
    }
}
