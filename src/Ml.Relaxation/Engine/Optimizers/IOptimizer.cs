namespace Ml.Relaxation.Engine;

/// <summary>Updates a fixed list of parameters from their accumulated gradients.</summary>
internal interface IOptimizer
{
    /// <summary>The parameters this optimizer updates.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The step size; may be changed between steps (e.g. by a schedule).</summary>
    float LearningRate { get; set; }

    /// <summary>Applies one update from the current gradients.</summary>
    void Step();

    /// <summary>Sets every parameter's gradient to zero.</summary>
    void ZeroGradients();
}
