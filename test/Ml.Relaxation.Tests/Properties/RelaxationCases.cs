using CsCheck;

namespace Ml.Relaxation.Tests.Properties;

/// <summary>A random relaxation input: a <c>[Rows x Categories]</c> batch of logits, a temperature and a sampling seed.</summary>
public sealed record RelaxationCase(int Rows, int Categories, float[] Logits, float Tau, ulong Seed)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"rows {Rows}, categories {Categories}, tau {Tau:R}, seed {Seed}, logits [{string.Join(", ", Logits.Select(l => l.ToString("R")))}]";

    /// <summary>The logits of row <paramref name="r"/>.</summary>
    public ReadOnlySpan<float> Row(int r) => Logits.AsSpan(r * Categories, Categories);
}

/// <summary>CsCheck generators for relaxation inputs: random shapes, logits (optionally masked) and log-uniform temperatures.</summary>
public static class RelaxationGen
{
    /// <summary>Temperatures log-uniform in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Gen<float> Tau(double min, double max) =>
        Gen.Double[Math.Log(min), Math.Log(max)].Select(x => (float)Math.Exp(x));

    /// <summary>
    /// Cases with 1..<paramref name="maxRows"/> rows, 1..<paramref name="maxCategories"/> categories, logits uniform in
    /// [-<paramref name="logitRange"/>, <paramref name="logitRange"/>], about one in five masked to -infinity when
    /// <paramref name="mask"/> (never a whole row), and tau log-uniform in [<paramref name="minTau"/>, <paramref name="maxTau"/>].
    /// </summary>
    public static Gen<RelaxationCase> Cases(float logitRange, double minTau, double maxTau, bool mask, int maxRows = 8, int maxCategories = 12) =>
        Gen.Select(Gen.Int[1, maxRows], Gen.Int[1, maxCategories]).SelectMany((rows, k) =>
            Gen.Select(
                Gen.Float[-logitRange, logitRange].Array[rows * k],
                Gen.Int[0, 4].Array[rows * k],
                Tau(minTau, maxTau),
                Gen.ULong,
                (logits, masks, tau, seed) =>
                {
                    if (mask)
                        for (int r = 0; r < rows; r++)
                        {
                            for (int c = 0; c < k; c++)
                                if (masks[r * k + c] == 0) logits[r * k + c] = float.NegativeInfinity;
                            if (logits.AsSpan(r * k, k).IndexOfAnyExcept(float.NegativeInfinity) < 0) logits[r * k] = 0;
                        }
                    return new RelaxationCase(rows, k, logits, tau, seed);
                }));
}
