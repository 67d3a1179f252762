namespace Ml.Relaxation.Data;

/// <summary>
/// What a label means. It decides which label column types the estimators accept, how a label value becomes the
/// float target a model trains on, and the loss the gated selector's head is trained with.
/// </summary>
public enum LabelTask
{
    /// <summary>
    /// Two classes. Accepts <see cref="bool"/> (target 1 for true) or <see cref="float"/>/<see cref="double"/> holding
    /// exactly 0 or 1. The selector's head outputs one logit, trained with binary cross-entropy.
    /// </summary>
    BinaryClassification,

    /// <summary>
    /// Two or more classes. Accepts a key type (target = key - 1; key 0 means missing) or integral, <see cref="float"/>
    /// or <see cref="double"/> class indices that are whole numbers from 0 up. The selector's head outputs one logit per
    /// class, trained with softmax cross-entropy.
    /// </summary>
    MulticlassClassification,

    /// <summary>
    /// A real value. Accepts <see cref="float"/> or <see cref="double"/>. The selector standardizes it internally; its
    /// head outputs one value, trained with squared error.
    /// </summary>
    Regression,
}
