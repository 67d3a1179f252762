using System.Numerics.Tensors;
using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>The task loss of a selector's head, shared by the gated model and the Concrete selector model.</summary>
internal static class HeadLoss
{
    /// <summary>
    /// Mean loss of <paramref name="output"/> against <paramref name="targets"/>: binary cross-entropy on logits, softmax
    /// cross-entropy on class indices, or half the squared error (the Gaussian negative log-likelihood in nats, up to a
    /// constant) on standardized targets. Writes dL/doutput into <paramref name="gradient"/> unless it is null.
    /// </summary>
    public static float Compute(LabelTask task, Matrix output, Matrix targets, Matrix? gradient)
    {
        switch (task)
        {
            case LabelTask.BinaryClassification: return Losses.BinaryCrossEntropyWithLogits(output, targets, gradient);
            case LabelTask.MulticlassClassification: return Losses.SoftmaxCrossEntropy(output, targets, gradient);
            default:
                float loss = 0.5f * Losses.MeanSquaredError(output, targets, gradient);
                if (gradient is not null) TensorPrimitives.Multiply(gradient.AsSpan(), 0.5f, gradient.AsSpan());
                return loss;
        }
    }

    /// <summary>
    /// Standardizes <paramref name="features"/> into <paramref name="x"/>, and copies the targets into
    /// <paramref name="y"/> (standardized for regression); sets both buffers' row counts.
    /// </summary>
    public static void Prepare(LabelTask task, FeatureScaling scaling, Matrix features, Matrix targets, Matrix x, Matrix y)
    {
        int n = features.Rows;
        if (n > x.RowCapacity) throw new ArgumentException($"Expected at most {x.RowCapacity} rows per batch, got {n}.", nameof(features));
        if (features.Cols != scaling.FeatureCount)
            throw new ArgumentException($"Expected {scaling.FeatureCount} feature columns, got {features.Cols}.", nameof(features));
        if (targets.Rows != n || targets.Cols != 1)
            throw new ArgumentException($"Expected [{n} x 1] targets, got [{targets.Rows} x {targets.Cols}].", nameof(targets));
        x.SetRows(n);
        y.SetRows(n);
        scaling.Standardize(features, x);
        if (task == LabelTask.Regression) scaling.StandardizeTargets(targets, y);
        else targets.AsSpan().CopyTo(y.AsSpan());
    }
}
