using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Models.DiscreteVae;

internal sealed partial class DiscreteVaeModel
{
    /// <summary>
    /// Encodes rows to their most likely codes and posterior probabilities. A categorical code is the first category of
    /// largest probability; a bit is 1 where its probability exceeds 1/2.
    /// </summary>
    /// <param name="features">Rows, [N x D].</param>
    /// <param name="codes">Output, [N x L]: category indices (0 or 1 for bits).</param>
    /// <param name="probabilities">Output, [N x L*K]: q(z_l = k | x) (for bits, K = 2: P(0) then P(1)).</param>
    public void Encode(Matrix features, Span<int> codes, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Cols != FeatureCount) throw new ArgumentException($"Expected rows of {FeatureCount} features, got {features.Cols}.", nameof(features));
        int n = features.Rows, grid = LatentCount * CategoryCount;
        CheckLength(codes.Length, (long)n * LatentCount, nameof(codes));
        CheckLength(probabilities.Length, (long)n * grid, nameof(probabilities));
        float[] logQ = new float[grid];
        int done = 0;
        foreach (Matrix chunk in Chunks(features))
        {
            Matrix logits = _encoder.Forward(chunk);
            for (int r = 0; r < chunk.Rows; r++, done++)
            {
                PosteriorLogProbabilities(logits.Row(r), logQ);
                Span<float> q = probabilities.Slice(done * grid, grid);
                for (int i = 0; i < grid; i++) q[i] = MathF.Exp(logQ[i]);
                ReadOnlySpan<float> a = logits.Row(r);
                for (int l = 0; l < LatentCount; l++)
                    codes[done * LatentCount + l] = HasBernoulliLatents
                        ? (a[l] > 0f ? 1 : 0)
                        : IndexOfFirstMax(a.Slice(l * CategoryCount, CategoryCount));
            }
        }
    }

    /// <summary>Decodes codes to the mean of p(x | z): probabilities under a Bernoulli likelihood, the Gaussian mean otherwise.</summary>
    /// <param name="codes">[N x L] category indices in [0, K).</param>
    /// <param name="mean">Output, [N x D]; its row count sets N.</param>
    public void Decode(ReadOnlySpan<int> codes, Matrix mean)
    {
        ArgumentNullException.ThrowIfNull(mean);
        if (mean.Cols != FeatureCount) throw new ArgumentException($"Expected an output of {FeatureCount} columns, got {mean.Cols}.", nameof(mean));
        CheckLength(codes.Length, (long)mean.Rows * LatentCount, nameof(codes));
        foreach (int c in codes)
            if ((uint)c >= (uint)CategoryCount)
                throw new ArgumentOutOfRangeException(nameof(codes), c, $"Expected category indices in [0, {CategoryCount}).");
        for (int start = 0; start < mean.Rows; start += ChunkRows)
        {
            int rows = Math.Min(ChunkRows, mean.Rows - start);
            Workspace w = Work(rows);
            WriteDecoderInput(codes.Slice(start * LatentCount, rows * LatentCount), w.Latent);
            Span<float> output = _decoder.Forward(w.Latent).AsSpan();
            Span<float> target = mean.Data.AsSpan(start * FeatureCount, rows * FeatureCount);
            if (Architecture.Likelihood == ReconstructionLikelihood.Bernoulli) Activations.Sigmoid(output, target);
            else output.CopyTo(target);
        }
    }

    /// <summary>Draws codes from the prior p(z) and decodes them (see <see cref="Decode"/>): new rows from the model.</summary>
    /// <param name="rng">The random source of the codes.</param>
    /// <param name="codes">Output, [N x L]: the drawn category indices.</param>
    /// <param name="mean">Output, [N x D]: the decoded means; its row count sets N.</param>
    public void SampleFromPrior(RandomSource rng, Span<int> codes, Matrix mean)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(mean);
        int grid = LatentCount * CategoryCount;
        CheckLength(codes.Length, (long)mean.Rows * LatentCount, nameof(codes));
        float[] logP = new float[grid];
        PriorLogProbabilities(logP);
        // Gumbel-Max over the prior's log-probabilities: one categorical draw per latent (K = 2 for bits).
        float[] logits = new float[mean.Rows * grid];
        for (int r = 0; r < mean.Rows; r++) logP.CopyTo(logits, r * grid);
        GumbelMax.Sample(rng, logits, CategoryCount, codes);
        Decode(codes, mean);
    }

    private static int IndexOfFirstMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
