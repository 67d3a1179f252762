using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Tests.Engine;

public class ActivationTests
{
    private delegate void Forward(ReadOnlySpan<float> x, Span<float> y);
    private delegate void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    private static void CheckElementwise(Forward forward, Backward backward, string what)
    {
        float[] x = GradientCheck.Random(1, 40, 20, -3f, 3f).AsSpan().ToArray();
        for (int i = 0; i < x.Length; i++) if (MathF.Abs(x[i]) < 0.01f) x[i] = 0.5f; // keep ReLU's kink out of reach of h
        float[] probe = GradientCheck.Random(1, 40, 21).AsSpan().ToArray();
        var y = new float[x.Length];
        double Loss()
        {
            forward(x, y);
            return GradientCheck.Probe(y, probe);
        }
        Loss();
        var dx = new float[x.Length];
        backward(y, probe, dx);
        GradientCheck.Check(x, dx, Loss, what);
    }

    [Fact]
    public void Relu_backward_matches_finite_differences() => CheckElementwise(Activations.Relu, Activations.ReluBackward, "relu");

    [Fact]
    public void Sigmoid_backward_matches_finite_differences() => CheckElementwise(Activations.Sigmoid, Activations.SigmoidBackward, "sigmoid");

    [Fact]
    public void Tanh_backward_matches_finite_differences() => CheckElementwise(Activations.Tanh, Activations.TanhBackward, "tanh");

    [Fact]
    public void Softmax_backward_matches_finite_differences()
    {
        CheckElementwise((x, y) => Activations.Softmax(x, y, 10), (y, dy, dx) => Activations.SoftmaxBackward(y, dy, dx, 10), "softmax");
    }

    [Fact]
    public void Forward_values_match_the_formulas()
    {
        float[] x = [-2f, 0f, 3f];
        var y = new float[3];
        Activations.Relu(x, y);
        Assert.Equal(new[] { 0f, 0f, 3f }, y);
        Activations.Sigmoid(x, y);
        for (int i = 0; i < 3; i++) Assert.Equal(1 / (1 + Math.Exp(-x[i])), y[i], 6);
        float[] big = [1000f, 0f, -1000f, 1f, 2f, 3f];
        var s = new float[6];
        Activations.Softmax(big, s, 3);
        Assert.Equal(new[] { 1f, 0f, 0f }, s[..3]);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        for (int i = 0; i < 3; i++) Assert.Equal(Math.Exp(i + 1) / z, s[3 + i], 6);
        Assert.Throws<ArgumentException>(() => Activations.Softmax(big, s, 4));
    }

    [Fact]
    public void LogSoftmax_is_stable_exact_for_masked_logits_and_matches_a_double_reference()
    {
        float[] x = [1000f, 0f, -1000f, float.NegativeInfinity, 2f, 3f, 1f, -0.5f, 0.25f];
        var y = new float[9];
        Activations.LogSoftmax(x, y, 3);
        Assert.Equal(0f, y[0]);
        Assert.Equal(-1000f, y[1]);
        Assert.Equal(float.NegativeInfinity, y[3]); // a masked category has log-probability -inf, not NaN
        for (int g = 3; g < 9; g += 3)
        {
            double max = Enumerable.Range(g, 3).Max(i => (double)x[i]);
            double logSum = max + Math.Log(Enumerable.Range(g, 3).Sum(i => Math.Exp(x[i] - max)));
            for (int i = g; i < g + 3; i++)
                if (float.IsFinite(x[i])) Assert.Equal(x[i] - logSum, y[i], 5);
        }
        Assert.Throws<ArgumentException>(() => Activations.LogSoftmax(x, y, 4));
    }
}
