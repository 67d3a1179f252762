namespace Ml.Relaxation.MLNet.Data;

/// <summary>What a label column means, which decides the label types accepted and how values become float targets.</summary>
public enum LabelTask
{
    /// <summary>
    /// Two classes. Accepts <see cref="bool"/> (target 1 for true) or <see cref="float"/>/<see cref="double"/> holding
    /// exactly 0 or 1.
    /// </summary>
    BinaryClassification,

    /// <summary>
    /// Several classes. Accepts a key type (target = key - 1; key 0 means missing) or integral, <see cref="float"/> or
    /// <see cref="double"/> class indices that are whole numbers from 0 up.
    /// </summary>
    MulticlassClassification,

    /// <summary>A real value. Accepts <see cref="float"/> or <see cref="double"/>.</summary>
    Regression,
}
