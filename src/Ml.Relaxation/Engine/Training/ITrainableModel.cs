namespace Ml.Relaxation.Engine;

/// <summary>
/// What <see cref="TrainingLoop"/> drives. The loop zeroes gradients, calls <see cref="TrainStep"/> (forward and
/// backward: the model adds its gradients into its <see cref="Parameters"/>), optionally clips, and steps the
/// optimizer. Early stopping snapshots and restores <see cref="Parameter.Value"/> of <see cref="Parameters"/>, so
/// everything learned must live there.
/// </summary>
internal interface ITrainableModel
{
    /// <summary>All trainable parameters, in a fixed order.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Forward and backward on one mini-batch; adds gradients of the batch loss and returns that loss (a mean over rows).</summary>
    /// <param name="batch">The mini-batch; it may be reused by the source after the call returns.</param>
    /// <param name="step">Where training stands (epoch, global step), e.g. for stochastic layers' random streams.</param>
    float TrainStep(Batch batch, TrainingStep step);

    /// <summary>
    /// Evaluates on <paramref name="source"/> without changing parameters and returns the validation metric that early
    /// stopping watches (see <see cref="TrainingOptions.HigherIsBetter"/>). May add further named metrics to
    /// <paramref name="metrics"/>, which the loop reports in <see cref="EpochReport.Metrics"/>.
    /// </summary>
    double Evaluate(IBatchSource source, IDictionary<string, double> metrics);
}
