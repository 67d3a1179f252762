using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.DiscreteVae;

/// <summary>
/// The VAE's inference (<c>Encode</c>, <c>Decode</c>, <c>SampleFromPrior</c>, the prior's probabilities), its networks'
/// shapes and initialization, its temperature and its architecture checks, against values worked out here: weights
/// are set by hand, and the expected outputs come from a plain double-precision forward pass written in this file.
/// Rows are more than one chunk (256), so every chunk of every method is checked.
/// </summary>
public sealed class DiscreteVaeInferenceTests
{
    private const int Rows = 300;

    private static DiscreteVaeModel Model(
        int features, int latents, int categories, int[] hidden,
        LatentDistribution distribution = LatentDistribution.Categorical,
        ReconstructionLikelihood likelihood = ReconstructionLikelihood.Bernoulli,
        LatentPrior prior = LatentPrior.Uniform) =>
        new(new DiscreteVaeArchitecture
        {
            FeatureCount = features, LatentCount = latents, CategoryCount = categories, Latents = distribution,
            EncoderHiddenSizes = hidden, Likelihood = likelihood, Prior = prior,
        }, seed: 3);

    /// <summary>y = x W + b in double, W stored [inputs x outputs] row-major as the layers keep it.</summary>
    private static double[] Affine(double[] x, float[] w, float[] b)
    {
        var y = new double[b.Length];
        for (int j = 0; j < b.Length; j++)
        {
            double s = b[j];
            for (int i = 0; i < x.Length; i++) s += x[i] * w[i * b.Length + j];
            y[j] = s;
        }
        return y;
    }

    private static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));

    /// <summary>Row r of the test inputs: row 0 is all zeros (the logits are then the last bias exactly), the rest vary.</summary>
    private static Matrix Inputs()
    {
        var x = new Matrix(Rows, 2);
        for (int r = 1; r < Rows; r++)
        {
            x[r, 0] = (float)(2 * Math.Sin(r));
            x[r, 1] = (float)(2 * Math.Cos(1.3 * r));
        }
        return x;
    }

    [Fact]
    public void Encode_gives_the_softmax_of_a_relu_network_and_the_first_most_likely_category()
    {
        // Two features, a hidden layer of 3 ReLU units, 2 latents of 3 categories.
        DiscreteVaeModel model = Model(features: 2, latents: 2, categories: 3, hidden: [3]);
        float[] w1 = [1f, -1f, 0.5f, -0.5f, 1f, 1f], b1 = [0f, -0.1f, -0.2f];
        float[] w2 = [0.3f, -0.7f, 0.2f, 1.1f, -0.4f, 0.6f, -0.9f, 0.5f, 0.8f, -0.2f, 0.7f, -1.3f, 0.4f, 0.9f, -0.6f, 0.1f, -0.8f, 1.2f];
        // Ties at row 0 (hidden units all 0): latent 0 between categories 0 and 1, latent 1 between 1 and 2.
        float[] b2 = [1f, 1f, 0f, -1f, 2f, 2f];
        Set(model.EncoderLayers[0], w1, b1);
        Set(model.EncoderLayers[1], w2, b2);
        Matrix x = Inputs();
        var codes = new int[Rows * 2];
        var probabilities = new float[Rows * 6];
        Array.Fill(codes, -1);
        Array.Fill(probabilities, float.NaN);

        model.Encode(x, codes, probabilities);

        for (int r = 0; r < Rows; r++)
        {
            double[] h = Affine([x[r, 0], x[r, 1]], w1, b1).Select(v => Math.Max(0, v)).ToArray();
            double[] a = Affine(h, w2, b2);
            for (int l = 0; l < 2; l++)
            {
                double[] e = [.. Enumerable.Range(0, 3).Select(k => Math.Exp(a[l * 3 + k]))];
                for (int k = 0; k < 3; k++)
                    Assert.Equal(e[k] / e.Sum(), probabilities[r * 6 + l * 3 + k], 1e-5);
                int best = 0;
                for (int k = 1; k < 3; k++) if (a[l * 3 + k] > a[l * 3 + best]) best = k;
                Assert.Equal(best, codes[r * 2 + l]);
            }
        }
        Assert.Equal([0, 1], codes[..2]);
    }

    [Fact]
    public void Encode_with_bernoulli_latents_gives_sigmoid_probabilities_and_a_one_only_above_one_half()
    {
        DiscreteVaeModel model = Model(features: 2, latents: 3, categories: 2, hidden: [], distribution: LatentDistribution.Bernoulli);
        float[] w = [0.8f, -0.6f, 0.3f, 0.4f, 0.9f, -1.1f], b = [0f, 0.5f, -0.5f];
        Set(model.EncoderLayers[0], w, b);
        Matrix x = Inputs();
        var codes = new int[Rows * 3];
        var probabilities = new float[Rows * 6];
        Array.Fill(codes, -1);

        model.Encode(x, codes, probabilities);

        for (int r = 0; r < Rows; r++)
        {
            double[] a = Affine([x[r, 0], x[r, 1]], w, b);
            for (int l = 0; l < 3; l++)
            {
                Assert.Equal(Sigmoid(-a[l]), probabilities[r * 6 + 2 * l], 1e-5);
                Assert.Equal(Sigmoid(a[l]), probabilities[r * 6 + 2 * l + 1], 1e-5);
                if (Math.Abs(a[l]) > 1e-5) Assert.Equal(a[l] > 0 ? 1 : 0, codes[r * 3 + l]);
            }
        }
        // Row 0: logits 0, 0.5, -0.5; a bit whose probability is exactly 1/2 is 0.
        Assert.Equal([0, 1, 0], codes[..3]);
    }

    [Theory]
    [InlineData(ReconstructionLikelihood.Bernoulli)]
    [InlineData(ReconstructionLikelihood.Gaussian)]
    public void Decode_gives_the_likelihoods_mean_of_the_one_hot_codes(ReconstructionLikelihood likelihood)
    {
        // 2 latents of 3 categories, no hidden layer: the decoder's output is the sum of the code's weight rows plus the bias.
        DiscreteVaeModel model = Model(features: 2, latents: 2, categories: 3, hidden: [], likelihood: likelihood);
        float[] w = [0.5f, -1f, 1.5f, 0.25f, -0.75f, 2f, 1f, 1f, -0.5f, 0.5f, 0.2f, -2f], b = [0.1f, -0.3f];
        Set(model.DecoderLayers[0], w, b);
        var codes = new int[Rows * 2];
        for (int r = 0; r < Rows; r++) (codes[2 * r], codes[2 * r + 1]) = (r % 3, r / 3 % 3);
        var mean = new Matrix(Rows, 2);
        mean.AsSpan().Fill(float.NaN);

        model.Decode(codes, mean);

        for (int r = 0; r < Rows; r++)
            for (int j = 0; j < 2; j++)
            {
                double o = w[codes[2 * r] * 2 + j] + w[(3 + codes[2 * r + 1]) * 2 + j] + b[j];
                Assert.Equal(likelihood == ReconstructionLikelihood.Bernoulli ? Sigmoid(o) : o, mean[r, j], 1e-5);
            }
    }

    [Fact]
    public void Decode_with_bernoulli_latents_reads_the_bits_themselves()
    {
        DiscreteVaeModel model = Model(features: 2, latents: 3, categories: 2, hidden: [], distribution: LatentDistribution.Bernoulli,
            likelihood: ReconstructionLikelihood.Gaussian);
        float[] w = [0.5f, -1f, 1.5f, 0.25f, -0.75f, 2f], b = [0.1f, -0.3f];
        Set(model.DecoderLayers[0], w, b);
        var codes = new int[Rows * 3];
        for (int r = 0; r < Rows; r++)
            for (int l = 0; l < 3; l++) codes[3 * r + l] = (r >> l) & 1;
        var mean = new Matrix(Rows, 2);

        model.Decode(codes, mean);

        for (int r = 0; r < Rows; r++)
            for (int j = 0; j < 2; j++)
                Assert.Equal(b[j] + Enumerable.Range(0, 3).Sum(l => codes[3 * r + l] * (double)w[l * 2 + j]), mean[r, j], 1e-5);
    }

    [Fact]
    public void Prior_probabilities_are_uniform_or_the_softmax_of_the_learned_logits()
    {
        var uniform = new float[6];
        Model(features: 2, latents: 2, categories: 3, hidden: []).PriorProbabilities(uniform);
        Assert.All(uniform, p => Assert.Equal(1.0 / 3, p, 1e-6));

        DiscreteVaeModel learned = Model(features: 2, latents: 2, categories: 3, hidden: [], prior: LatentPrior.Learned);
        float[] logits = [2f, 0f, -1f, -0.5f, 0.5f, 1.5f];
        logits.CopyTo(learned.Parameters.Single(p => p.Name == "prior.logits").Value, 0);
        var probabilities = new float[6];
        learned.PriorProbabilities(probabilities);
        for (int l = 0; l < 2; l++)
        {
            double total = Enumerable.Range(0, 3).Sum(k => Math.Exp(logits[l * 3 + k]));
            for (int k = 0; k < 3; k++) Assert.Equal(Math.Exp(logits[l * 3 + k]) / total, probabilities[l * 3 + k], 1e-6);
        }
        var ex = Assert.Throws<ArgumentException>(() => learned.PriorProbabilities(new float[5]));
        Assert.Equal("probabilities", ex.ParamName);
        Assert.Contains("Expected length 6, got 5", ex.Message);
    }

    [Fact]
    public void Sampling_from_a_learned_prior_draws_each_latent_from_its_own_probabilities_and_decodes_the_draws()
    {
        DiscreteVaeModel model = Model(features: 2, latents: 2, categories: 3, hidden: [], likelihood: ReconstructionLikelihood.Gaussian,
            prior: LatentPrior.Learned);
        float[] logits = [2f, 0f, -1f, -0.5f, 0.5f, 1.5f];
        logits.CopyTo(model.Parameters.Single(p => p.Name == "prior.logits").Value, 0);
        float[] w = [0.5f, -1f, 1.5f, 0.25f, -0.75f, 2f, 1f, 1f, -0.5f, 0.5f, 0.2f, -2f], b = [0.1f, -0.3f];
        Set(model.DecoderLayers[0], w, b);
        const int n = 6000;
        var codes = new int[n * 2];
        var mean = new Matrix(n, 2);

        model.SampleFromPrior(new RandomSource(17), codes, mean);

        // Each latent's counts against its softmax: chi-square with 2 degrees of freedom, p = 0.001 cut 13.82.
        for (int l = 0; l < 2; l++)
        {
            double total = Enumerable.Range(0, 3).Sum(k => Math.Exp(logits[l * 3 + k]));
            double chi = 0;
            for (int k = 0; k < 3; k++)
            {
                double expected = n * Math.Exp(logits[l * 3 + k]) / total;
                int observed = Enumerable.Range(0, n).Count(r => codes[2 * r + l] == k);
                chi += (observed - expected) * (observed - expected) / expected;
            }
            Assert.True(chi < 13.82, $"latent {l}: chi-square {chi:F2} of the sampled codes against the prior");
        }
        for (int r = 0; r < n; r++)
            for (int j = 0; j < 2; j++)
                Assert.Equal(w[codes[2 * r] * 2 + j] + w[(3 + codes[2 * r + 1]) * 2 + j] + (double)b[j], mean[r, j], 1e-5);
    }

    [Fact]
    public void Inference_rejects_bad_arguments_naming_them()
    {
        DiscreteVaeModel model = Model(features: 2, latents: 2, categories: 3, hidden: []);
        var x = new Matrix(4, 2);
        Assert.Equal("features", Assert.Throws<ArgumentNullException>(() => model.Encode(null!, new int[8], new float[24])).ParamName);
        var wide = Assert.Throws<ArgumentException>(() => model.Encode(new Matrix(4, 3), new int[8], new float[24]));
        Assert.Equal("features", wide.ParamName);
        Assert.Contains("Expected rows of 2 features, got 3", wide.Message);
        var shortCodes = Assert.Throws<ArgumentException>(() => model.Encode(x, new int[7], new float[24]));
        Assert.Equal("codes", shortCodes.ParamName);
        Assert.Contains("Expected length 8, got 7", shortCodes.Message);
        Assert.Equal("probabilities", Assert.Throws<ArgumentException>(() => model.Encode(x, new int[8], new float[25])).ParamName);

        Assert.Equal("mean", Assert.Throws<ArgumentNullException>(() => model.Decode(new int[8], null!)).ParamName);
        var narrow = Assert.Throws<ArgumentException>(() => model.Decode(new int[8], new Matrix(4, 1)));
        Assert.Equal("mean", narrow.ParamName);
        Assert.Contains("Expected an output of 2 columns, got 1", narrow.Message);
        Assert.Equal("codes", Assert.Throws<ArgumentException>(() => model.Decode(new int[9], x)).ParamName);
        foreach (int bad in new[] { -1, 3 })
        {
            var outside = Assert.Throws<ArgumentOutOfRangeException>(() => model.Decode([0, 0, bad, 0, 0, 0, 0, 0], x));
            Assert.Equal("codes", outside.ParamName);
            Assert.Contains("[0, 3)", outside.Message);
        }

        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => model.SampleFromPrior(null!, new int[8], x)).ParamName);
        Assert.Equal("mean", Assert.Throws<ArgumentNullException>(() => model.SampleFromPrior(new RandomSource(1), new int[8], null!)).ParamName);
        Assert.Equal("codes", Assert.Throws<ArgumentException>(() => model.SampleFromPrior(new RandomSource(1), new int[7], x)).ParamName);
    }

    [Fact]
    public void The_temperature_starts_at_one_accepts_finite_positive_values_and_a_learned_one_cannot_be_set()
    {
        DiscreteVaeModel model = Model(features: 2, latents: 1, categories: 2, hidden: []);
        Assert.Equal(1f, model.Temperature);
        model.Temperature = 0.25f;
        Assert.Equal(0.25f, model.Temperature);
        foreach (float bad in new[] { 0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.Temperature = bad);
            Assert.Equal("value", ex.ParamName);
            Assert.Contains("finite temperature greater than 0", ex.Message);
        }
        Assert.Equal(0.25f, model.Temperature);

        var schedule = LearnedTemperature.Softplus(initial: 0.7f);
        var learned = new DiscreteVaeModel(new DiscreteVaeArchitecture
        {
            FeatureCount = 2, LatentCount = 1, CategoryCount = 2, EncoderHiddenSizes = [], Prior = LatentPrior.Learned,
        }, seed: 3, learnedTemperature: schedule);
        Assert.Equal(0.7f, learned.Temperature, 1e-5);
        Assert.Contains("learns its temperature", Assert.Throws<InvalidOperationException>(() => learned.Temperature = 0.5f).Message);
        // The temperature is read from the learned parameter, the last one after the networks and the prior.
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "decoder.0.weight", "decoder.0.bias", "prior.logits", "temperature.raw"],
            learned.Parameters.Select(p => p.Name));
        Parameter raw = learned.Parameters[^1];
        Assert.Equal(schedule.Raw, raw.Value[0]);
        raw.Value[0] = 2f;
        Assert.Equal(Math.Log(1 + Math.Exp(2)) + schedule.Epsilon, learned.Temperature, 1e-5);
    }

    [Fact]
    public void The_networks_mirror_the_encoder_unless_told_and_start_with_he_then_glorot_weights()
    {
        var model = new DiscreteVaeModel(new DiscreteVaeArchitecture
        {
            FeatureCount = 100, LatentCount = 10, CategoryCount = 10, EncoderHiddenSizes = [100, 60],
        }, seed: 5);
        Assert.Equal([(100, 100), (100, 60), (60, 100)], model.EncoderLayers.Select(l => (l.Inputs, l.Outputs)));
        Assert.Equal([(100, 60), (60, 100), (100, 100)], model.DecoderLayers.Select(l => (l.Inputs, l.Outputs)));
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias", "encoder.2.weight", "encoder.2.bias",
            "decoder.0.weight", "decoder.0.bias", "decoder.1.weight", "decoder.1.bias", "decoder.2.weight", "decoder.2.bias"],
            model.Parameters.Select(p => p.Name));
        // Uniform weights in (-a, a): over thousands of weights the largest magnitude is within 1% of a. He (a = sqrt(6 / in))
        // before a ReLU, Glorot (a = sqrt(6 / (in + out))) for the linear last layer; 100 -> 100 tells them apart (0.245, 0.173).
        foreach (IReadOnlyList<Linear> net in new[] { model.EncoderLayers, model.DecoderLayers })
            for (int i = 0; i < net.Count; i++)
            {
                Linear layer = net[i];
                double limit = i < net.Count - 1 ? Math.Sqrt(6.0 / layer.Inputs) : Math.Sqrt(6.0 / (layer.Inputs + layer.Outputs));
                double largest = layer.Weight.Value.Max(v => Math.Abs(v));
                Assert.InRange(largest, 0.99 * limit, limit * (1 + 1e-6));
            }

        var own = new DiscreteVaeModel(new DiscreteVaeArchitecture
        {
            FeatureCount = 7, LatentCount = 3, Latents = LatentDistribution.Bernoulli, EncoderHiddenSizes = [5], DecoderHiddenSizes = [4, 6],
        });
        Assert.Equal([(7, 5), (5, 3)], own.EncoderLayers.Select(l => (l.Inputs, l.Outputs)));
        Assert.Equal([(3, 4), (4, 6), (6, 7)], own.DecoderLayers.Select(l => (l.Inputs, l.Outputs)));
    }

    [Fact]
    public void The_architecture_has_the_documented_defaults_and_names_the_first_bad_setting()
    {
        var defaults = new DiscreteVaeArchitecture { FeatureCount = 1 };
        Assert.Equal(20, defaults.LatentCount);
        Assert.Equal(10, defaults.CategoryCount);
        Assert.Equal(LatentDistribution.Categorical, defaults.Latents);
        Assert.Equal([512, 256], defaults.EncoderHiddenSizes);
        Assert.Null(defaults.DecoderHiddenSizes);
        Assert.Equal([256, 512], defaults.EffectiveDecoderHiddenSizes);
        Assert.Equal(ReconstructionLikelihood.Bernoulli, defaults.Likelihood);
        Assert.Equal(RelaxationMode.Soft, defaults.Relaxation);
        Assert.Equal(LatentPrior.Uniform, defaults.Prior);
        Assert.Equal(10, defaults.EffectiveCategoryCount);
        Assert.Equal(200, defaults.LatentWidth);
        defaults.Validate();

        // Bernoulli latents ignore the category count; two categories are the fewest a categorical latent may have.
        var bits = defaults with { Latents = LatentDistribution.Bernoulli, CategoryCount = 1 };
        bits.Validate();
        Assert.Equal(2, bits.EffectiveCategoryCount);
        Assert.Equal(20, bits.LatentWidth);
        (defaults with { CategoryCount = 2, EncoderHiddenSizes = [1], DecoderHiddenSizes = [] }).Validate();

        void Rejects<T>(DiscreteVaeArchitecture bad, string name, string says) where T : ArgumentException
        {
            T ex = Assert.Throws<T>(bad.Validate);
            Assert.Equal(name, ex.ParamName);
            Assert.Contains(says, ex.Message);
        }
        Rejects<ArgumentOutOfRangeException>(defaults with { FeatureCount = 0 }, "FeatureCount", "at least one feature");
        Rejects<ArgumentOutOfRangeException>(defaults with { LatentCount = 0 }, "LatentCount", "at least one latent variable");
        Rejects<ArgumentOutOfRangeException>(defaults with { CategoryCount = 1 }, "CategoryCount", "at least 2 categories");
        Rejects<ArgumentOutOfRangeException>(defaults with { Latents = (LatentDistribution)7 }, "Latents", "Unknown latent distribution");
        Rejects<ArgumentOutOfRangeException>(defaults with { Likelihood = (ReconstructionLikelihood)7 }, "Likelihood", "Unknown likelihood");
        Rejects<ArgumentOutOfRangeException>(defaults with { Relaxation = (RelaxationMode)7 }, "Relaxation", "Unknown relaxation mode");
        Rejects<ArgumentOutOfRangeException>(defaults with { Prior = (LatentPrior)7 }, "Prior", "Unknown prior");
        Rejects<ArgumentOutOfRangeException>(defaults with { EncoderHiddenSizes = [4, 0] }, "EncoderHiddenSizes", "widths of at least 1");
        Rejects<ArgumentOutOfRangeException>(defaults with { DecoderHiddenSizes = [0] }, "DecoderHiddenSizes", "widths of at least 1");
        Rejects<ArgumentNullException>(defaults with { EncoderHiddenSizes = null! }, "EncoderHiddenSizes", "EncoderHiddenSizes");
        Assert.Throws<ArgumentNullException>(() => new DiscreteVaeModel(null!));
    }

    [Fact]
    public void A_network_allocates_its_buffers_once_for_the_largest_batch_it_has_seen()
    {
        // A hidden layer of 64 units on 64 rows: buffers of 16 KB, which a network that reallocated them per call would
        // allocate every step. The product itself allocates a few dozen bytes per call (measured: 48 bytes per step), and
        // GC accounting can add up to 8 KB once (see Allocations), so 10 steps must stay under 16 KB in all.
        using var one = DegreeOfParallelism.Override(1);
        var mlp = new Mlp([3, 64, 2], new RandomSource(1), "net");
        var large = new Matrix(64, 3);
        var small = new Matrix(5, 3);
        new RandomSource(2).NextUniforms(large.Data);
        new RandomSource(3).NextUniforms(small.Data);
        void Step()
        {
            mlp.Forward(large);
            mlp.Forward(small);
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated in 10 steps");
    }

    private static void Set(Linear layer, float[] weight, float[] bias)
    {
        weight.CopyTo(layer.Weight.Value, 0);
        bias.CopyTo(layer.Bias.Value, 0);
    }
}
