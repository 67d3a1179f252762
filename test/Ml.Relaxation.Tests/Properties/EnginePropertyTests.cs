using CsCheck;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Tests.Properties;

/// <summary>
/// Properties of the engine kernels over random shapes and values: the matrix product agrees with a double-precision
/// reference and is bit-identical at any thread count; softmax and the losses stay finite for extreme logits.
/// </summary>
public class EnginePropertyTests
{
    private sealed record Product(bool TransA, bool TransB, int M, int N, int K, float[] A, float[] B, float[] C0, bool Accumulate)
    {
        public override string ToString() => $"transA {TransA}, transB {TransB}, M {M}, N {N}, K {K}, accumulate {Accumulate}";
    }

    // Shapes cross the micro-tile (6 x 16), the k-chunk (256) and the single-thread work threshold.
    private static readonly Gen<Product> Products =
        Gen.Select(Gen.Bool, Gen.Bool, Gen.Int[1, 150], Gen.Int[1, 70], Gen.Int[1, 300], Gen.Bool)
            .SelectMany((ta, tb, m, n, k, acc) => Gen.Select(
                Gen.Float[-2, 2].Array[m * k], Gen.Float[-2, 2].Array[k * n], Gen.Float[-2, 2].Array[m * n],
                (a, b, c0) => new Product(ta, tb, m, n, k, a, b, c0, acc)));

    [Fact]
    public void Matrix_product_matches_a_double_reference_and_is_bit_identical_at_any_thread_count()
    {
        Products.Sample(p =>
        {
            float[] Run(int threads)
            {
                var c = (float[])p.C0.Clone();
                Gemm.Run(p.TransA, p.TransB, p.M, p.N, p.K, p.A, p.B, c, p.Accumulate, threads);
                return c;
            }
            var one = Run(1);
            foreach (int threads in new[] { 2, 3 })
            {
                var other = Run(threads);
                for (int i = 0; i < one.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(other[i]),
                        $"element {i}: {other[i]:R} at {threads} threads vs {one[i]:R} at 1");
            }
            for (int i = 0; i < p.M; i++)
                for (int j = 0; j < p.N; j++)
                {
                    double sum = p.Accumulate ? p.C0[i * p.N + j] : 0, magnitude = Math.Abs(sum);
                    for (int t = 0; t < p.K; t++)
                    {
                        double a = p.TransA ? p.A[t * p.M + i] : p.A[i * p.K + t];
                        double b = p.TransB ? p.B[j * p.K + t] : p.B[t * p.N + j];
                        sum += a * b;
                        magnitude += Math.Abs(a * b);
                    }
                    // Float summation of K + 1 terms: error at most about (K + 1) * 2^-24 * sum |terms|.
                    double bound = (p.K + 2) * Math.Pow(2, -24) * magnitude + 1e-30;
                    Assert.True(Math.Abs(one[i * p.N + j] - sum) <= bound, $"C[{i},{j}] = {one[i * p.N + j]:R}, reference {sum:R}, bound {bound:R}");
                }
        }, iter: 40, threads: 1, print: p => p.ToString());
    }

    private static readonly Gen<(int Groups, int Size, float[] X)> Logits =
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 12]).SelectMany((g, k) => Gen.Float[-1e4f, 1e4f].Array[g * k].Select(x => (g, k, x)));

    [Fact]
    public void Softmax_stays_on_the_simplex_and_its_backward_is_finite_for_extreme_logits()
    {
        Logits.Sample(t =>
        {
            var (groups, size, x) = t;
            var y = new float[x.Length];
            Activations.Softmax(x, y, size);
            for (int g = 0; g < groups; g++)
            {
                double sum = 0;
                for (int i = 0; i < size; i++)
                {
                    float v = y[g * size + i];
                    Assert.True(float.IsFinite(v) && v >= 0 && v <= 1, $"y[{g * size + i}] = {v}");
                    sum += v;
                }
                Assert.True(Math.Abs(sum - 1) <= 1e-6 * size, $"group {g} sums to {sum:R}");
            }
            var dy = x.Select(v => v * 1e-3f).ToArray();
            var dx = new float[x.Length];
            Activations.SoftmaxBackward(y, dy, dx, size);
            Assert.All(dx, v => Assert.True(float.IsFinite(v)));
        }, iter: 200, threads: 1, print: t => $"{t.Groups} x {t.Size}: [{string.Join(", ", t.X)}]");
    }

    [Fact]
    public void Losses_are_finite_and_non_negative_with_finite_gradients_for_extreme_logits()
    {
        Logits.SelectMany(t => Gen.Int[0, t.Size - 1].Array[t.Groups].Select(labels => (t.Groups, t.Size, t.X, labels))).Sample(t =>
        {
            var (rows, cols, x, labels) = t;
            var logits = new Matrix((float[])x.Clone(), rows, cols);
            var gradient = new Matrix(rows, cols);

            var classes = new Matrix(labels.Select(l => (float)l).ToArray(), rows, 1);
            float ce = Losses.SoftmaxCrossEntropy(logits, classes, gradient);
            Assert.True(float.IsFinite(ce) && ce >= 0, $"softmax cross-entropy {ce}");
            AssertFiniteRowsSumToZero(logits, gradient, "softmax cross-entropy");

            var targets = new Matrix(x.Select((v, i) => (float)(i % 3) / 2).ToArray(), rows, cols);
            float bce = Losses.BinaryCrossEntropyWithLogits(logits, targets, gradient);
            Assert.True(float.IsFinite(bce) && bce >= 0, $"binary cross-entropy {bce}");
            Assert.All(gradient.Data, v => Assert.True(float.IsFinite(v) && Math.Abs(v) <= 1f / rows * (1 + 1e-6f)));

            if (cols >= 2)
            {
                float kl = Losses.CategoricalKlFromUniform(logits, 1, cols, gradient);
                // KL >= 0; float rounding of sum q (log q + log K) may dip just below 0.
                Assert.True(float.IsFinite(kl) && kl >= -1e-5f * cols, $"KL {kl}");
                AssertFiniteRowsSumToZero(logits, gradient, "KL");
            }
        }, iter: 200, threads: 1, print: t => $"{t.Groups} x {t.Size}, labels [{string.Join(", ", t.labels)}]: [{string.Join(", ", t.X)}]");
    }

    /// <summary>
    /// Gradients of a softmax-based loss with respect to a row of logits sum to 0 (shift invariance), up to float
    /// rounding. The losses form probabilities as exp(z - logsumexp(z)) with logsumexp in float, which is exact only to
    /// one ulp of the largest logit (2.4e-4 at 3000), so each probability carries that relative error: the bound is
    /// 4 (ulp(max |z|) + K 2^-24) / N, plus 1e-5 of the entries' magnitude.
    /// </summary>
    private static void AssertFiniteRowsSumToZero(Matrix logits, Matrix gradient, string what)
    {
        for (int r = 0; r < gradient.Rows; r++)
        {
            var row = gradient.Row(r);
            float maxAbs = 0;
            foreach (var z in logits.Row(r)) maxAbs = MathF.Max(maxAbs, MathF.Abs(z));
            double ulp = MathF.BitIncrement(maxAbs) - maxAbs;
            double sum = 0, magnitude = 0;
            foreach (var v in row)
            {
                Assert.True(float.IsFinite(v), $"{what}: gradient {v} in row {r}");
                sum += v;
                magnitude += Math.Abs(v);
            }
            double bound = 1e-5 * magnitude + 4 * (ulp + row.Length * Math.Pow(2, -24)) / gradient.Rows;
            Assert.True(Math.Abs(sum) <= bound, $"{what}: row {r} gradient sums to {sum:R} (bound {bound:R})");
        }
    }
}
