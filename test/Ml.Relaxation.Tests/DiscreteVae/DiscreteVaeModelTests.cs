using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.DiscreteVae;

public sealed class DiscreteVaeModelTests
{
    private static readonly SyntheticMixture Data = new(rows: 1200, seed: 11);

    private static DiscreteVaeModel Model(RelaxationMode mode, LatentPrior prior = LatentPrior.Uniform, int categories = 4, ulong seed = 1) =>
        new(new DiscreteVaeArchitecture
        {
            FeatureCount = SyntheticMixture.Features,
            LatentCount = 1,
            CategoryCount = categories,
            EncoderHiddenSizes = [32],
            Relaxation = mode,
            Prior = prior,
        }, seed);

    private static TrainingHistory Train(DiscreteVaeModel model, int epochs = 25)
    {
        var schedule = new AnnealedTemperature(rate: 1e-3, minimum: 0.5f, interval: 20);
        var options = new TrainingOptions
        {
            Epochs = epochs,
            LearningRate = 1e-2f,
            OnStep = s =>
            {
                schedule.OnStep(s.Step);
                model.Temperature = schedule.Temperature;
            },
        };
        return TrainingLoop.Run(model, new InMemoryBatchSource(Data.X, null, batchSize: 50, seed: 5), null, options);
    }

    [Theory]
    [InlineData(RelaxationMode.Soft)]
    [InlineData(RelaxationMode.StraightThrough)]
    public void RecoversTheMixtureComponentsAndImprovesTheElbo(RelaxationMode mode)
    {
        DiscreteVaeModel model = Model(mode);
        double before = model.EvaluateNegativeElbo(Data.X, samples: 4).Total;

        TrainingHistory history = Train(model);

        NegativeElbo after = model.EvaluateNegativeElbo(Data.X, samples: 4);
        double truth = Data.TrueNegativeLogLikelihood();
        // The untrained model is near D log 2 = 16.6 nats; the true mixture needs about 9.2. A model that found the
        // components pays at most a little more than that (KL up to log 4 = 1.39 when codes are certain).
        Assert.True(before > truth + 5, $"untrained -ELBO {before:F2}, truth {truth:F2}");
        Assert.True(after.Total < truth + 1.0, $"trained -ELBO {after.Total:F2} (rec {after.Reconstruction:F2}, KL {after.Kl:F2}), truth {truth:F2}");
        Assert.True(after.Total >= truth - 0.2, $"-ELBO {after.Total:F2} is below the true -log p(x) {truth:F2}: not a bound");
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss - 2, "the training objective did not fall");

        var codes = new int[Data.X.Rows];
        var probabilities = new float[Data.X.Rows * 4];
        model.Encode(Data.X, codes, probabilities);
        double agreement = Data.AgreementUpToRelabelling(codes, 4);
        Assert.True(agreement >= 0.97, $"codes agree with the true components on {agreement:P1} of rows");
    }

    [Fact]
    public void ImportanceWeightingTightensTheBoundMonotonicallyAndStartsAtTheElbo()
    {
        // Two-sided, row by row: IW(1) estimates the ELBO (equal in expectation), IW(m) rises with m (in expectation),
        // and stays below the true log-likelihood. Each comparison is of per-row estimates on the same rows, so its
        // tolerance is four standard errors of the mean paired difference, measured here from the rows themselves.
        DiscreteVaeModel model = Model(RelaxationMode.Soft, LatentPrior.Learned, categories: 6);
        Train(model, epochs: 8);
        const int n = 400;
        // Each row with its own seed: the rows' estimates are then independent, which the standard errors assume.
        double[] PerRow(Func<Matrix, ulong, double> estimate) =>
            [.. Enumerable.Range(0, n).Select(r => estimate(new Matrix(Data.X.Row(r).ToArray(), 1, SyntheticMixture.Features), (ulong)r))];
        double[] elbo = PerRow((x, r) => -model.EvaluateNegativeElbo(x, samples: 20, seed: 10_000 + r).Total);
        double[] iw1 = PerRow((x, r) => model.ImportanceWeightedLogLikelihood(x, samples: 1, seed: 20_000 + r));
        double[] iw5 = PerRow((x, r) => model.ImportanceWeightedLogLikelihood(x, samples: 5, seed: 30_000 + r));
        double[] iw50 = PerRow((x, r) => model.ImportanceWeightedLogLikelihood(x, samples: 50, seed: 40_000 + r));
        static (double Mean, double Tolerance) Difference(double[] a, double[] b)
        {
            var d = a.Zip(b, (u, v) => u - v).ToArray();
            double mean = d.Average(), sd = Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (d.Length - 1));
            return (mean, 4 * sd / Math.Sqrt(d.Length) + 1e-9);
        }
        var (d1, t1) = Difference(iw1, elbo);
        Assert.True(Math.Abs(d1) <= t1, $"IW(1) - ELBO = {d1:F4}, expected 0 within {t1:F4}");
        var (d5, t5) = Difference(iw5, iw1);
        Assert.True(d5 >= -t5, $"IW(5) - IW(1) = {d5:F4}, expected at least 0 within {t5:F4}");
        var (d50, t50) = Difference(iw50, iw5);
        Assert.True(d50 >= -t50, $"IW(50) - IW(5) = {d50:F4}, expected at least 0 within {t50:F4}");
        var (gain, tGain) = Difference(iw50, elbo);
        Assert.True(gain > tGain, $"IW(50) - ELBO = {gain:F4}: the bound did not tighten (noise {tGain:F4})");
        double[] truth = [.. Enumerable.Range(0, n).Select(r => -SyntheticMixture.RowNegativeLogLikelihood(Data.X.Row(r)))];
        var (excess, tExcess) = Difference(iw50, truth);
        Assert.True(excess <= tExcess, $"IW(50) exceeds the true log-likelihood by {excess:F4} (noise {tExcess:F4})");
    }

    [Fact]
    public void SameSeedGivesBitIdenticalParametersAtAnyThreadCount()
    {
        float[] Run(int threads)
        {
            using var scope = DegreeOfParallelism.Override(threads);
            DiscreteVaeModel model = Model(RelaxationMode.Soft);
            Train(model, epochs: 2);
            return [.. model.Parameters.SelectMany(p => p.Value)];
        }
        Assert.Equal(Run(1), Run(4));
    }

    [Fact]
    public void DecodeAndSampleFromPriorGiveMeansOfTheRightShape()
    {
        DiscreteVaeModel model = Model(RelaxationMode.Soft);
        Train(model, epochs: 10);
        var codes = new int[Data.X.Rows];
        model.Encode(Data.X, codes, new float[Data.X.Rows * 4]);

        // Decoding each row's code reconstructs its block: the mean is high on the block the code stands for.
        var mean = new Matrix(Data.X.Rows, SyntheticMixture.Features);
        model.Decode(codes, mean);
        double hits = 0;
        for (int r = 0; r < Data.X.Rows; r++)
        {
            int block = Enumerable.Range(0, SyntheticMixture.Components)
                .MaxBy(c => Enumerable.Range(c * SyntheticMixture.BlockSize, SyntheticMixture.BlockSize).Sum(j => mean[r, j]));
            if (block == Data.Labels[r]) hits++;
        }
        Assert.True(hits / Data.X.Rows > 0.95, $"decoded block matches the true component for {hits / Data.X.Rows:P1} of rows");

        // Uniform prior: the sampled codes are uniform over 4 categories (chi-square, 3 degrees of freedom, p = 0.001 cut 16.27).
        const int n = 4000;
        var sampled = new int[n];
        var samples = new Matrix(n, SyntheticMixture.Features);
        model.SampleFromPrior(new RandomSource(21), sampled, samples);
        double chi = Enumerable.Range(0, 4).Sum(c => Math.Pow(sampled.Count(s => s == c) - n / 4.0, 2) / (n / 4.0));
        Assert.True(chi < 16.27, $"chi-square {chi:F2} of the prior's codes");
        Assert.All(samples.Data, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void BadDataAndArgumentsAreRejectedWithClearMessages()
    {
        DiscreteVaeModel model = Model(RelaxationMode.Soft);
        var outside = new Matrix(2, SyntheticMixture.Features);
        outside[1, 3] = 1.5f;
        var ex = Assert.Throws<ArgumentException>(() => model.TrainStep(Batch(outside), default));
        Assert.Contains("[0, 1]", ex.Message);
        outside[1, 3] = float.NaN;
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => model.EvaluateNegativeElbo(outside)).Message);
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => model.Encode(new Matrix(2, 3), new int[2], new float[8])).ParamName);
        Assert.Equal("codes", Assert.Throws<ArgumentOutOfRangeException>(() => model.Decode([4], new Matrix(1, SyntheticMixture.Features))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Temperature = 0f);
        Assert.Equal("LatentCount", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DiscreteVaeModel(new DiscreteVaeArchitecture { FeatureCount = 3, LatentCount = 0 })).ParamName);
        Assert.Equal("CategoryCount", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DiscreteVaeModel(new DiscreteVaeArchitecture { FeatureCount = 3, CategoryCount = 1 })).ParamName);
    }

    private static Batch Batch(Matrix x)
    {
        var batch = new Batch(x.Rows, x.Cols, 0);
        x.AsSpan().CopyTo(batch.Features.AsSpan());
        return batch;
    }
}
