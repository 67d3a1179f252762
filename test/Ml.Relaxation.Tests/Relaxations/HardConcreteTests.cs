using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;
using Ml.Relaxation.Tests.Reliability;

namespace Ml.Relaxation.Tests.Relaxations;

public class HardConcreteTests
{
    private const double Gamma = -0.1, Zeta = 1.1, Beta = 2.0 / 3.0;
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Empirical_probabilities_of_exact_zero_and_one_match_the_closed_forms()
    {
        var logAlpha = new[] { -4f, -2f, -0.5f, 0f, 0.7f, 2f, 4f };
        int d = logAlpha.Length;
        const int rows = 100_000;
        var z = new float[rows * d];
        HardConcrete.Sample(new RandomSource(31), logAlpha, rows, z, default);
        var p0 = new float[d]; var p1 = new float[d]; var pNonZero = new float[d];
        HardConcrete.ProbabilityZero(logAlpha, p0);
        HardConcrete.ProbabilityOne(logAlpha, p1);
        HardConcrete.ProbabilityNonZero(logAlpha, pNonZero);
        for (int j = 0; j < d; j++)
        {
            // Closed forms written out here from the paper's definition: z = 0 iff s <= -gamma/(zeta-gamma), z = 1 iff s >= (1-gamma)/(zeta-gamma).
            double q0 = Sigmoid(Beta * Math.Log(-Gamma / Zeta) - logAlpha[j]);
            double q1 = 1 - Sigmoid(Beta * Math.Log((1 - Gamma) / (Zeta - 1)) - logAlpha[j]);
            Assert.Equal(q0, p0[j], 5);
            Assert.Equal(q1, p1[j], 5);
            Assert.Equal(1 - q0, pNonZero[j], 5);
            int zeros = 0, ones = 0;
            for (int r = 0; r < rows; r++)
            {
                float v = z[r * d + j];
                Assert.InRange(v, 0f, 1f);
                if (v == 0f) zeros++;
                if (v == 1f) ones++;
            }
            Assert.InRange(zeros / (double)rows, q0 - Statistics.ProportionTolerance(q0, rows), q0 + Statistics.ProportionTolerance(q0, rows));
            Assert.InRange(ones / (double)rows, q1 - Statistics.ProportionTolerance(q1, rows), q1 + Statistics.ProportionTolerance(q1, rows));
        }
    }

    [Fact]
    public void Sample_gradient_matches_finite_differences_and_is_zero_where_clamped()
    {
        var logAlpha = new[] { -3f, -1f, -0.2f, 0.4f, 1.3f, 3f };
        int d = logAlpha.Length;
        const int rows = 40;
        var z = new float[rows * d]; var grad = new float[rows * d];
        HardConcrete.Sample(new RandomSource(5), logAlpha, rows, z, grad);
        const float h = 1e-3f;
        int interior = 0, clamped = 0;
        for (int j = 0; j < d; j++)
        {
            var plus = (float[])logAlpha.Clone(); plus[j] += h;
            var minus = (float[])logAlpha.Clone(); minus[j] -= h;
            var zp = new float[rows * d]; var zm = new float[rows * d];
            HardConcrete.Sample(new RandomSource(5), plus, rows, zp, default);
            HardConcrete.Sample(new RandomSource(5), minus, rows, zm, default);
            for (int r = 0; r < rows; r++)
            {
                int i = r * d + j;
                double numeric = (zp[i] - zm[i]) / (plus[j] - minus[j]);
                bool atClamp = z[i] == 0f || z[i] == 1f;
                bool crossesClamp = (zp[i] is 0f or 1f) != (zm[i] is 0f or 1f);
                if (crossesClamp) continue; // the derivative does not exist there
                if (atClamp) { Assert.Equal(0f, grad[i]); Assert.Equal(0.0, numeric); clamped++; continue; }
                Assert.True(Math.Abs(grad[i] - numeric) <= 2e-2 * Math.Max(0.05, Math.Abs(numeric)), $"gate {j} row {r}: analytic {grad[i]}, numeric {numeric}");
                interior++;
            }
        }
        Assert.True(interior > 50 && clamped > 20, $"interior {interior}, clamped {clamped}");
    }

    [Fact]
    public void Test_time_gate_is_exactly_zero_and_one_past_the_thresholds()
    {
        double threshold = Math.Log(-Gamma / (Zeta - Gamma) / (1 + Gamma / (Zeta - Gamma))); // logit(-gamma/(zeta-gamma)) = -2.398
        Assert.Equal(-2.3979, threshold, 4);
        var logAlpha = new[] { -10f, -2.40f, -2.39f, 0f, 2.39f, 2.40f, 10f };
        var gate = new float[logAlpha.Length];
        HardConcrete.TestTimeGate(logAlpha, gate);
        Assert.Equal(0f, gate[0]); Assert.Equal(0f, gate[1]);
        Assert.True(gate[2] > 0f && gate[2] < 0.001f);
        Assert.Equal(0.5f, gate[3], 6);
        Assert.True(gate[4] < 1f && gate[4] > 0.999f);
        Assert.Equal(1f, gate[5]); Assert.Equal(1f, gate[6]);
    }

    [Fact]
    public void Expected_L0_and_its_gradient_match_finite_differences()
    {
        var logAlpha = new[] { -5f, -1f, 0f, 0.5f, 2f, 6f };
        double l0 = HardConcrete.ExpectedL0(logAlpha);
        Assert.Equal(logAlpha.Sum(a => 1 - Sigmoid(Beta * Math.Log(-Gamma / Zeta) - a)), l0, 6);
        var grad = new float[logAlpha.Length];
        HardConcrete.ExpectedL0Gradient(logAlpha, grad);
        GradientCheck.AssertMatches(a => HardConcrete.ExpectedL0(a), logAlpha, grad, h: 1e-2f, relativeTolerance: 1e-3);
    }

    [Fact]
    public void Other_constants_are_honoured_and_invalid_ones_are_rejected()
    {
        var p = new HardConcreteParameters(gamma: -0.2, zeta: 1.5, beta: 0.5);
        var logAlpha = new[] { 0.3f };
        var p0 = new float[1];
        HardConcrete.ProbabilityZero(logAlpha, p0, p);
        Assert.Equal(Sigmoid(0.5 * Math.Log(0.2 / 1.5) - 0.3), p0[0], 5);
        const int rows = 100_000;
        var z = new float[rows];
        HardConcrete.Sample(new RandomSource(8), logAlpha, rows, z, default, p);
        double zeros = z.Count(v => v == 0f) / (double)rows;
        Assert.InRange(zeros, p0[0] - Statistics.ProportionTolerance(p0[0], rows), p0[0] + Statistics.ProportionTolerance(p0[0], rows));

        Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(gamma: 0)).ParamName);
        Assert.Equal("zeta", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(zeta: 1)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(beta: double.NaN)).ParamName);
        Assert.Equal("logAlpha", Assert.Throws<ArgumentException>(() => HardConcrete.ExpectedL0(new[] { float.NaN })).ParamName);
        Assert.Equal("z", Assert.Throws<ArgumentException>(() => HardConcrete.Sample(new RandomSource(1), new float[3], 2, new float[5], default)).ParamName);
        Assert.Equal("dzdLogAlpha", Assert.Throws<ArgumentException>(() => HardConcrete.Sample(new RandomSource(1), new float[3], 2, new float[6], new float[5])).ParamName);
    }

    [Fact]
    public void Gate_constants_are_checked_by_name_and_give_the_closed_form_probabilities_of_zero_and_one()
    {
        foreach (var g in new[] { 0.0, 0.5, double.NaN, double.NegativeInfinity })
            Assert.Equal("gamma", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(gamma: g)).ParamName);
        foreach (var z in new[] { 1.0, 0.5, double.NaN, double.PositiveInfinity })
            Assert.Equal("zeta", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(zeta: z)).ParamName);
        foreach (var b in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity, 1e-40 })
            Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(beta: b)).ParamName);
        Assert.Contains("gamma must be a finite number below 0", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(gamma: 1)).Message);
        Assert.Contains("zeta must be a finite number above 1", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(zeta: 0)).Message);
        Assert.Contains("beta must be a finite number of at least about 2.9e-39", Assert.Throws<ArgumentOutOfRangeException>(() => new HardConcreteParameters(beta: 0)).Message);
        var d = HardConcreteParameters.Default;
        Assert.Equal((-0.1, 1.1, 2.0 / 3.0), (d.Gamma, d.Zeta, d.Beta));
        var p = new HardConcreteParameters(gamma: -0.25, zeta: 1.5, beta: 0.8);
        Assert.Equal((-0.25, 1.5, 0.8), (p.Gamma, p.Zeta, p.Beta));
        Assert.StartsWith("HardConcrete(gamma=", p.ToString());
        // P(z = 0) = sigmoid(beta log(-gamma / zeta) - a), P(z = 1) = sigmoid(a - beta log((1 - gamma) / (zeta - 1))).
        var a = new[] { -1f, 0f, 0.7f };
        var p0 = new float[3];
        var p1 = new float[3];
        HardConcrete.ProbabilityZero(a, p0, p);
        HardConcrete.ProbabilityOne(a, p1, p);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(Sigmoid(0.8 * Math.Log(0.25 / 1.5) - a[i]), p0[i], 6);
            Assert.Equal(Sigmoid(a[i] - 0.8 * Math.Log(1.25 / 0.5)), p1[i], 6);
        }
    }

    [Fact]
    public void Extreme_log_alphas_give_finite_gates_and_gradients_and_the_same_output_at_one_and_two_threads()
    {
        var logAlpha = new float[500];
        for (int j = 0; j < logAlpha.Length; j++) logAlpha[j] = (j % 5) switch { 0 => 1e4f, 1 => -1e4f, 2 => float.PositiveInfinity, 3 => float.NegativeInfinity, _ => j / 100f - 2.5f };
        const int rows = 300;
        var results = new List<float[]>();
        foreach (int threads in new[] { 1, 2 })
        {
            using (DegreeOfParallelism.Override(threads))
            {
                var z = new float[rows * logAlpha.Length]; var g = new float[z.Length];
                HardConcrete.Sample(new RandomSource(44), logAlpha, rows, z, g);
                Assert.All(z.Concat(g), v => Assert.True(float.IsFinite(v)));
                results.Add(z.Concat(g).ToArray());
            }
        }
        Assert.Equal(results[0], results[1]);
    }

    [Fact]
    public void A_large_sample_split_across_threads_allocates_nothing_after_warm_up()
    {
        var logAlpha = new float[500];
        for (int j = 0; j < logAlpha.Length; j++) logAlpha[j] = j / 100f - 2.5f;
        const int rows = 1000;
        var z = new float[rows * logAlpha.Length]; var g = new float[z.Length];
        var rng = new RandomSource(45);
        using var scope = DegreeOfParallelism.Override(2);
        Allocations.AssertNoneAfterWarmUp(() =>
        {
            HardConcrete.Sample(rng, logAlpha, rows, z, g);
            HardConcrete.Sample(rng, logAlpha, rows, z, default);
        });
    }
}
