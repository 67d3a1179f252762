using System.Numerics.Tensors;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>
/// One Hard Concrete gate per input slot (Louizos, Welling and Kingma 2018): a learned log_alpha per slot; in training
/// y = x * z with z sampled per row and slot; at test time the deterministic gate z_hat. The math is
/// <see cref="HardConcrete"/>'s; this layer adds the product with the features and its backward pass.
/// </summary>
internal sealed class HardConcreteGateLayer
{
    private readonly HardConcreteParameters _constants;
    private readonly Matrix _z, _slope;
    private readonly float[] _perSlot, _testTime;

    public HardConcreteGateLayer(int slots, int batchCapacity, float initialLogAlpha, HardConcreteParameters constants)
    {
        LogAlpha = new Parameter("gates.log_alpha", 1, slots);
        LogAlpha.Value.AsSpan().Fill(initialLogAlpha);
        _constants = constants;
        _z = new Matrix(batchCapacity, slots);
        _slope = new Matrix(batchCapacity, slots);
        _perSlot = new float[slots];
        _testTime = new float[slots];
    }

    /// <summary>log_alpha, [1 x slots].</summary>
    public Parameter LogAlpha { get; }

    /// <summary>Slot count.</summary>
    public int Slots => LogAlpha.Cols;

    /// <summary>y = x * z with z drawn from <paramref name="noise"/>; keeps dz/dlog_alpha for <see cref="Backward"/>.</summary>
    public void ForwardSampled(Matrix x, RandomSource noise, Matrix y)
    {
        _z.SetRows(x.Rows);
        _slope.SetRows(x.Rows);
        HardConcrete.Sample(noise, LogAlpha.Value, x.Rows, _z.AsSpan(), _slope.AsSpan(), _constants);
        TensorPrimitives.Multiply(x.AsSpan(), _z.AsSpan(), y.AsSpan());
    }

    /// <summary>y = x * z_hat with the deterministic test-time gates.</summary>
    public void ForwardTestTime(Matrix x, Matrix y)
    {
        HardConcrete.TestTimeGate(LogAlpha.Value, _testTime, _constants);
        for (int r = 0; r < x.Rows; r++) TensorPrimitives.Multiply(x.Row(r), _testTime, y.Row(r));
    }

    /// <summary>Adds dL/dlog_alpha_j = sum_r dy_rj x_rj dz_rj/dlog_alpha_j, given dL/dy and the input x of the last sampled pass.</summary>
    public void Backward(Matrix x, Matrix dy)
    {
        int d = Slots;
        Span<float> g = LogAlpha.Gradient, term = _perSlot;
        // rows in a fixed order, so the sum is the same at any thread count
        for (int r = 0; r < x.Rows; r++)
        {
            TensorPrimitives.Multiply(dy.Row(r), x.Row(r), term);
            TensorPrimitives.MultiplyAdd(term, _slope.Row(r), g, g);
        }
    }

    /// <summary>P(z_j != 0) per slot.</summary>
    public float[] ProbabilityNonZero()
    {
        var p = new float[Slots];
        HardConcrete.ProbabilityNonZero(LogAlpha.Value, p, _constants);
        return p;
    }

    /// <summary>Expected L0 = sum_j P(z_j != 0).</summary>
    public float ExpectedL0() => (float)HardConcrete.ExpectedL0(LogAlpha.Value, _constants);

    /// <summary>Adds the gradient of the penalty scale * E[L0] with respect to log_alpha and returns the penalty's value.</summary>
    public float AddPenaltyGradient(float scale)
    {
        HardConcrete.ExpectedL0Gradient(LogAlpha.Value, _perSlot, _constants);
        TensorPrimitives.MultiplyAdd(_perSlot, scale, LogAlpha.Gradient, LogAlpha.Gradient);
        return scale * ExpectedL0();
    }

    /// <summary>The test-time gates z_hat per slot.</summary>
    public float[] TestTimeGates()
    {
        var z = new float[Slots];
        HardConcrete.TestTimeGate(LogAlpha.Value, z, _constants);
        return z;
    }
}
