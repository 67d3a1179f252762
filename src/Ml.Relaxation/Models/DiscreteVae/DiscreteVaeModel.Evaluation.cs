using Ml.Relaxation.Engine;
using Ml.Relaxation.Numerics;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Models.DiscreteVae;

internal sealed partial class DiscreteVaeModel
{
    /// <summary>
    /// The negative ELBO of <paramref name="features"/> in nats per row: the KL term in closed form and the
    /// reconstruction term averaged over <paramref name="samples"/> exact discrete draws z ~ q(z | x) per row.
    /// </summary>
    /// <param name="features">Rows to evaluate, [N x D].</param>
    /// <param name="samples">Latent draws per row, at least 1.</param>
    /// <param name="seed">Seed of the draws.</param>
    public NegativeElbo EvaluateNegativeElbo(Matrix features, int samples = 1, ulong seed = 0)
    {
        CheckEvaluation(features, samples);
        var rng = new RandomSource(seed, 0xE1B0);
        double rec = 0, kl = 0;
        foreach (Matrix chunk in Chunks(features))
            for (int s = 0; s < samples; s++)
            {
                NegativeElbo e = DiscreteElbo(chunk, rng);
                rec += e.Reconstruction * chunk.Rows / samples;
                kl += e.Kl * chunk.Rows / samples;
            }
        return new NegativeElbo(rec / features.Rows, kl / features.Rows);
    }

    /// <summary>
    /// The negative ELBO estimated as in training: with a relaxed sample (soft or straight-through, as trained) at
    /// temperature <paramref name="tau"/>. This is the number Gumbel-Softmax papers and PyTorch examples usually
    /// report; it is not a bound on -log p(x) for tau &gt; 0. Prefer <see cref="EvaluateNegativeElbo"/>.
    /// </summary>
    public NegativeElbo EvaluateRelaxedNegativeElbo(Matrix features, float tau, ulong seed = 0)
    {
        CheckEvaluation(features, 1);
        if (!(tau > 0f) || float.IsInfinity(tau)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "Expected a finite temperature greater than 0.");
        var rng = new RandomSource(seed, 0xE1B1);
        double rec = 0, kl = 0;
        foreach (Matrix chunk in Chunks(features))
        {
            NegativeElbo e = Objective(chunk, backward: false, rng, tau);
            rec += e.Reconstruction * chunk.Rows;
            kl += e.Kl * chunk.Rows;
        }
        return new NegativeElbo(rec / features.Rows, kl / features.Rows);
    }

    /// <summary>
    /// The importance-weighted estimate of log p(x) (Burda et al. 2016) with <paramref name="samples"/> draws
    /// z_s ~ q(z | x): <c>log (1/m) sum_s p(x | z_s) p(z_s) / q(z_s | x)</c>, averaged over rows. A lower bound on the
    /// log-likelihood in expectation that tightens as m grows; with m = 1 it is the ELBO.
    /// </summary>
    /// <param name="features">Rows to evaluate, [N x D].</param>
    /// <param name="samples">Importance samples per row m, at least 1.</param>
    /// <param name="seed">Seed of the draws.</param>
    public double ImportanceWeightedLogLikelihood(Matrix features, int samples = 100, ulong seed = 0)
    {
        CheckEvaluation(features, samples);
        var rng = new RandomSource(seed, 0xE1B2);
        int grid = LatentCount * CategoryCount;
        float[] logP = new float[grid], logQ = new float[grid];
        PriorLogProbabilities(logP);
        double total = 0;
        foreach (Matrix chunk in Chunks(features))
        {
            var weights = new double[chunk.Rows * samples];
            for (int s = 0; s < samples; s++)
            {
                Workspace w = Work(chunk.Rows);
                Matrix logits = _encoder.Forward(chunk);
                Span<int> codes = SampleCodes(logits, rng, w);
                WriteDecoderInput(codes, w.Latent);
                Matrix output = _decoder.Forward(w.Latent);
                for (int r = 0; r < chunk.Rows; r++)
                {
                    PosteriorLogProbabilities(logits.Row(r), logQ);
                    double logRatio = 0;
                    for (int l = 0; l < LatentCount; l++)
                    {
                        int index = l * CategoryCount + codes[r * LatentCount + l];
                        logRatio += logP[index] - logQ[index];
                    }
                    weights[r * samples + s] = RowLogLikelihood(output.Row(r), chunk.Row(r)) + logRatio;
                }
            }
            for (int r = 0; r < chunk.Rows; r++) total += LogMeanExp(weights.AsSpan(r * samples, samples));
        }
        return total / features.Rows;
    }

    /// <summary>Negative ELBO of one chunk with one exact discrete draw per row (analytic KL).</summary>
    private NegativeElbo DiscreteElbo(Matrix x, RandomSource rng)
    {
        Workspace w = Work(x.Rows);
        Matrix logits = _encoder.Forward(x);
        WriteDecoderInput(SampleCodes(logits, rng, w), w.Latent);
        double reconstruction = ReconstructionLoss(_decoder.Forward(w.Latent), x, null);
        return new NegativeElbo(reconstruction, KlLoss(logits, w, backward: false));
    }

    /// <summary>Exact draws z ~ q(z | x): Gumbel-Max for categories, a Bernoulli(sigmoid(a)) bit for bits.</summary>
    private Span<int> SampleCodes(Matrix logits, RandomSource rng, Workspace w)
    {
        Span<int> codes = w.Codes.AsSpan(0, logits.Rows * LatentCount);
        if (HasBernoulliLatents)
        {
            // The straight-through bit is 1 with probability sigmoid(a) exactly, at any temperature.
            BinaryConcrete.SampleStraightThrough(rng, logits.AsSpan(), 1f, w.Latent.AsSpan(), w.Soft.AsSpan());
            ReadOnlySpan<float> bits = w.Latent.AsSpan();
            for (int i = 0; i < codes.Length; i++) codes[i] = bits[i] > 0.5f ? 1 : 0;
        }
        else
        {
            GumbelMax.Sample(rng, logits.AsSpan(), CategoryCount, codes);
        }
        return codes;
    }

    /// <summary>log p(x | z) of one row given the decoder output.</summary>
    private double RowLogLikelihood(ReadOnlySpan<float> output, ReadOnlySpan<float> x)
    {
        double sum = 0;
        if (Architecture.Likelihood == ReconstructionLikelihood.Bernoulli)
        {
            for (int i = 0; i < x.Length; i++)
            {
                // -log p(x | o) = softplus(o) - x o for a Bernoulli with logit o.
                float o = output[i];
                sum -= ScalarMath.Softplus(o) - o * x[i];
            }
            return sum;
        }
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - output[i];
            sum -= 0.5 * d * d + HalfLogTwoPi;
        }
        return sum;
    }

    private static double LogMeanExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values) max = Math.Max(max, v);
        double sum = 0;
        foreach (double v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum / values.Length);
    }

    private void CheckEvaluation(Matrix features, int samples)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rows == 0) throw new ArgumentException("Expected at least one row.", nameof(features));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        CheckData(features, nameof(features));
    }

    /// <summary>Copies <paramref name="features"/> chunk by chunk into the workspace's input matrix.</summary>
    private IEnumerable<Matrix> Chunks(Matrix features)
    {
        for (int start = 0; start < features.Rows; start += ChunkRows)
        {
            int rows = Math.Min(ChunkRows, features.Rows - start);
            Workspace w = Work(ChunkRows);
            w.SetRows(rows);
            features.Data.AsSpan(start * FeatureCount, rows * FeatureCount).CopyTo(w.Input.AsSpan());
            yield return w.Input;
        }
    }
}
