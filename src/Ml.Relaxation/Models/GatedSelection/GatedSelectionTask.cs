namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>The prediction task the gated selector's head is trained on.</summary>
public enum GatedSelectionTask
{
    /// <summary>Two classes; the head outputs one logit, trained with binary cross-entropy.</summary>
    BinaryClassification,

    /// <summary>Two or more classes; the head outputs one logit per class, trained with softmax cross-entropy.</summary>
    MulticlassClassification,

    /// <summary>A real-valued label (standardized internally); the head outputs one value, trained with squared error.</summary>
    Regression,
}
