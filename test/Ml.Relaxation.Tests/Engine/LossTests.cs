using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Tests.Engine;

public class LossTests
{
    [Fact]
    public void Binary_cross_entropy_matches_the_formula_and_finite_differences()
    {
        Matrix z = GradientCheck.Random(5, 6, 30, -4f, 4f), t = GradientCheck.Random(5, 6, 31, 0f, 1f);
        var g = new Matrix(5, 6);
        Assert.Equal(Reference(z, t), Losses.BinaryCrossEntropyWithLogits(z, t, g), 4);
        GradientCheck.Check(z.Data, g.Data, () => Losses.BinaryCrossEntropyWithLogits(z, t), "dz");
    }

    [Fact]
    public void Binary_cross_entropy_stays_finite_at_saturated_logits()
    {
        // -log sigmoid(-60) = 60 + log(1 + e^-60) = 60 to float precision; the gradient is sigmoid(z) - t = +-1.
        // Ten elements: eight through the vector lanes, two through the scalar tail.
        float[] pair = [60f, -60f], targetPair = [0f, 1f];
        var z = new Matrix(Enumerable.Repeat(pair, 5).SelectMany(v => v).ToArray(), 1, 10);
        var t = new Matrix(Enumerable.Repeat(targetPair, 5).SelectMany(v => v).ToArray(), 1, 10);
        var g = new Matrix(1, 10);
        Assert.Equal(600f, Losses.BinaryCrossEntropyWithLogits(z, t, g), 2);
        Assert.Equal(Enumerable.Repeat(new[] { 1f, -1f }, 5).SelectMany(v => v), g.AsSpan().ToArray());
    }

    private static double Reference(Matrix z, Matrix t)
    {
        double sum = 0;
        for (int r = 0; r < z.Rows; r++)
            for (int c = 0; c < z.Cols; c++)
            {
                double p = 1 / (1 + Math.Exp(-(double)z[r, c]));
                sum -= t[r, c] * Math.Log(p) + (1 - t[r, c]) * Math.Log(1 - p);
            }
        return sum / z.Rows;
    }

    [Fact]
    public void Softmax_cross_entropy_matches_the_formula_and_finite_differences()
    {
        Matrix z = GradientCheck.Random(4, 5, 32, -3f, 3f);
        var labels = new Matrix(new float[] { 0, 4, 2, 2 }, 4, 1);
        double expected = 0;
        for (int r = 0; r < 4; r++)
        {
            double s = 0;
            for (int c = 0; c < 5; c++) s += Math.Exp(z[r, c]);
            expected += Math.Log(s) - z[r, (int)labels[r, 0]];
        }
        var g = new Matrix(4, 5);
        Assert.Equal(expected / 4, Losses.SoftmaxCrossEntropy(z, labels, g), 4);
        GradientCheck.Check(z.Data, g.Data, () => Losses.SoftmaxCrossEntropy(z, labels), "dz");
        labels[1, 0] = 5;
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(z, labels)).ParamName);
        labels[1, 0] = 1.5f;
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(z, labels)).ParamName);
    }

    [Fact]
    public void Softmax_losses_do_not_lose_accuracy_at_large_logits()
    {
        // Softmax is shift-invariant, and 3000 + x is exact in float for these x (multiples of 1/4096, |x| < 3): the
        // losses must agree with the unshifted ones to float accuracy of the small values (the old form, max + log(sum),
        // rounded the log-sum to 2.4e-4, the float spacing at 3000).
        var z = GradientCheck.Random(6, 20, 41, -3f, 3f);
        for (int i = 0; i < z.Data.Length; i++) z.Data[i] = MathF.Round(z.Data[i] * 4096f) / 4096f;
        var shifted = new Matrix(6, 20);
        for (int i = 0; i < z.Data.Length; i++) shifted.Data[i] = z.Data[i] + 3000f;
        var labels = new Matrix(new float[] { 0, 19, 7, 7, 3, 11 }, 6, 1);
        Assert.Equal(Losses.SoftmaxCrossEntropy(z, labels), Losses.SoftmaxCrossEntropy(shifted, labels), 1e-6f);
        Assert.Equal(Losses.CategoricalKlFromUniform(z, 2, 10), Losses.CategoricalKlFromUniform(shifted, 2, 10), 1e-6f);
        var prior = GradientCheck.Random(1, 20, 42, -1f, 1f).Data;
        Assert.Equal(Losses.CategoricalKl(z, prior, 2, 10), Losses.CategoricalKl(shifted, prior, 2, 10), 1e-6f);
        var y = new float[20]; var yShifted = new float[20];
        Activations.LogSoftmax(z.Row(0), y, 10);
        Activations.LogSoftmax(shifted.Row(0), yShifted, 10);
        for (int j = 0; j < 20; j++) Assert.Equal(y[j], yShifted[j], 1e-6f);
    }

    [Fact]
    public void Mean_squared_error_matches_the_formula_and_finite_differences()
    {
        Matrix p = GradientCheck.Random(3, 4, 33), t = GradientCheck.Random(3, 4, 34);
        double expected = 0;
        for (int i = 0; i < 12; i++) expected += Math.Pow(p.Data[i] - t.Data[i], 2);
        var g = new Matrix(3, 4);
        Assert.Equal(expected / 3, Losses.MeanSquaredError(p, t, g), 5);
        GradientCheck.Check(p.Data, g.Data, () => Losses.MeanSquaredError(p, t), "dp");
    }

    private static double KlReference(Matrix z, float[]? prior, int latents, int k)
    {
        double total = 0;
        for (int r = 0; r < z.Rows; r++)
            for (int l = 0; l < latents; l++)
            {
                double zq = 0, zp = 0;
                for (int j = 0; j < k; j++)
                {
                    zq += Math.Exp(z[r, l * k + j]);
                    zp += prior is null ? 1 : Math.Exp(prior[l * k + j]);
                }
                for (int j = 0; j < k; j++)
                {
                    double q = Math.Exp(z[r, l * k + j]) / zq;
                    double p = (prior is null ? 1 : Math.Exp(prior[l * k + j])) / zp;
                    total += q * Math.Log(q / p);
                }
            }
        return total / z.Rows;
    }

    [Fact]
    public void Kl_from_uniform_matches_the_formula_and_finite_differences()
    {
        const int latents = 3, k = 4;
        Matrix z = GradientCheck.Random(5, latents * k, 35, -2f, 2f);
        var g = new Matrix(5, latents * k);
        Assert.Equal(KlReference(z, null, latents, k), Losses.CategoricalKlFromUniform(z, latents, k, g), 4);
        GradientCheck.Check(z.Data, g.Data, () => Losses.CategoricalKlFromUniform(z, latents, k), "dz");
        Assert.Equal(0f, Losses.CategoricalKlFromUniform(new Matrix(2, latents * k), latents, k), 6); // q uniform: KL 0
    }

    [Fact]
    public void Kl_from_learned_prior_matches_the_formula_and_finite_differences_for_both_logits()
    {
        const int latents = 2, k = 5;
        Matrix z = GradientCheck.Random(6, latents * k, 36, -2f, 2f);
        float[] prior = GradientCheck.Random(1, latents * k, 37, -1.5f, 1.5f).AsSpan().ToArray();
        var g = new Matrix(6, latents * k);
        var pg = new float[latents * k];
        float loss = Losses.CategoricalKl(z, prior, latents, k, g, pg);
        Assert.Equal(KlReference(z, prior, latents, k), loss, 4);
        GradientCheck.Check(z.Data, g.Data, () => Losses.CategoricalKl(z, prior, latents, k), "dz");
        GradientCheck.Check(prior, pg, () => Losses.CategoricalKl(z, prior, latents, k), "dprior");
    }

    [Fact]
    public void Accumulate_adds_the_gradient_to_the_buffer()
    {
        Matrix p = GradientCheck.Random(3, 4, 38), t = GradientCheck.Random(3, 4, 39);
        var g = new Matrix(3, 4);
        Losses.MeanSquaredError(p, t, g);
        float[] once = g.AsSpan().ToArray();
        Losses.MeanSquaredError(p, t, g, accumulate: true);
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], g.Data[i], 6);
    }

    [Fact]
    public void Mismatched_shapes_are_rejected_naming_the_argument()
    {
        var z = new Matrix(2, 6);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError(z, new Matrix(2, 5))).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => Losses.BinaryCrossEntropyWithLogits(z, new Matrix(2, 6), new Matrix(1, 6))).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Losses.CategoricalKlFromUniform(z, 4, 2)).ParamName);
        Assert.Equal("priorLogits", Assert.Throws<ArgumentException>(() => Losses.CategoricalKl(z, new float[5], 3, 2)).ParamName);
    }
}
