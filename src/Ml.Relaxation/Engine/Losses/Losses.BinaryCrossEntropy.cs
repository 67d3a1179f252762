using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ml.Relaxation.Engine;

internal static partial class Losses
{
    /// <summary>
    /// Binary cross-entropy of targets in [0, 1] against logits z: per element max(z, 0) - z t + log(1 + exp(-|z|)),
    /// which never overflows. Gradient: (sigmoid(z) - t) / N, with sigmoid(z) from the same exp(-|z|).
    /// </summary>
    /// <param name="logits">[N x D] logits.</param>
    /// <param name="targets">[N x D] targets in [0, 1].</param>
    /// <param name="gradient">[N x D] buffer for the gradient with respect to the logits, or null.</param>
    /// <param name="accumulate">Add to <paramref name="gradient"/> instead of overwriting it.</param>
    public static float BinaryCrossEntropyWithLogits(Matrix logits, Matrix targets, Matrix? gradient = null, bool accumulate = false)
    {
        ArgumentNullException.ThrowIfNull(logits);
        CheckSameShape(logits, targets, nameof(targets));
        CheckGradient(logits, gradient, nameof(gradient));
        int n = logits.Rows;
        if (n == 0) return 0f;
        ReadOnlySpan<float> z = logits.AsSpan(), t = targets.AsSpan();
        Span<float> g = gradient is null ? default : gradient.AsSpan();
        float invN = 1f / n;
        ref float rz = ref MemoryMarshal.GetReference(z), rt = ref MemoryMarshal.GetReference(t), rg = ref MemoryMarshal.GetReference(g);
        bool withGradient = gradient is not null;
        int i = 0;
        double total = 0;
        // One fused pass: eight lanes accumulate in a fixed order set by the length alone, then the scalar tail.
        if (Vector256.IsHardwareAccelerated && z.Length >= 8)
        {
            Vector256<float> sum = Vector256<float>.Zero, one = Vector256<float>.One, scale = Vector256.Create(invN);
            for (; i <= z.Length - 8; i += 8)
            {
                Vector256<float> zi = Vector256.LoadUnsafe(ref rz, (nuint)i), ti = Vector256.LoadUnsafe(ref rt, (nuint)i);
                Vector256<float> e = Vector256.Exp(-Vector256.Abs(zi)), onePlusE = one + e;
                sum += Vector256.Max(zi, Vector256<float>.Zero) - zi * ti + Vector256.Log(onePlusE);
                if (!withGradient) continue;
                Vector256<float> r = one / onePlusE;
                Vector256<float> sigmoid = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(zi, Vector256<float>.Zero), r, e * r);
                Vector256<float> gi = (sigmoid - ti) * scale;
                if (accumulate) gi += Vector256.LoadUnsafe(ref rg, (nuint)i);
                gi.StoreUnsafe(ref rg, (nuint)i);
            }
            for (int l = 0; l < 8; l++) total += sum.GetElement(l);
        }
        for (; i < z.Length; i++)
        {
            float zi = Unsafe.Add(ref rz, i), ti = Unsafe.Add(ref rt, i);
            float e = MathF.Exp(-MathF.Abs(zi));
            total += MathF.Max(zi, 0f) - zi * ti + MathF.Log(1f + e);
            if (!withGradient) continue;
            float r = 1f / (1f + e), gi = ((zi >= 0f ? r : e * r) - ti) * invN;
            Unsafe.Add(ref rg, i) = accumulate ? Unsafe.Add(ref rg, i) + gi : gi;
        }
        return (float)(total / n);
    }
}
