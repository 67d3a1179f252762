using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Ml.Relaxation.Numerics;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Relaxations;

/// <summary>
/// Hard Concrete gates (Louizos, Welling and Kingma 2018, "Learning Sparse Neural Networks through L0
/// Regularization"): a Binary Concrete stretched to (gamma, zeta) and clamped to [0, 1], so a gate is exactly 0 or
/// exactly 1 with positive probability, and its expected L0 norm is differentiable in log alpha.
/// </summary>
/// <remarks>
/// Training sample: <c>s = sigmoid((log u - log(1 - u) + log_alpha) / beta)</c>, <c>s_bar = s (zeta - gamma) + gamma</c>,
/// <c>z = min(1, max(0, s_bar))</c>. Test time: <c>z_hat = min(1, max(0, sigmoid(log_alpha) (zeta - gamma) + gamma))</c>.
/// <c>P(z != 0) = sigmoid(log_alpha - beta log(-gamma / zeta))</c>; the expected L0 penalty is its sum over gates.
/// Every method takes optional <see cref="HardConcreteParameters"/> (default: <see cref="HardConcreteParameters.Default"/>).
/// </remarks>
public static class HardConcrete
{
    /// <summary>
    /// Draws <paramref name="rows"/> independent gate vectors for the <c>D = logAlpha.Length</c> gates, row-major
    /// <c>[rows x D]</c>, and the derivative of each gate with respect to its log alpha:
    /// <c>(zeta - gamma) s (1 - s) / beta</c> where <c>0 &lt; s_bar &lt; 1</c>, and exactly 0 where the clamp is active.
    /// </summary>
    /// <param name="rng">The random source; advanced by <c>rows * D</c> draws (element <c>(r, d)</c> uses draw <c>r * D + d</c>).</param>
    /// <param name="logAlpha">Gate log alphas (not NaN; +-infinity gives a gate that is always 1 or 0).</param>
    /// <param name="rows">Number of samples (e.g. the mini-batch size), at least 0.</param>
    /// <param name="z">Output gates, <c>rows * D</c>.</param>
    /// <param name="dzdLogAlpha">Output derivatives, <c>rows * D</c>, or empty to skip them.</param>
    /// <param name="parameters">Gate constants; null for the defaults.</param>
    public static unsafe void Sample(RandomSource rng, ReadOnlySpan<float> logAlpha, int rows, Span<float> z, Span<float> dzdLogAlpha,
        HardConcreteParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var p = parameters ?? HardConcreteParameters.Default;
        int d = logAlpha.Length;
        long total = (long)rows * d;
        if (total > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows * logAlpha.Length must fit in a span.");
        Checks.Length(z.Length, (int)total, nameof(z));
        if (!dzdLogAlpha.IsEmpty) Checks.Length(dzdLogAlpha.Length, (int)total, nameof(dzdLogAlpha));
        Checks.NoOverlap(z, logAlpha, nameof(z), nameof(logAlpha));
        Checks.NoOverlap(dzdLogAlpha, logAlpha, nameof(dzdLogAlpha), nameof(logAlpha));
        Checks.NoOverlap(dzdLogAlpha, (ReadOnlySpan<float>)z, nameof(dzdLogAlpha), nameof(z));
        Checks.NotNaN(logAlpha, nameof(logAlpha));
        ulong start = rng.Reserve(total);
        if (total == 0) return;
        fixed (float* la = logAlpha, zp = z, gp = dzdLogAlpha)
        {
            var kernel = new SampleKernel
            {
                Rng = rng, Start = start, LogAlpha = la, Z = zp, Grad = gp, D = d,
                InvBeta = (float)(1 / p.Beta), Gamma = (float)p.Gamma, Scale = (float)(p.Zeta - p.Gamma),
            };
            RowParallel.Run(kernel, rows, d);
        }
    }

    private unsafe struct SampleKernel : IRowKernel
    {
        public RandomSource Rng;
        public ulong Start;
        public float* LogAlpha, Z, Grad;
        public int D;
        public float InvBeta, Gamma, Scale;

        public int Run(int rowStart, int rowEnd)
        {
            int d = D;
            var la = new ReadOnlySpan<float>(LogAlpha, d);
            var gate = new GateFromNoise(InvBeta, Gamma, Scale);
            int blockRows = Math.Max(1, GumbelSoftmaxKernels.BlockElements / d);
            for (int r = rowStart; r < rowEnd; r++)
            {
                // Uniforms for a block of rows in one call: the rows are contiguous, and long fills stay on the vector path.
                if ((r - rowStart) % blockRows == 0)
                {
                    int rows = Math.Min(blockRows, rowEnd - r);
                    Rng.FillUniforms(Start + (ulong)r * (ulong)d, new Span<float>(Z + (long)r * d, rows * d));
                }
                var z = new Span<float>(Z + (long)r * d, d);
                // Two passes, noise then gates: one loop body with both would chain a division, a log, an exp and a
                // second division, too long a dependency chain for enough iterations to overlap.
                ElementMath.UniformToLogistic(z);
                ElementLoop.Apply(z, la, Grad == null ? default : new Span<float>(Grad + (long)r * d, d), gate);
            }
            return -1;
        }
    }

    /// <summary>Gate and its derivative with respect to log alpha from logistic noise <c>log(u / (1 - u))</c>, eight at a time.</summary>
    private readonly struct GateFromNoise(float invBeta, float gamma, float scale) : IBinaryLanesWithSecond
    {
        private readonly Vector256<float> _invBeta = Vector256.Create(invBeta), _gamma = Vector256.Create(gamma), _scale = Vector256.Create(scale);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Invoke(Vector256<float> noise, Vector256<float> logAlpha, out Vector256<float> grad)
        {
            var s = VectorMath.Sigmoid((noise + logAlpha) * _invBeta, out var ds);
            var sBar = s * _scale + _gamma;
            var inside = Vector256.GreaterThan(sBar, Vector256<float>.Zero) & Vector256.LessThan(sBar, Vector256.Create(1f));
            grad = inside & (ds * (_scale * _invBeta));
            return Vector256.Min(Vector256.Max(sBar, Vector256<float>.Zero), Vector256.Create(1f));
        }
    }

    /// <summary>The deterministic test-time gate <c>min(1, max(0, sigmoid(log_alpha) (zeta - gamma) + gamma))</c>.</summary>
    /// <param name="logAlpha">Gate log alphas (not NaN).</param>
    /// <param name="gate">Output, same length.</param>
    /// <param name="parameters">Gate constants; null for the defaults.</param>
    public static void TestTimeGate(ReadOnlySpan<float> logAlpha, Span<float> gate, HardConcreteParameters? parameters = null)
    {
        var p = Validate(logAlpha, gate, nameof(gate), parameters);
        for (int i = 0; i < logAlpha.Length; i++)
            gate[i] = (float)Math.Clamp(ScalarMath.Sigmoid(logAlpha[i]) * (p.Zeta - p.Gamma) + p.Gamma, 0, 1);
    }

    /// <summary><c>P(z != 0) = sigmoid(log_alpha - beta log(-gamma / zeta))</c> for each gate.</summary>
    /// <param name="logAlpha">Gate log alphas (not NaN).</param>
    /// <param name="probability">Output, same length.</param>
    /// <param name="parameters">Gate constants; null for the defaults.</param>
    public static void ProbabilityNonZero(ReadOnlySpan<float> logAlpha, Span<float> probability, HardConcreteParameters? parameters = null)
    {
        var p = Validate(logAlpha, probability, nameof(probability), parameters);
        for (int i = 0; i < logAlpha.Length; i++) probability[i] = (float)ScalarMath.Sigmoid(logAlpha[i] - p.Beta * p.LogRatioZero);
    }

    /// <summary><c>P(z = 0) = sigmoid(beta log(-gamma / zeta) - log_alpha)</c> for each gate (computed directly, not as 1 - P(z != 0)).</summary>
    /// <inheritdoc cref="ProbabilityNonZero"/>
    public static void ProbabilityZero(ReadOnlySpan<float> logAlpha, Span<float> probability, HardConcreteParameters? parameters = null)
    {
        var p = Validate(logAlpha, probability, nameof(probability), parameters);
        for (int i = 0; i < logAlpha.Length; i++) probability[i] = (float)ScalarMath.Sigmoid(p.Beta * p.LogRatioZero - logAlpha[i]);
    }

    /// <summary><c>P(z = 1) = sigmoid(log_alpha - beta log((1 - gamma) / (zeta - 1)))</c> for each gate.</summary>
    /// <inheritdoc cref="ProbabilityNonZero"/>
    public static void ProbabilityOne(ReadOnlySpan<float> logAlpha, Span<float> probability, HardConcreteParameters? parameters = null)
    {
        var p = Validate(logAlpha, probability, nameof(probability), parameters);
        for (int i = 0; i < logAlpha.Length; i++) probability[i] = (float)ScalarMath.Sigmoid(logAlpha[i] - p.Beta * p.LogRatioOne);
    }

    /// <summary>The expected L0 norm of the gate vector, <c>sum_d P(z_d != 0)</c>, accumulated in double precision.</summary>
    /// <param name="logAlpha">Gate log alphas (not NaN).</param>
    /// <param name="parameters">Gate constants; null for the defaults.</param>
    public static double ExpectedL0(ReadOnlySpan<float> logAlpha, HardConcreteParameters? parameters = null)
    {
        Checks.NotNaN(logAlpha, nameof(logAlpha));
        var p = parameters ?? HardConcreteParameters.Default;
        double sum = 0;
        for (int i = 0; i < logAlpha.Length; i++) sum += ScalarMath.Sigmoid(logAlpha[i] - p.Beta * p.LogRatioZero);
        return sum;
    }

    /// <summary>
    /// Gradient of <see cref="ExpectedL0"/> with respect to each log alpha, <c>q (1 - q)</c> with <c>q = P(z != 0)</c>,
    /// written to <paramref name="gradient"/> (overwritten; scale it by the penalty weight yourself).
    /// </summary>
    /// <param name="logAlpha">Gate log alphas (not NaN).</param>
    /// <param name="gradient">Output, same length.</param>
    /// <param name="parameters">Gate constants; null for the defaults.</param>
    public static void ExpectedL0Gradient(ReadOnlySpan<float> logAlpha, Span<float> gradient, HardConcreteParameters? parameters = null)
    {
        var p = Validate(logAlpha, gradient, nameof(gradient), parameters);
        for (int i = 0; i < logAlpha.Length; i++)
        {
            double q = ScalarMath.Sigmoid(logAlpha[i] - p.Beta * p.LogRatioZero);
            gradient[i] = (float)(q * (1 - q));
        }
    }

    private static HardConcreteParameters Validate(ReadOnlySpan<float> logAlpha, Span<float> output, string outputName, HardConcreteParameters? parameters)
    {
        Checks.Length(output.Length, logAlpha.Length, outputName);
        Checks.NotNaN(logAlpha, nameof(logAlpha));
        return parameters ?? HardConcreteParameters.Default;
    }
}
