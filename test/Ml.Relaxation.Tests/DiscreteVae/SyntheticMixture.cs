using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.DiscreteVae;

/// <summary>
/// Binary rows from a mixture with known discrete structure: component c (uniform over <see cref="Components"/>) turns
/// on the features of block c with probability <see cref="On"/> and every other feature with probability
/// <see cref="Off"/>. Its exact negative log-likelihood per row is known in closed form, which bounds what any model
/// can reach.
/// </summary>
internal sealed class SyntheticMixture
{
    public const int Components = 4, BlockSize = 6, Features = Components * BlockSize;
    public const float On = 0.9f, Off = 0.1f;

    public SyntheticMixture(int rows, ulong seed)
    {
        var rng = new RandomSource(seed);
        X = new Matrix(rows, Features);
        Labels = new int[rows];
        Span<float> u = stackalloc float[Features];
        for (int r = 0; r < rows; r++)
        {
            int c = rng.NextInt(Components);
            Labels[r] = c;
            rng.NextUniforms(u);
            for (int j = 0; j < Features; j++) X[r, j] = u[j] < (j / BlockSize == c ? On : Off) ? 1f : 0f;
        }
    }

    public Matrix X { get; }

    public int[] Labels { get; }

    /// <summary>The mean of -log p(x) under the true mixture over the rows of <see cref="X"/>.</summary>
    public double TrueNegativeLogLikelihood()
    {
        double total = 0;
        for (int r = 0; r < X.Rows; r++) total += RowNegativeLogLikelihood(X.Row(r));
        return total / X.Rows;
    }

    /// <summary>-log p(x) of one row under the true mixture.</summary>
    public static double RowNegativeLogLikelihood(ReadOnlySpan<float> x)
    {
        double p = 0;
        for (int c = 0; c < Components; c++)
        {
            double logp = Math.Log(1.0 / Components);
            for (int j = 0; j < Features; j++)
            {
                double on = j / BlockSize == c ? On : Off;
                logp += x[j] > 0.5f ? Math.Log(on) : Math.Log(1 - on);
            }
            p += Math.Exp(logp);
        }
        return -Math.Log(p);
    }

    /// <summary>Share of rows whose code maps to their true component under the best one-to-one relabelling.</summary>
    public double AgreementUpToRelabelling(ReadOnlySpan<int> codes, int categories)
    {
        var counts = new int[categories, Components];
        for (int r = 0; r < Labels.Length; r++) counts[codes[r], Labels[r]]++;
        int best = 0;
        foreach (int[] assignment in Permutations(Enumerable.Range(0, categories).ToArray(), Components))
        {
            int agree = 0;
            for (int c = 0; c < Components; c++) agree += counts[assignment[c], c];
            best = Math.Max(best, agree);
        }
        return (double)best / Labels.Length;
    }

    /// <summary>Ordered selections of <paramref name="count"/> distinct items.</summary>
    private static IEnumerable<int[]> Permutations(int[] items, int count)
    {
        if (count == 0)
        {
            yield return [];
            yield break;
        }
        foreach (int item in items)
            foreach (int[] rest in Permutations([.. items.Where(i => i != item)], count - 1))
                yield return [item, .. rest];
    }
}
