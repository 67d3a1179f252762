using System.Numerics.Tensors;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// One Hard Concrete gate per input slot (Louizos, Welling and Kingma 2018): a learned log_alpha per slot; in training
/// y = x * z with z sampled per row and slot; at test time the deterministic gate z_hat.
/// </summary>
internal sealed class HardConcreteGateLayer
{
    private readonly float _gamma, _zeta, _beta;
    private readonly Matrix _z, _slope;
    private readonly float[] _probability;

    public HardConcreteGateLayer(int slots, int batchCapacity, float initialLogAlpha, float gamma, float zeta, float beta)
    {
        LogAlpha = new Parameter("gates.log_alpha", 1, slots);
        LogAlpha.Value.AsSpan().Fill(initialLogAlpha);
        _gamma = gamma;
        _zeta = zeta;
        _beta = beta;
        _z = new Matrix(batchCapacity, slots);
        _slope = new Matrix(batchCapacity, slots);
        _probability = new float[slots];
    }

    /// <summary>log_alpha, [1 x slots].</summary>
    public Parameter LogAlpha { get; }

    /// <summary>Slot count.</summary>
    public int Slots => LogAlpha.Cols;

    /// <summary>
    /// y = x * z with z sampled from <paramref name="uniforms"/> (one per element of x, in (0, 1)); keeps z and
    /// dz/dlog_alpha for <see cref="Backward"/>.
    /// </summary>
    public void ForwardSampled(Matrix x, ReadOnlySpan<float> uniforms, Matrix y)
    {
        int n = x.Rows, d = Slots;
        _z.SetRows(n);
        _slope.SetRows(n);
        Span<float> z = _z.AsSpan(), slope = _slope.AsSpan();
        ReadOnlySpan<float> logAlpha = LogAlpha.Value;
        float range = _zeta - _gamma, invBeta = 1f / _beta;
        // logistic noise log(u / (1 - u)), vectorized
        TensorPrimitives.Subtract(1f, uniforms[..z.Length], slope);
        TensorPrimitives.Divide(uniforms[..z.Length], slope, z);
        TensorPrimitives.Log(z, z);
        for (int r = 0; r < n; r++)
        {
            Span<float> zr = z.Slice(r * d, d);
            TensorPrimitives.Add(zr, logAlpha, zr);
        }
        TensorPrimitives.Multiply(z, invBeta, z);
        TensorPrimitives.Sigmoid(z, z);
        for (int i = 0; i < z.Length; i++)
        {
            float s = z[i];
            float stretched = s * range + _gamma;
            // the clamp passes no gradient where it is active
            slope[i] = stretched > 0f && stretched < 1f ? range * invBeta * s * (1f - s) : 0f;
            z[i] = Math.Clamp(stretched, 0f, 1f);
        }
        TensorPrimitives.Multiply(x.AsSpan(), z, y.AsSpan());
    }

    /// <summary>y = x * z_hat with the deterministic test-time gates.</summary>
    public void ForwardTestTime(Matrix x, Matrix y)
    {
        float[] zHat = TestTimeGates();
        for (int r = 0; r < x.Rows; r++) TensorPrimitives.Multiply(x.Row(r), zHat, y.Row(r));
    }

    /// <summary>Adds dL/dlog_alpha given dL/dy and the forward input x of the last sampled forward pass.</summary>
    public void Backward(Matrix x, Matrix dy)
    {
        int n = x.Rows, d = Slots;
        Span<float> g = LogAlpha.Gradient;
        ReadOnlySpan<float> xs = x.AsSpan(), dys = dy.AsSpan(), slope = _slope.AsSpan();
        // dL/dlog_alpha_j = sum_r dy_rj x_rj dz_rj/dlog_alpha_j; rows in fixed order for determinism
        for (int r = 0; r < n; r++)
        {
            int o = r * d;
            for (int j = 0; j < d; j++) g[j] += dys[o + j] * xs[o + j] * slope[o + j];
        }
    }

    /// <summary>P(z_j != 0) = sigmoid(log_alpha_j - beta log(-gamma / zeta)) per slot.</summary>
    public float[] ProbabilityNonZero()
    {
        var p = new float[Slots];
        ProbabilityNonZero(p);
        return p;
    }

    private void ProbabilityNonZero(Span<float> p)
    {
        TensorPrimitives.Add(LogAlpha.Value, -_beta * MathF.Log(-_gamma / _zeta), p);
        TensorPrimitives.Sigmoid(p, p);
    }

    /// <summary>Expected L0 = sum_j P(z_j != 0).</summary>
    public float ExpectedL0()
    {
        ProbabilityNonZero(_probability);
        return TensorPrimitives.Sum(_probability);
    }

    /// <summary>
    /// Adds the gradient of the penalty scale * max(0, E[L0] - <paramref name="target"/>) (target 0: the plain L0
    /// penalty) and returns its value; dE[L0]/dlog_alpha_j = P_j (1 - P_j).
    /// </summary>
    public float AddPenaltyGradient(float scale, float target)
    {
        Span<float> p = _probability;
        ProbabilityNonZero(p);
        float excess = TensorPrimitives.Sum(p) - target;
        if (!(excess > 0f)) return 0f;
        Span<float> g = LogAlpha.Gradient;
        for (int j = 0; j < p.Length; j++) g[j] += scale * p[j] * (1f - p[j]);
        return scale * excess;
    }

    /// <summary>The test-time gates z_hat = min(1, max(0, sigmoid(log_alpha)(zeta - gamma) + gamma)).</summary>
    public float[] TestTimeGates()
    {
        var z = new float[Slots];
        TensorPrimitives.Sigmoid(LogAlpha.Value, z);
        for (int j = 0; j < z.Length; j++) z[j] = Math.Clamp(z[j] * (_zeta - _gamma) + _gamma, 0f, 1f);
        return z;
    }
}
