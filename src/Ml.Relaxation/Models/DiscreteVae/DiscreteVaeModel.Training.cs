using System.Numerics.Tensors;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Models.DiscreteVae;

internal sealed partial class DiscreteVaeModel
{
    /// <summary>Half of log(2 pi): the per-feature constant of the unit-variance Gaussian negative log-likelihood.</summary>
    internal const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>
    /// One training step on a batch: relaxed sample at <see cref="Temperature"/>, negative ELBO, and its gradient added
    /// to <see cref="Parameters"/>. Returns the batch's negative ELBO (nats per row).
    /// </summary>
    /// <exception cref="ArgumentException">The batch has the wrong width, or values that are NaN, infinite or (under a
    /// Bernoulli likelihood) outside [0, 1].</exception>
    public float TrainStep(Batch batch, TrainingStep step)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CheckData(batch.Features, nameof(batch));
        float tau = Temperature;
        double loss = Objective(batch.Features, backward: true, _noise, tau).Total;
        return (float)(LearnedTemperature is null ? loss : loss + LearnedTemperature.Penalty);
    }

    /// <summary>
    /// Evaluates on <paramref name="source"/>: returns the negative ELBO with latents drawn from q (one exact discrete
    /// sample per row, from a fixed evaluation seed, so epochs are compared on the same noise) and adds
    /// <c>neg_elbo</c>, <c>reconstruction</c>, <c>kl</c>, <c>neg_elbo_relaxed</c> (the training objective's estimate at
    /// the current temperature) and <c>temperature</c> to <paramref name="metrics"/>.
    /// </summary>
    public double Evaluate(IBatchSource source, IDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(metrics);
        double rec = 0, kl = 0, relaxed = 0;
        long rows = 0;
        var exact = new RandomSource(Seed, 0xE1B0);
        var soft = new RandomSource(Seed, 0xE1B1);
        foreach (Batch batch in source.Batches(0))
        {
            CheckData(batch.Features, nameof(source));
            NegativeElbo discrete = DiscreteElbo(batch.Features, exact);
            rec += discrete.Reconstruction * batch.Rows;
            kl += discrete.Kl * batch.Rows;
            relaxed += Objective(batch.Features, backward: false, soft, Temperature).Total * batch.Rows;
            rows += batch.Rows;
        }
        double n = rows == 0 ? double.NaN : rows;
        metrics["neg_elbo"] = (rec + kl) / n;
        metrics["reconstruction"] = rec / n;
        metrics["kl"] = kl / n;
        metrics["neg_elbo_relaxed"] = relaxed / n;
        metrics["temperature"] = Temperature;
        return (rec + kl) / n;
    }

    /// <summary>
    /// The training objective on <paramref name="x"/> (at most one chunk or batch of rows): the negative ELBO with a
    /// relaxed sample at <paramref name="tau"/> drawn from <paramref name="noise"/>, and with <paramref name="backward"/>
    /// its gradient added to the parameters.
    /// </summary>
    internal NegativeElbo Objective(Matrix x, bool backward, RandomSource noise, float tau)
    {
        Workspace w = Work(x.Rows);
        Matrix logits = _encoder.Forward(x);
        bool hard = Architecture.Relaxation == RelaxationMode.StraightThrough;
        int k = CategoryCount;
        if (HasBernoulliLatents)
        {
            if (hard) BinaryConcrete.SampleStraightThrough(noise, logits.AsSpan(), tau, w.Latent.AsSpan(), w.Soft.AsSpan());
            else BinaryConcrete.Sample(noise, logits.AsSpan(), tau, w.Soft.AsSpan());
        }
        else
        {
            if (hard) GumbelSoftmax.SampleHard(noise, logits.AsSpan(), k, tau, w.Latent.AsSpan(), w.Codes.AsSpan(0, x.Rows * LatentCount), w.Soft.AsSpan());
            else GumbelSoftmax.Sample(noise, logits.AsSpan(), k, tau, w.Soft.AsSpan());
        }
        Matrix z = hard ? w.Latent : w.Soft;
        Matrix output = _decoder.Forward(z);
        double reconstruction = ReconstructionLoss(output, x, backward ? w.DOutput : null);
        double kl = KlLoss(logits, w, backward);
        if (backward)
        {
            _decoder.Backward(z, w.DOutput, w.DLatent);
            if (_rawTemperature is not null)
                _rawTemperature.Gradient[0] += (float)LearnedTemperature!.RawGradient(TemperatureGradient(w.Soft, w.DLatent, tau));
            if (HasBernoulliLatents) BinaryConcrete.Backward(w.Soft.AsSpan(), w.DLatent.AsSpan(), tau, w.DLatent.AsSpan());
            else GumbelSoftmax.Backward(w.Soft.AsSpan(), w.DLatent.AsSpan(), k, tau, w.DLatent.AsSpan());
            // The KL gradient was written to DLogits; add the reconstruction path to it.
            TensorPrimitives.Add(w.DLogits.AsSpan(), w.DLatent.AsSpan(), w.DLogits.AsSpan());
            _encoder.Backward(x, w.DLogits, null);
        }
        return new NegativeElbo(reconstruction, kl);
    }

    /// <summary>
    /// dL/dtau through the relaxed sample y, given dL/dy (for straight-through, dL/d(hard sample), as the estimator
    /// uses it). Categories: from <see cref="GumbelSoftmax.TemperatureGradient"/>. Bits: y = sigmoid(s) with
    /// s = (a + noise) / tau, so dy/dtau = -y (1 - y) s / tau, with s recovered as logit(y).
    /// </summary>
    private double TemperatureGradient(Matrix softY, Matrix dy, float tau)
    {
        if (!HasBernoulliLatents) return GumbelSoftmax.TemperatureGradient(softY.AsSpan(), dy.AsSpan(), CategoryCount, tau);
        ReadOnlySpan<float> y = softY.AsSpan(), g = dy.AsSpan();
        double total = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double yi = y[i], slope = yi * (1 - yi);
            if (slope > 0) total -= g[i] * slope * Math.Log(yi / (1 - yi)) / tau;
        }
        return total;
    }

    /// <summary>Mean over rows of -log p(x | z) given decoder outputs; writes its gradient when <paramref name="gradient"/> is given.</summary>
    private double ReconstructionLoss(Matrix output, Matrix x, Matrix? gradient)
    {
        if (Architecture.Likelihood == ReconstructionLikelihood.Bernoulli)
            return Losses.BinaryCrossEntropyWithLogits(output, x, gradient);
        // -log N(x; mu, 1) = (x - mu)^2 / 2 + log(2 pi) / 2 per feature.
        double squared = Losses.MeanSquaredError(output, x, gradient);
        if (gradient is not null) TensorPrimitives.Multiply(gradient.AsSpan(), 0.5f, gradient.AsSpan());
        return 0.5 * squared + FeatureCount * HalfLogTwoPi;
    }

    /// <summary>Mean over rows of KL(q(z | x) || p(z)); with <paramref name="backward"/> writes d/dlogits to DLogits and adds the prior's gradient.</summary>
    private double KlLoss(Matrix logits, Workspace w, bool backward)
    {
        int k = CategoryCount;
        Matrix? gradient = backward ? (HasBernoulliLatents ? w.PairGradient : w.DLogits) : null;
        Span<float> priorGradient = backward && _prior is not null ? _prior.Gradient : default;
        Matrix grid = logits;
        if (HasBernoulliLatents)
        {
            // A bit with logit a is the two-category distribution softmax(0, a).
            grid = w.Pairs;
            for (int r = 0; r < logits.Rows; r++)
            {
                ReadOnlySpan<float> a = logits.Row(r);
                Span<float> pair = grid.Row(r);
                for (int l = 0; l < LatentCount; l++)
                {
                    pair[2 * l] = 0f;
                    pair[2 * l + 1] = a[l];
                }
            }
        }
        double kl = _prior is null
            ? Losses.CategoricalKlFromUniform(grid, LatentCount, k, gradient)
            : Losses.CategoricalKl(grid, _prior.Value, LatentCount, k, gradient, priorGradient);
        if (backward && HasBernoulliLatents)
        {
            for (int r = 0; r < logits.Rows; r++)
            {
                ReadOnlySpan<float> g = w.PairGradient.Row(r);
                Span<float> d = w.DLogits.Row(r);
                for (int l = 0; l < LatentCount; l++) d[l] = g[2 * l + 1];
            }
        }
        return kl;
    }

    /// <summary>Rejects data the likelihood cannot score: wrong width, NaN or infinity, or outside [0, 1] for Bernoulli.</summary>
    private void CheckData(Matrix x, string paramName)
    {
        if (x.Cols != FeatureCount)
            throw new ArgumentException($"Expected rows of {FeatureCount} features, got {x.Cols}.", paramName);
        bool unit = Architecture.Likelihood == ReconstructionLikelihood.Bernoulli;
        ReadOnlySpan<float> values = x.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v))
                throw new ArgumentException($"Feature {i % FeatureCount} of a row is {v}; expected finite values.", paramName);
            if (unit && (v < 0f || v > 1f))
                throw new ArgumentException(
                    $"Feature {i % FeatureCount} of a row is {v}; a Bernoulli likelihood expects values in [0, 1].", paramName);
        }
    }
}
