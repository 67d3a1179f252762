using CsCheck;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Properties;

/// <summary>
/// Properties of the relaxation kernels over random shapes, logits (including masked and very large ones) and
/// temperatures: outputs finite, on the simplex, gates within [0, 1], gradients finite and consistent.
/// </summary>
public class RelaxationPropertyTests
{
    private const int Iterations = 250;

    private static void Check(Gen<RelaxationCase> gen, Action<RelaxationCase> property) =>
        gen.Sample(property, iter: Iterations, threads: 1, print: c => c.ToString());

    private static void AssertFinite(ReadOnlySpan<float> values, string what)
    {
        for (int i = 0; i < values.Length; i++)
            Assert.True(float.IsFinite(values[i]), $"{what}[{i}] = {values[i]}");
    }

    /// <summary>Each row of <paramref name="y"/> is on the simplex: entries in [0, 1] summing to 1 within float rounding.</summary>
    private static void AssertOnSimplex(RelaxationCase c, ReadOnlySpan<float> y)
    {
        AssertFinite(y, "y");
        for (int r = 0; r < c.Rows; r++)
        {
            double sum = 0;
            for (int k = 0; k < c.Categories; k++)
            {
                float v = y[r * c.Categories + k];
                Assert.InRange(v, 0f, 1f);
                if (float.IsNegativeInfinity(c.Logits[r * c.Categories + k])) Assert.Equal(0f, v);
                sum += v;
            }
            // Each entry is rounded once after a division: K half-ulps of 1 at most, with margin.
            Assert.True(Math.Abs(sum - 1) <= 4e-7 * c.Categories + 1e-7, $"row {r} sums to {sum:R}");
        }
    }

    [Fact]
    public void Gumbel_softmax_samples_lie_on_the_simplex_for_any_logits_and_temperature()
    {
        foreach (var gen in new[] { RelaxationGen.Cases(50, 0.01, 10, mask: true), RelaxationGen.Cases(1e4f, 1e-3, 100, mask: true) })
            Check(gen, c =>
            {
                var y = new float[c.Logits.Length];
                GumbelSoftmax.Sample(new RandomSource(c.Seed), c.Logits, c.Categories, c.Tau, y);
                AssertOnSimplex(c, y);
            });
    }

    [Fact]
    public void Straight_through_samples_are_one_hot_at_the_argmax_of_the_soft_sample()
    {
        Check(RelaxationGen.Cases(50, 0.01, 10, mask: true), c =>
        {
            int n = c.Logits.Length;
            var oneHot = new float[n];
            var soft = new float[n];
            var indices = new int[c.Rows];
            GumbelSoftmax.SampleHard(new RandomSource(c.Seed), c.Logits, c.Categories, c.Tau, oneHot, indices, soft);
            AssertOnSimplex(c, soft);
            for (int r = 0; r < c.Rows; r++)
            {
                var row = soft.AsSpan(r * c.Categories, c.Categories);
                Assert.Equal(row[indices[r]], TensorMax(row));
                Assert.False(float.IsNegativeInfinity(c.Logits[r * c.Categories + indices[r]]), "a masked category was chosen");
                for (int k = 0; k < c.Categories; k++) Assert.Equal(k == indices[r] ? 1f : 0f, oneHot[r * c.Categories + k]);
            }
        });
    }

    private static float TensorMax(ReadOnlySpan<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (var v in row) max = Math.Max(max, v);
        return max;
    }

    [Fact]
    public void Gumbel_softmax_gradients_are_finite_and_sum_to_zero_per_row()
    {
        // d/dl of a softmax is orthogonal to the all-ones direction: shifting every logit of a row changes nothing.
        var gen = RelaxationGen.Cases(50, 0.01, 10, mask: true).SelectMany(c => Gen.Float[-10, 10].Array[c.Logits.Length].Select(dy => (c, dy)));
        gen.Sample((Action<RelaxationCase, float[]>)((c, dy) =>
        {
            var y = new float[c.Logits.Length];
            GumbelSoftmax.Sample(new RandomSource(c.Seed), c.Logits, c.Categories, c.Tau, y);
            var dLogits = new float[y.Length];
            GumbelSoftmax.Backward(y, dy, c.Categories, c.Tau, dLogits);
            AssertFinite(dLogits, "dLogits");
            double dTau = GumbelSoftmax.TemperatureGradient(y, dy, c.Categories, c.Tau);
            Assert.True(double.IsFinite(dTau), $"dL/dtau = {dTau}");
            for (int r = 0; r < c.Rows; r++)
            {
                double sum = 0, scale = 0;
                for (int k = 0; k < c.Categories; k++)
                {
                    int i = r * c.Categories + k;
                    sum += dLogits[i];
                    scale += Math.Abs(y[i] * dy[i]);
                }
                Assert.True(Math.Abs(sum) <= 1e-5 * (2 * scale / c.Tau) + 1e-30, $"row {r}: gradient sums to {sum:R} (scale {scale / c.Tau:R})");
            }
        }), iter: Iterations, threads: 1, print: t => $"{t.Item1}, dy [{string.Join(", ", t.Item2)}]");
    }

    [Fact]
    public void Gumbel_softmax_gradient_matches_central_differences_on_random_cases()
    {
        // Same seed, same noise: y is a smooth function of the logits. Loss L = sum_k w_k y_k; compare dL/dl with
        // central differences in float (step 1e-2, tolerance from the O(h^2) error and float rounding).
        var gen = RelaxationGen.Cases(3, 0.5, 5, mask: false, maxRows: 3, maxCategories: 6)
            .SelectMany(c => Gen.Float[-1, 1].Array[c.Logits.Length].Select(w => (c, w)));
        gen.Sample((Action<RelaxationCase, float[]>)((c, w) =>
        {
            float Loss(float[] logits)
            {
                var y = new float[logits.Length];
                GumbelSoftmax.Sample(new RandomSource(c.Seed), logits, c.Categories, c.Tau, y);
                double sum = 0;
                for (int i = 0; i < y.Length; i++) sum += w[i] * y[i];
                return (float)sum;
            }
            var soft = new float[c.Logits.Length];
            GumbelSoftmax.Sample(new RandomSource(c.Seed), c.Logits, c.Categories, c.Tau, soft);
            var grad = new float[soft.Length];
            GumbelSoftmax.Backward(soft, w, c.Categories, c.Tau, grad);
            const float h = 1e-2f;
            for (int i = 0; i < c.Logits.Length; i++)
            {
                var plus = (float[])c.Logits.Clone();
                var minus = (float[])c.Logits.Clone();
                plus[i] += h;
                minus[i] -= h;
                double numeric = (Loss(plus) - Loss(minus)) / (2.0 * h);
                Assert.True(Math.Abs(numeric - grad[i]) <= 2e-3 + 2e-2 * Math.Abs(grad[i]), $"logit {i}: analytic {grad[i]:R}, numeric {numeric:R}");
            }
        }), iter: 100, threads: 1, print: t => $"{t.Item1}, w [{string.Join(", ", t.Item2)}]");
    }

    [Fact]
    public void Concrete_log_samples_normalize_and_have_finite_density()
    {
        Check(RelaxationGen.Cases(50, 0.05, 10, mask: false), c =>
        {
            var logY = new float[c.Logits.Length];
            Concrete.SampleLog(new RandomSource(c.Seed), c.Logits, c.Categories, c.Tau, logY);
            AssertFinite(logY, "log y");
            for (int r = 0; r < c.Rows; r++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int k = 0; k < c.Categories; k++) max = Math.Max(max, logY[r * c.Categories + k]);
                for (int k = 0; k < c.Categories; k++) sum += Math.Exp(logY[r * c.Categories + k] - max);
                double logSumExp = max + Math.Log(sum);
                Assert.True(Math.Abs(logSumExp) <= 1e-5 * c.Categories, $"row {r}: logsumexp(log y) = {logSumExp:R}");
            }
            var density = new float[c.Rows];
            Concrete.ExpConcreteLogDensity(c.Logits, logY, c.Categories, c.Tau, density);
            AssertFinite(density, "log density");
        });
    }

    [Fact]
    public void Binary_concrete_samples_and_gradients_stay_in_range_for_extreme_logits()
    {
        var gen = RelaxationGen.Cases(1e4f, 1e-3, 100, mask: false).SelectMany(c => Gen.Float[-10, 10].Array[c.Logits.Length].Select(dy => (c, dy)));
        gen.Sample((Action<RelaxationCase, float[]>)((c, dy) =>
        {
            int n = c.Logits.Length;
            var y = new float[n];
            BinaryConcrete.Sample(new RandomSource(c.Seed), c.Logits, c.Tau, y);
            AssertFinite(y, "y");
            foreach (var v in y) Assert.InRange(v, 0f, 1f);
            var hard = new float[n];
            var soft = new float[n];
            BinaryConcrete.SampleStraightThrough(new RandomSource(c.Seed), c.Logits, c.Tau, hard, soft);
            for (int i = 0; i < n; i++)
            {
                Assert.True(hard[i] is 0f or 1f, $"hard[{i}] = {hard[i]}");
                Assert.Equal(y[i], soft[i]); // same seed, same soft sample
            }
            var dLogits = new float[n];
            BinaryConcrete.Backward(soft, dy, c.Tau, dLogits);
            AssertFinite(dLogits, "dLogits");
            // |dy * y (1 - y) / tau| <= |dy| / (4 tau).
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(dLogits[i]) <= Math.Abs(dy[i]) / (4 * c.Tau) * (1 + 1e-5) + 1e-30, $"dLogits[{i}] = {dLogits[i]}");
        }), iter: Iterations, threads: 1, print: t => $"{t.Item1}, dy [{string.Join(", ", t.Item2)}]");
    }

    [Fact]
    public void Hard_concrete_gates_lie_in_the_unit_interval_with_finite_derivatives()
    {
        var gen = RelaxationGen.Cases(1e3f, 0.1, 1, mask: false, maxRows: 6, maxCategories: 16);
        Check(gen, c =>
        {
            // Use each case's first row as the log alphas of D gates and its row count as the number of samples.
            var logAlpha = c.Logits.AsSpan(0, c.Categories).ToArray();
            var beta = new HardConcreteParameters(beta: c.Tau);
            int total = c.Rows * logAlpha.Length;
            var z = new float[total];
            var dz = new float[total];
            HardConcrete.Sample(new RandomSource(c.Seed), logAlpha, c.Rows, z, dz, beta);
            for (int i = 0; i < total; i++)
            {
                Assert.InRange(z[i], 0f, 1f);
                Assert.True(float.IsFinite(dz[i]) && dz[i] >= 0, $"dz[{i}] = {dz[i]}");
                if (z[i] is 0f or 1f) Assert.Equal(0f, dz[i]); // the clamp is flat
            }
            var gate = new float[logAlpha.Length];
            var nonZero = new float[logAlpha.Length];
            var zero = new float[logAlpha.Length];
            var one = new float[logAlpha.Length];
            var l0Gradient = new float[logAlpha.Length];
            HardConcrete.TestTimeGate(logAlpha, gate, beta);
            HardConcrete.ProbabilityNonZero(logAlpha, nonZero, beta);
            HardConcrete.ProbabilityZero(logAlpha, zero, beta);
            HardConcrete.ProbabilityOne(logAlpha, one, beta);
            HardConcrete.ExpectedL0Gradient(logAlpha, l0Gradient, beta);
            for (int d = 0; d < logAlpha.Length; d++)
            {
                Assert.InRange(gate[d], 0f, 1f);
                Assert.InRange(nonZero[d], 0f, 1f);
                Assert.InRange(one[d], 0f, nonZero[d]);
                Assert.True(Math.Abs(nonZero[d] + zero[d] - 1) <= 1e-6, $"P(z=0) + P(z!=0) = {nonZero[d] + zero[d]:R}");
                Assert.InRange(l0Gradient[d], 0f, 0.25f);
            }
            double l0 = HardConcrete.ExpectedL0(logAlpha, beta);
            Assert.InRange(l0, 0, logAlpha.Length);
        });
    }
}
