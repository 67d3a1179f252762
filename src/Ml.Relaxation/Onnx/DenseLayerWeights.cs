namespace Ml.Relaxation.Onnx;

/// <summary>
/// The weights of one fully connected layer as an ONNX <c>Gemm</c> needs them: <c>y = x W + b</c> with
/// <see cref="Weight"/> row-major [<see cref="Inputs"/> x <see cref="Outputs"/>] and <see cref="Bias"/> [<see cref="Outputs"/>].
/// </summary>
internal sealed record DenseLayerWeights(float[] Weight, float[] Bias, int Inputs, int Outputs)
{
    /// <summary>Checks that the arrays match the declared sizes.</summary>
    public void Validate(string paramName)
    {
        if (Inputs <= 0 || Outputs <= 0 || Weight.Length != (long)Inputs * Outputs || Bias.Length != Outputs)
            throw new ArgumentException(
                $"A {Inputs} x {Outputs} layer needs {(long)Inputs * Outputs} weights and {Outputs} biases; got {Weight.Length} and {Bias.Length}.",
                paramName);
    }
}
