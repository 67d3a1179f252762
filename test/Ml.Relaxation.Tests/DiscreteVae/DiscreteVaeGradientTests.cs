using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.DiscreteVae;

/// <summary>The model's whole backward pass against central finite differences of its objective, with the noise replayed.</summary>
public sealed class DiscreteVaeGradientTests
{
    [Theory]
    [InlineData(LatentDistribution.Categorical, ReconstructionLikelihood.Bernoulli, LatentPrior.Uniform)]
    [InlineData(LatentDistribution.Categorical, ReconstructionLikelihood.Gaussian, LatentPrior.Learned)]
    [InlineData(LatentDistribution.Bernoulli, ReconstructionLikelihood.Bernoulli, LatentPrior.Learned)]
    [InlineData(LatentDistribution.Bernoulli, ReconstructionLikelihood.Gaussian, LatentPrior.Uniform)]
    public void SoftRelaxationGradientMatchesFiniteDifferences(LatentDistribution latents, ReconstructionLikelihood likelihood, LatentPrior prior)
    {
        DiscreteVaeModel model = Model(latents, likelihood, prior, RelaxationMode.Soft);
        Matrix x = Data(likelihood);
        CheckGradient(model, x, model.Parameters);
    }

    [Theory]
    [InlineData(LatentDistribution.Categorical)]
    [InlineData(LatentDistribution.Bernoulli)]
    public void LearnedTemperatureGradientMatchesFiniteDifferences(LatentDistribution latents)
    {
        var learned = LearnedTemperature.Bounded(initial: 0.8f, lower: 0.2, upper: 3);
        DiscreteVaeModel model = Model(latents, ReconstructionLikelihood.Bernoulli, LatentPrior.Uniform, RelaxationMode.Soft, learned);
        CheckGradient(model, Data(ReconstructionLikelihood.Bernoulli), model.Parameters, minimumCompared: 1);
        Assert.Equal(0.8f, model.Temperature, 1e-5f);
        Assert.Throws<InvalidOperationException>(() => model.Temperature = 1f);
    }

    [Theory]
    [InlineData(LatentDistribution.Categorical)]
    [InlineData(LatentDistribution.Bernoulli)]
    public void StraightThroughDecoderAndPriorGradientsAreExact(LatentDistribution latents)
    {
        // Straight-through feeds the decoder an exact discrete sample, so the decoder's and the prior's gradients are
        // true gradients of the objective (the encoder's is the biased straight-through estimate and is not checked).
        DiscreteVaeModel model = Model(latents, ReconstructionLikelihood.Bernoulli, LatentPrior.Learned, RelaxationMode.StraightThrough);
        Matrix x = Data(ReconstructionLikelihood.Bernoulli);
        CheckGradient(model, x, [.. model.Parameters.Where(p => !p.Name.StartsWith("encoder", StringComparison.Ordinal))]);
    }

    private static void CheckGradient(DiscreteVaeModel model, Matrix x, IReadOnlyList<Parameter> checkedParameters, int minimumCompared = 50)
    {
        const ulong noise = 12345;
        const float h = 2e-3f;
        foreach (Parameter p in model.Parameters) p.ZeroGradient();
        model.NoisePosition = noise;
        model.Objective(x, backward: true, NoiseSource(model), model.Temperature);
        foreach (Parameter p in model.Parameters.Where(p => p.Name == "temperature.raw"))
        {
            // The objective takes tau as an argument: perturb the raw parameter through the model's Temperature.
            float analytic = p.Gradient[0], original = p.Value[0];
            p.Value[0] = original + h;
            double plus = Loss(model, x, noise);
            p.Value[0] = original - h;
            double minus = Loss(model, x, noise);
            p.Value[0] = original;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic) <= 3e-3 + 2e-2 * Math.Abs(numeric), $"temperature: analytic {analytic:G6}, finite difference {numeric:G6}");
            Assert.True(Math.Abs(analytic) > 1e-3, $"temperature gradient {analytic} too small to test anything");
        }
        checkedParameters = [.. checkedParameters.Where(p => p.Name != "temperature.raw")];
        int compared = 0;
        foreach (Parameter p in checkedParameters)
        {
            float[] analytic = (float[])p.Gradient.Clone();
            for (int i = 0; i < p.Value.Length; i++)
            {
                float original = p.Value[i];
                p.Value[i] = original + h;
                double plus = Loss(model, x, noise);
                p.Value[i] = original - h;
                double minus = Loss(model, x, noise);
                p.Value[i] = original;
                double numeric = (plus - minus) / (2 * h);
                double tolerance = 3e-3 + 2e-2 * Math.Abs(numeric);
                Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance,
                    $"{p.Name}[{i}]: analytic {analytic[i]:G6}, finite difference {numeric:G6}");
                compared++;
            }
        }
        Assert.True(compared >= minimumCompared, $"Only {compared} gradient entries compared.");
    }

    private static double Loss(DiscreteVaeModel model, Matrix x, ulong noise)
    {
        model.NoisePosition = noise;
        return model.Objective(x, backward: false, NoiseSource(model), model.Temperature).Total;
    }

    // The training stream is the model's own; Objective takes it explicitly so tests replay it by position.
    private static RandomSource NoiseSource(DiscreteVaeModel model) => model.TrainingNoise;

    private static DiscreteVaeModel Model(LatentDistribution latents, ReconstructionLikelihood likelihood, LatentPrior prior, RelaxationMode mode,
        LearnedTemperature? learned = null)
    {
        var model = new DiscreteVaeModel(new DiscreteVaeArchitecture
        {
            FeatureCount = 5,
            LatentCount = 2,
            CategoryCount = 3,
            Latents = latents,
            EncoderHiddenSizes = [4],
            DecoderHiddenSizes = [6],
            Likelihood = likelihood,
            Prior = prior,
            Relaxation = mode,
        }, seed: 3, learned);
        if (learned is null) model.Temperature = 0.8f;
        // Non-zero biases and prior logits, so that their gradients are exercised away from the symmetric start.
        var rng = new RandomSource(99);
        foreach (Parameter p in model.Parameters.Where(p => p.Name.EndsWith("bias", StringComparison.Ordinal) || p.Name.StartsWith("prior", StringComparison.Ordinal)))
        {
            rng.NextUniforms(p.Value);
            for (int i = 0; i < p.Value.Length; i++) p.Value[i] = p.Value[i] - 0.5f;
        }
        return model;
    }

    private static Matrix Data(ReconstructionLikelihood likelihood)
    {
        var x = new Matrix(4, 5);
        new RandomSource(7).NextUniforms(x.AsSpan());
        if (likelihood == ReconstructionLikelihood.Gaussian)
            for (int i = 0; i < x.Data.Length; i++) x.Data[i] = 3 * x.Data[i] - 1.5f;
        return x;
    }
}
