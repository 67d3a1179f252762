using System.Runtime.Intrinsics;
using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Engine;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias correction; with <see cref="WeightDecay"/> &gt; 0 it is AdamW (Loshchilov and
/// Hutter, 2019): the decay p -= lr * wd * p is applied to the weights directly, not added to the gradient.
/// </summary>
/// <remarks>The update is element-wise, so it is split across <see cref="DegreeOfParallelism.Current"/> threads for
/// large models; every element is computed the same way whatever the split.</remarks>
internal sealed class Adam : Optimizer, IPartitionedWork
{
    /// <summary>Elements per thread below which the update stays on the caller.</summary>
    private const int MinElementsPerPart = 1 << 16;

    private readonly float[][] _m, _v;
    private readonly long _totalElements;
    private float _stepSize, _eps, _decay;

    /// <summary>Creates the optimizer with zero moment estimates.</summary>
    public Adam(IReadOnlyList<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f) : base(parameters, learningRate)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "Expected 0 <= beta1 < 1.");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "Expected 0 <= beta2 < 1.");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Expected epsilon > 0.");
        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Expected a finite weight decay >= 0.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _m = Parameters.Select(p => new float[p.Value.Length]).ToArray();
        _v = Parameters.Select(p => new float[p.Value.Length]).ToArray();
        _totalElements = Parameters.Sum(p => (long)p.Value.Length);
    }

    /// <summary>Decay rate of the first-moment estimate.</summary>
    public float Beta1 { get; }

    /// <summary>Decay rate of the second-moment estimate.</summary>
    public float Beta2 { get; }

    /// <summary>Added to the root of the second moment for stability.</summary>
    public float Epsilon { get; }

    /// <summary>Decoupled weight decay per unit learning rate (0: plain Adam).</summary>
    public float WeightDecay { get; }

    /// <summary>Steps taken so far.</summary>
    public long StepCount { get; private set; }

    /// <inheritdoc/>
    public override void Step()
    {
        StepCount++;
        // Bias corrections folded into the step size and epsilon: p -= a * m / (sqrt(v) + eps'), the usual formulation.
        double c1 = 1 - Math.Pow(Beta1, StepCount), c2 = 1 - Math.Pow(Beta2, StepCount);
        _stepSize = (float)(LearningRate * Math.Sqrt(c2) / c1);
        _eps = (float)(Epsilon * Math.Sqrt(c2));
        _decay = 1f - LearningRate * WeightDecay;
        int threads = DegreeOfParallelism.Current;
        int parts = (int)Math.Clamp(_totalElements / MinElementsPerPart, 1, threads);
        if (parts == 1) RunPart(0, 1);
        else WorkerPool.Shared.Run(this, parts, threads);
    }

    /// <summary>Updates elements [total * part / parts, total * (part + 1) / parts) of the concatenated parameters.</summary>
    void IPartitionedWork.RunPart(int part, int parts) => RunPart(part, parts);

    private void RunPart(int part, int parts)
    {
        long from = _totalElements * part / parts, to = _totalElements * (part + 1) / parts, offset = 0;
        for (int i = 0; i < Parameters.Count && offset < to; i++)
        {
            int length = Parameters[i].Value.Length;
            // Local bounds rounded to whole vectors from the parameter's start: the scalar tail is always the
            // parameter's own last elements, as in a serial update.
            int start = LocalBound(from - offset, length), end = LocalBound(to - offset, length);
            if (start < end)
                Update(Parameters[i].Value.AsSpan(start, end - start), Parameters[i].Gradient.AsSpan(start, end - start),
                    _m[i].AsSpan(start, end - start), _v[i].AsSpan(start, end - start), _stepSize, _eps, _decay);
            offset += length;
        }
    }

    private static int LocalBound(long x, int length) => (int)Math.Min(length, Math.Max(0, (x + 7) / 8 * 8));

    private void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float stepSize, float eps, float decay)
    {
        float b1 = Beta1, b2 = Beta2, a1 = 1f - b1, a2 = 1f - b2;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb1 = Vector256.Create(b1); var va1 = Vector256.Create(a1);
            var vb2 = Vector256.Create(b2); var va2 = Vector256.Create(a2);
            var vStep = Vector256.Create(stepSize); var vEps = Vector256.Create(eps); var vDecay = Vector256.Create(decay);
            for (; i <= p.Length - 8; i += 8)
            {
                var gi = Vector256.Create(g.Slice(i, 8));
                var mi = vb1 * Vector256.Create(m.Slice(i, 8)) + va1 * gi;
                var vi = vb2 * Vector256.Create(v.Slice(i, 8)) + va2 * gi * gi;
                mi.CopyTo(m.Slice(i, 8));
                vi.CopyTo(v.Slice(i, 8));
                var pi = Vector256.Create(p.Slice(i, 8)) * vDecay - vStep * mi / (Vector256.Sqrt(vi) + vEps);
                pi.CopyTo(p.Slice(i, 8));
            }
        }
        // Same operations in the same order as the vector lanes, so the tail rounds identically.
        for (; i < p.Length; i++)
        {
            float gi = g[i];
            float mi = b1 * m[i] + a1 * gi;
            float vi = b2 * v[i] + a2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = p[i] * decay - stepSize * mi / (MathF.Sqrt(vi) + eps);
        }
    }
}
