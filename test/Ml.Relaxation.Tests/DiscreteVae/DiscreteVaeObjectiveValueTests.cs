using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.DiscreteVae;

/// <summary>
/// The VAE's objective values against formulas written out here, not against the model's own code. With every weight
/// 0, the encoder's logits are its output bias and the decoder's output is its bias whatever the latents, so each term
/// has a closed form: -log p(x | z) does not depend on the draw, and the KL is the one between two fixed categoricals.
/// </summary>
public sealed class DiscreteVaeObjectiveValueTests
{
    // Two latents of three categories over three features; two rows.
    private static readonly float[] EncoderLogits = [0.5f, -1f, 2f, 0f, 0.3f, -0.3f];
    private static readonly float[] DecoderOutput = [0.2f, -0.4f, 1f];
    private static readonly float[] PriorLogits = [1f, 0f, -1f, 0.25f, 0.25f, 0f];
    private const int L = 2, K = 3;

    private static DiscreteVaeModel Fixed(ReconstructionLikelihood likelihood, LatentPrior prior, float[] encoderLogits)
    {
        var model = new DiscreteVaeModel(new DiscreteVaeArchitecture
        {
            FeatureCount = 3, LatentCount = L, CategoryCount = K, EncoderHiddenSizes = [4], Likelihood = likelihood, Prior = prior,
        }, seed: 1);
        foreach (Parameter p in model.Parameters) p.Value.AsSpan().Clear();
        encoderLogits.CopyTo(model.EncoderLayers[^1].Bias.Value, 0);
        DecoderOutput.CopyTo(model.DecoderLayers[^1].Bias.Value, 0);
        if (prior == LatentPrior.Learned) PriorLogits.CopyTo(model.Parameters.Single(p => p.Name == "prior.logits").Value, 0);
        return model;
    }

    private static double[] Softmax(float[] logits, int latent)
    {
        var e = Enumerable.Range(0, K).Select(k => Math.Exp(logits[latent * K + k])).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    /// <summary>-log p(x | z) of one row: Bernoulli with logits o, or a unit-variance Gaussian with mean o.</summary>
    private static double NegativeLogLikelihood(float[] x, ReconstructionLikelihood likelihood)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double o = DecoderOutput[i];
            sum += likelihood == ReconstructionLikelihood.Bernoulli
                ? Math.Log(1 + Math.Exp(o)) - x[i] * o                           // -[x log s(o) + (1 - x) log(1 - s(o))]
                : 0.5 * (x[i] - o) * (x[i] - o) + 0.5 * Math.Log(2 * Math.PI);  // -log N(x; o, 1)
        }
        return sum;
    }

    /// <summary>KL(q || p) summed over latents; the uniform prior is p = 1/K, so log p = -log K.</summary>
    private static double Kl(LatentPrior prior)
    {
        double kl = 0;
        for (int l = 0; l < L; l++)
        {
            double[] q = Softmax(EncoderLogits, l);
            double[] p = prior == LatentPrior.Uniform ? [1.0 / K, 1.0 / K, 1.0 / K] : Softmax(PriorLogits, l);
            for (int k = 0; k < K; k++) kl += q[k] * (Math.Log(q[k]) - Math.Log(p[k]));
        }
        return kl;
    }

    private static Matrix Rows(ReconstructionLikelihood likelihood) => likelihood == ReconstructionLikelihood.Bernoulli
        ? new Matrix([1f, 0f, 1f, 0f, 0f, 1f], 2, 3)
        : new Matrix([0.5f, -1f, 2f, 0f, 0.3f, -0.7f], 2, 3);

    [Theory]
    [InlineData(ReconstructionLikelihood.Bernoulli, LatentPrior.Uniform)]
    [InlineData(ReconstructionLikelihood.Gaussian, LatentPrior.Uniform)]
    [InlineData(ReconstructionLikelihood.Bernoulli, LatentPrior.Learned)]
    [InlineData(ReconstructionLikelihood.Gaussian, LatentPrior.Learned)]
    public void The_discrete_negative_elbo_of_two_rows_equals_the_hand_computed_value(ReconstructionLikelihood likelihood, LatentPrior prior)
    {
        DiscreteVaeModel model = Fixed(likelihood, prior, EncoderLogits);
        Matrix x = Rows(likelihood);
        double reconstruction = (NegativeLogLikelihood(x.Row(0).ToArray(), likelihood) + NegativeLogLikelihood(x.Row(1).ToArray(), likelihood)) / 2;
        double kl = Kl(prior);
        // For scale: Bernoulli rows 1.94 and 1.64 nats, Gaussian 4.76 and 3.70; KL 0.53 (uniform), 0.84 (learned).
        NegativeElbo e = model.EvaluateNegativeElbo(x, samples: 3, seed: 4);
        Assert.Equal(reconstruction, e.Reconstruction, 5);
        Assert.Equal(kl, e.Kl, 5);
        Assert.Equal(reconstruction + kl, e.Total, 5);
        // The relaxed estimate has the same value here: the decoder ignores the (relaxed) sample and the KL is analytic.
        NegativeElbo relaxed = model.EvaluateRelaxedNegativeElbo(x, tau: 0.7f, seed: 4);
        Assert.Equal(reconstruction, relaxed.Reconstruction, 5);
        Assert.Equal(kl, relaxed.Kl, 5);
    }

    [Theory]
    [InlineData(LatentPrior.Uniform)]
    [InlineData(LatentPrior.Learned)]
    public void Bernoulli_latents_have_the_hand_computed_kl_and_an_exact_importance_weighted_estimate_when_q_is_the_prior(LatentPrior prior)
    {
        // Three bits with logits a: q(1) = sigmoid(a). Uniform prior: p(1) = 1/2; learned: the pair (0, b) per bit,
        // p(1) = sigmoid(b). KL = sum over bits of q log(q / p) + (1 - q) log((1 - q) / (1 - p)).
        float[] a = [0.8f, -1.5f, 0.1f];
        float[] b = [0.3f, -0.2f, 1.2f];
        static double Sig(double v) => 1 / (1 + Math.Exp(-v));
        DiscreteVaeModel Bits(float[] encoderLogits)
        {
            var model = new DiscreteVaeModel(new DiscreteVaeArchitecture
            {
                FeatureCount = 3, LatentCount = 3, Latents = LatentDistribution.Bernoulli, EncoderHiddenSizes = [4], Prior = prior,
            }, seed: 2);
            foreach (Parameter p in model.Parameters) p.Value.AsSpan().Clear();
            encoderLogits.CopyTo(model.EncoderLayers[^1].Bias.Value, 0);
            DecoderOutput.CopyTo(model.DecoderLayers[^1].Bias.Value, 0);
            if (prior == LatentPrior.Learned)
            {
                float[] pairs = model.Parameters.Single(p => p.Name == "prior.logits").Value;
                for (int l = 0; l < 3; l++) { pairs[2 * l] = 0f; pairs[2 * l + 1] = b[l]; }
            }
            return model;
        }
        double kl = 0;
        for (int l = 0; l < 3; l++)
        {
            double q = Sig(a[l]), p = prior == LatentPrior.Uniform ? 0.5 : Sig(b[l]);
            kl += q * Math.Log(q / p) + (1 - q) * Math.Log((1 - q) / (1 - p));
        }
        Matrix x = Rows(ReconstructionLikelihood.Bernoulli);
        double reconstruction = (NegativeLogLikelihood(x.Row(0).ToArray(), ReconstructionLikelihood.Bernoulli)
            + NegativeLogLikelihood(x.Row(1).ToArray(), ReconstructionLikelihood.Bernoulli)) / 2;
        NegativeElbo e = Bits(a).EvaluateNegativeElbo(x, samples: 2, seed: 6);
        Assert.Equal(reconstruction, e.Reconstruction, 5);
        Assert.Equal(kl, e.Kl, 5);
        // q = p: every importance weight is 1, so the estimate is -reconstruction for any number of samples.
        DiscreteVaeModel matched = Bits(prior == LatentPrior.Uniform ? new float[3] : b);
        Assert.Equal(-reconstruction, matched.ImportanceWeightedLogLikelihood(x, samples: 4, seed: 7), 5);
    }

    [Theory]
    [InlineData(ReconstructionLikelihood.Bernoulli, LatentPrior.Uniform, 1)]
    [InlineData(ReconstructionLikelihood.Gaussian, LatentPrior.Uniform, 7)]
    [InlineData(ReconstructionLikelihood.Bernoulli, LatentPrior.Learned, 7)]
    [InlineData(ReconstructionLikelihood.Gaussian, LatentPrior.Learned, 1)]
    public void Importance_weighting_with_the_prior_as_posterior_gives_the_exact_log_likelihood(ReconstructionLikelihood likelihood, LatentPrior prior, int samples)
    {
        // q = p (uniform: encoder logits 0; learned: the prior's logits), so every weight p(z) / q(z) is exactly 1 and
        // the estimate is log p(x | z), the same for every draw and every m. A prior missing its -log K, or a
        // likelihood missing its constant, moves it by L log K = 2.2 or 3 log(2 pi) / 2 = 2.8 nats.
        DiscreteVaeModel model = Fixed(likelihood, prior, prior == LatentPrior.Uniform ? new float[L * K] : PriorLogits);
        Matrix x = Rows(likelihood);
        double expected = -(NegativeLogLikelihood(x.Row(0).ToArray(), likelihood) + NegativeLogLikelihood(x.Row(1).ToArray(), likelihood)) / 2;
        Assert.Equal(expected, model.ImportanceWeightedLogLikelihood(x, samples, seed: 5), 5);
        Assert.Equal(expected, -model.EvaluateNegativeElbo(x, samples: 1, seed: 5).Total, 5); // and the KL is 0
    }

    [Fact]
    public void The_importance_weighted_estimate_with_a_posterior_unlike_the_prior_equals_its_formula_on_the_same_draws()
    {
        // Two latents, q != p: the estimate is log p(x | z) + log mean_s prod_l p(z_l) / q(z_l | x), and the decoder
        // ignores z, so only the weights vary. The draws are the model's: Gumbel-Max on the chunk's logits, m times,
        // from stream 0xE1B2 of the seed.
        DiscreteVaeModel model = Fixed(ReconstructionLikelihood.Gaussian, LatentPrior.Uniform, EncoderLogits);
        Matrix x = Rows(ReconstructionLikelihood.Gaussian);
        const int m = 6;
        var rng = new RandomSource(8, 0xE1B2);
        var logits = new float[2 * L * K];
        EncoderLogits.CopyTo(logits, 0);
        EncoderLogits.CopyTo(logits, L * K);
        var weights = new double[2, m];
        for (int s = 0; s < m; s++)
        {
            var codes = new int[2 * L];
            GumbelMax.Sample(rng, logits, K, codes);
            for (int r = 0; r < 2; r++)
            {
                double logRatio = 0;
                for (int l = 0; l < L; l++) logRatio += Math.Log(1.0 / K) - Math.Log(Softmax(EncoderLogits, l)[codes[r * L + l]]);
                weights[r, s] = -NegativeLogLikelihood(x.Row(r).ToArray(), ReconstructionLikelihood.Gaussian) + logRatio;
            }
        }
        double expected = 0;
        for (int r = 0; r < 2; r++)
        {
            double max = Enumerable.Range(0, m).Max(s => weights[r, s]);
            expected += (max + Math.Log(Enumerable.Range(0, m).Average(s => Math.Exp(weights[r, s] - max)))) / 2;
        }
        Assert.Equal(expected, model.ImportanceWeightedLogLikelihood(x, m, seed: 8), 4);
    }

    [Fact]
    public void Evaluation_leaves_every_gradient_untouched()
    {
        DiscreteVaeModel model = Fixed(ReconstructionLikelihood.Bernoulli, LatentPrior.Learned, EncoderLogits);
        Matrix x = Rows(ReconstructionLikelihood.Bernoulli);
        model.EvaluateNegativeElbo(x, samples: 2);
        model.EvaluateRelaxedNegativeElbo(x, tau: 0.5f);
        model.ImportanceWeightedLogLikelihood(x, samples: 3);
        foreach (Parameter p in model.Parameters) Assert.All(p.Gradient, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Evaluation_of_exactly_one_chunk_and_of_bad_input_is_handled()
    {
        // 256 rows, one evaluation chunk exactly: the same value as its first two rows repeated.
        DiscreteVaeModel model = Fixed(ReconstructionLikelihood.Bernoulli, LatentPrior.Uniform, EncoderLogits);
        Matrix two = Rows(ReconstructionLikelihood.Bernoulli);
        var many = new Matrix(256, 3);
        for (int r = 0; r < 256; r++) two.Row(r % 2).CopyTo(many.Row(r));
        Assert.Equal(model.EvaluateNegativeElbo(two).Total, model.EvaluateNegativeElbo(many).Total, 5);
        DiscreteVaeModel exact = Fixed(ReconstructionLikelihood.Bernoulli, LatentPrior.Uniform, new float[L * K]); // q = p: IW exact
        Assert.Equal(exact.ImportanceWeightedLogLikelihood(two, 2), exact.ImportanceWeightedLogLikelihood(many, 2), 5);
        Assert.Throws<ArgumentNullException>(() => model.EvaluateNegativeElbo(null!));
        Assert.Throws<ArgumentNullException>(() => model.ImportanceWeightedLogLikelihood(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.EvaluateNegativeElbo(two, samples: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ImportanceWeightedLogLikelihood(two, samples: 0));
        Assert.Throws<ArgumentException>(() => model.ImportanceWeightedLogLikelihood(new Matrix(0, 3)));
        var bad = new Matrix([0f, 0f, 1f, 0f, 0f, float.NaN], 2, 3); // row 1, feature 2
        Assert.Contains("Feature 2 of a row", Assert.Throws<ArgumentException>(() => model.ImportanceWeightedLogLikelihood(bad)).Message);
        var outside = new Matrix([0f, 0f, 1f, 0f, 1.5f, 0f], 2, 3); // row 1, feature 1
        Assert.Contains("Feature 1 of a row", Assert.Throws<ArgumentException>(() => model.EvaluateNegativeElbo(outside)).Message);
    }

    [Theory]
    [InlineData(LatentDistribution.Categorical)]
    [InlineData(LatentDistribution.Bernoulli)]
    public void The_straight_through_objective_decodes_the_hard_sample(LatentDistribution latents)
    {
        // A decoder that reads the latents: output bias 0 and a weight of 3 from each bit, or from the first category of
        // each latent, to every feature, so every output is 3 times the number of those units that are on: a multiple
        // of 3 for the hard sample, not for a soft one. The reconstruction term therefore tells which was decoded.
        var model = new DiscreteVaeModel(new DiscreteVaeArchitecture
        {
            FeatureCount = 3, LatentCount = L, CategoryCount = K, Latents = latents, EncoderHiddenSizes = [], DecoderHiddenSizes = [],
            Likelihood = ReconstructionLikelihood.Gaussian, Relaxation = RelaxationMode.StraightThrough,
        }, seed: 3);
        foreach (Parameter p in model.Parameters) p.Value.AsSpan().Clear();
        Matrix weight = model.DecoderLayers[0].Weight.ValueMatrix;
        for (int unit = 0; unit < weight.Rows; unit++)
            if (latents == LatentDistribution.Bernoulli || unit % K == 0) weight.Row(unit).Fill(3f);
        Matrix x = new([0f, 0f, 0f], 1, 3);
        model.Temperature = 5f; // a soft sample far from one-hot
        double reconstruction = model.EvaluateRelaxedNegativeElbo(x, tau: 5f, seed: 9).Reconstruction;
        // -log N(0; o, 1) = o^2 / 2 + log(2 pi) / 2 per feature, the same o for all three features.
        double output = Math.Sqrt(2 * (reconstruction / 3 - 0.5 * Math.Log(2 * Math.PI)));
        Assert.Equal(Math.Round(output / 3) * 3, output, 4);
    }

    [Fact]
    public void A_training_step_reports_the_learned_temperatures_penalty_with_the_loss()
    {
        // Two models alike but for the penalty weight: the same parameters and noise give the same objective, so the
        // reported losses differ by exactly PenaltyWeight * tau.
        float Loss(double penaltyWeight)
        {
            var model = new DiscreteVaeModel(new DiscreteVaeArchitecture { FeatureCount = 3, LatentCount = L, CategoryCount = K, EncoderHiddenSizes = [4] },
                seed: 5, LearnedTemperature.Softplus(0.8f, penaltyWeight: penaltyWeight));
            var batch = new Batch(2, 3, 0);
            Rows(ReconstructionLikelihood.Bernoulli).AsSpan().CopyTo(batch.Features.AsSpan());
            return model.TrainStep(batch, new TrainingStep(0, 0, 0));
        }
        Assert.Equal(2.0 * 0.8, Loss(2.0) - Loss(0.0), 4);
    }

    [Fact]
    public void Saturated_bits_contribute_nothing_to_the_temperature_gradient()
    {
        // Encoder logits of +-100 make the soft bits exactly 1 and 0 in float; their slope y (1 - y) is 0, and so is their
        // share of dL/dtau (not 0 * log(1/0) = NaN).
        var model = new DiscreteVaeModel(new DiscreteVaeArchitecture
        {
            FeatureCount = 3, LatentCount = 3, Latents = LatentDistribution.Bernoulli, EncoderHiddenSizes = [4],
        }, seed: 6, LearnedTemperature.Softplus(0.5f));
        foreach (Parameter p in model.Parameters.Where(p => p.Name != "temperature.raw")) p.Value.AsSpan().Clear();
        float[] logits = [100f, -100f, 0.5f];
        logits.CopyTo(model.EncoderLayers[^1].Bias.Value, 0);
        var batch = new Batch(2, 3, 0);
        Rows(ReconstructionLikelihood.Bernoulli).AsSpan().CopyTo(batch.Features.AsSpan());
        model.TrainStep(batch, new TrainingStep(0, 0, 0));
        Assert.All(model.Parameters.Single(p => p.Name == "temperature.raw").Gradient, g => Assert.True(float.IsFinite(g), $"{g}"));
    }

    [Theory]
    [InlineData(LatentPrior.Uniform)]
    [InlineData(LatentPrior.Learned)]
    public void The_per_epoch_metrics_are_means_over_rows_whatever_the_batches(LatentPrior prior)
    {
        // Five Gaussian rows of different -log p(x | z) in batches of 2, 2 and 1: every metric is the mean over the five
        // rows (a mean over batches would weigh the last row twice). The decoder ignores the sample, so the discrete and
        // relaxed estimates are both the hand-computed reconstruction plus the closed-form KL.
        DiscreteVaeModel model = Fixed(ReconstructionLikelihood.Gaussian, prior, EncoderLogits);
        model.Temperature = 0.6f;
        var x = new Matrix([0.5f, -1f, 2f, 0f, 0.3f, -0.7f, 3f, 1f, -2f, 0.2f, -0.4f, 1f, -4f, 2.5f, 0f], 5, 3);
        double reconstruction = Enumerable.Range(0, 5).Average(r => NegativeLogLikelihood(x.Row(r).ToArray(), ReconstructionLikelihood.Gaussian));
        double kl = Kl(prior);
        var metrics = new Dictionary<string, double>();

        double total = model.Evaluate(new InMemoryBatchSource(x, null, batchSize: 2, shuffle: false), metrics);

        Assert.Equal(reconstruction + kl, total, 1e-5);
        Assert.Equal(reconstruction + kl, metrics["neg_elbo"], 1e-5);
        Assert.Equal(reconstruction, metrics["reconstruction"], 1e-5);
        Assert.Equal(kl, metrics["kl"], 1e-5);
        Assert.Equal(reconstruction + kl, metrics["neg_elbo_relaxed"], 1e-5);
        Assert.Equal(0.6, metrics["temperature"], 1e-7);
        Assert.Equal(5, metrics.Count);
        Assert.All(model.Parameters, p => Assert.All(p.Gradient, g => Assert.Equal(0f, g)));

        // No rows: every mean is NaN, not 0.
        var empty = new Dictionary<string, double>();
        Assert.True(double.IsNaN(model.Evaluate(new InMemoryBatchSource(x, null, 2, 0, false, rows: [], columns: null), empty)));
        Assert.All(new[] { "neg_elbo", "reconstruction", "kl", "neg_elbo_relaxed" }, name => Assert.True(double.IsNaN(empty[name]), name));
    }

    [Fact]
    public void Training_and_per_epoch_evaluation_name_their_bad_arguments()
    {
        DiscreteVaeModel model = Fixed(ReconstructionLikelihood.Bernoulli, LatentPrior.Uniform, EncoderLogits);
        Assert.Equal("batch", Assert.Throws<ArgumentNullException>(() => model.TrainStep(null!, default)).ParamName);
        var narrow = Assert.Throws<ArgumentException>(() => model.TrainStep(new Batch(2, 2, 0), default));
        Assert.Equal("batch", narrow.ParamName);
        Assert.Contains("Expected rows of 3 features, got 2", narrow.Message);
        var source = new InMemoryBatchSource(Rows(ReconstructionLikelihood.Bernoulli), null, batchSize: 2);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => model.Evaluate(null!, new Dictionary<string, double>())).ParamName);
        Assert.Equal("metrics", Assert.Throws<ArgumentNullException>(() => model.Evaluate(source, null!)).ParamName);
        var wide = Assert.Throws<ArgumentException>(() => model.Evaluate(new InMemoryBatchSource(new Matrix(2, 4), null, 2), new Dictionary<string, double>()));
        Assert.Equal("source", wide.ParamName);
        Assert.Contains("Expected rows of 3 features, got 4", wide.Message);
        var outside = new Matrix([0f, 0.5f, 1f, 0f, 1.5f, 1f], 2, 3);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => model.Evaluate(new InMemoryBatchSource(outside, null, 2), new Dictionary<string, double>())).ParamName);
    }
}
