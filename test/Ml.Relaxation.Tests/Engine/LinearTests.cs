using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.Engine;

public class LinearTests
{
    [Fact]
    public void Forward_is_x_times_W_plus_b()
    {
        var layer = new Linear(3, 2, new RandomSource(1));
        new float[] { 1, 2, 3, 4, 5, 6 }.CopyTo(layer.Weight.Value, 0); // W = [[1,2],[3,4],[5,6]]
        new float[] { 0.5f, -1 }.CopyTo(layer.Bias.Value, 0);
        var x = new Matrix(new float[] { 1, 0, -1, 2, 1, 0 }, 2, 3);
        var y = new Matrix(2, 2);
        layer.Forward(x, y);
        Assert.Equal(new float[] { 1 - 5 + 0.5f, 2 - 6 - 1, 2 + 3 + 0.5f, 4 + 4 - 1 }, y.AsSpan().ToArray());
    }

    [Fact]
    public void Backward_matches_finite_differences_for_weight_bias_and_input()
    {
        var layer = new Linear(7, 5, new RandomSource(2), Initialization.He);
        GradientCheck.Random(1, 5, 3).AsSpan().CopyTo(layer.Bias.Value);
        Matrix x = GradientCheck.Random(4, 7, 4), probe = GradientCheck.Random(4, 5, 5);
        var y = new Matrix(4, 5);
        double Loss()
        {
            layer.Forward(x, y);
            return GradientCheck.Probe(y.AsSpan(), probe.AsSpan());
        }
        var dx = new Matrix(4, 7);
        layer.Backward(x, probe, dx); // dL/dy = probe
        GradientCheck.Check(layer.Weight.Value, layer.Weight.Gradient, Loss, "dW");
        GradientCheck.Check(layer.Bias.Value, layer.Bias.Gradient, Loss, "db");
        GradientCheck.Check(x.Data, dx.Data, Loss, "dx");
    }

    [Fact]
    public void Parameter_gradients_accumulate_across_backward_calls()
    {
        var layer = new Linear(3, 2, new RandomSource(6));
        Matrix x = GradientCheck.Random(2, 3, 7), dy = GradientCheck.Random(2, 2, 8);
        layer.Backward(x, dy, null);
        float[] once = layer.Weight.Gradient.ToArray();
        layer.Backward(x, dy, null);
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], layer.Weight.Gradient[i], 5);
    }

    [Theory]
    [InlineData(nameof(Initialization.Glorot))]
    [InlineData(nameof(Initialization.He))]
    public void Initial_weights_are_uniform_with_the_scheme_bound_and_reproducible(string scheme)
    {
        var init = Enum.Parse<Initialization>(scheme); // by name: the engine's types are internal, a public test method cannot take one
        const int inputs = 200, outputs = 100, count = inputs * outputs;
        float limit = init == Initialization.Glorot ? MathF.Sqrt(6f / (inputs + outputs)) : MathF.Sqrt(6f / inputs);
        var layer = new Linear(inputs, outputs, new RandomSource(10), init);
        float[] w = layer.Weight.Value;
        Assert.All(w, v => Assert.InRange(v, -limit, limit));
        // U(-a, a): mean 0 with sd a/sqrt(3n); variance a^2/3 with sd of the estimate a^2 sqrt(4/45 / n). Allow 4 sd.
        double mean = w.Average(v => (double)v), variance = w.Average(v => (double)v * v);
        Assert.InRange(mean, -4 * limit / Math.Sqrt(3.0 * count), 4 * limit / Math.Sqrt(3.0 * count));
        double expectedVariance = limit * limit / 3.0, sdVariance = limit * limit * Math.Sqrt(4.0 / 45 / count);
        Assert.InRange(variance, expectedVariance - 4 * sdVariance, expectedVariance + 4 * sdVariance);
        Assert.All(layer.Bias.Value, v => Assert.Equal(0f, v));
        Assert.Equal(w, new Linear(inputs, outputs, new RandomSource(10), init).Weight.Value);
        Assert.NotEqual(w, new Linear(inputs, outputs, new RandomSource(11), init).Weight.Value);
    }

    [Fact]
    public void Wrong_shapes_are_rejected_naming_the_argument()
    {
        var layer = new Linear(3, 2, new RandomSource(1));
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => layer.Forward(new Matrix(2, 4), new Matrix(2, 2))).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => layer.Forward(new Matrix(2, 3), new Matrix(3, 2))).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => layer.Backward(new Matrix(2, 3), new Matrix(2, 2), new Matrix(2, 2))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 2, new RandomSource(1)));
    }
}
