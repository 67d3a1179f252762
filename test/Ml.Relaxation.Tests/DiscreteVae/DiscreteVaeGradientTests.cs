using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Randomness;

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
    public void StraightThroughDecoderAndPriorGradientsAreExact(LatentDistribution latents)
    {
        // Straight-through feeds the decoder an exact discrete sample, so the decoder's and the prior's gradients are
        // true gradients of the objective (the encoder's is the biased straight-through estimate and is not checked).
        DiscreteVaeModel model = Model(latents, ReconstructionLikelihood.Bernoulli, LatentPrior.Learned, RelaxationMode.StraightThrough);
        Matrix x = Data(ReconstructionLikelihood.Bernoulli);
        CheckGradient(model, x, [.. model.Parameters.Where(p => !p.Name.StartsWith("encoder", StringComparison.Ordinal))]);
    }

    private static void CheckGradient(DiscreteVaeModel model, Matrix x, IReadOnlyList<Parameter> checkedParameters)
    {
        const ulong noise = 12345;
        const float h = 2e-3f;
        foreach (Parameter p in model.Parameters) p.ZeroGradient();
        model.NoisePosition = noise;
        model.Objective(x, backward: true, NoiseSource(model), model.Temperature);
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
        Assert.True(compared > 50, $"Only {compared} gradient entries compared.");
    }

    private static double Loss(DiscreteVaeModel model, Matrix x, ulong noise)
    {
        model.NoisePosition = noise;
        return model.Objective(x, backward: false, NoiseSource(model), model.Temperature).Total;
    }

    // The training stream is the model's own; Objective takes it explicitly so tests replay it by position.
    private static RandomSource NoiseSource(DiscreteVaeModel model) => model.TrainingNoise;

    private static DiscreteVaeModel Model(LatentDistribution latents, ReconstructionLikelihood likelihood, LatentPrior prior, RelaxationMode mode)
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
        }, seed: 3) { Temperature = 0.8f };
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
