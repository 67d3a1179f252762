using Microsoft.ML;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Tests.Conformance;
using Ml.Relaxation.Tests.Reliability;

namespace Ml.Relaxation.Tests.DiscreteVae;

/// <summary>The project's conformance kit and reliability matrix applied to the discrete VAE estimator.</summary>
public sealed class DiscreteVaeReliabilityTests
{
    private static readonly SyntheticMixture Small = new(rows: 160, seed: 4);

    private static DiscreteVaeOptions Quick(ReconstructionLikelihood likelihood = ReconstructionLikelihood.Bernoulli)
    {
        DiscreteVaeOptions o = FittedMixtureVae.Options();
        o.Epochs = 3;
        o.Likelihood = likelihood;
        return o;
    }

    [Fact]
    public void PassesTheConformanceKit()
    {
        var ctx = new MLContext(seed: 1);
        IDataView data = MixtureViews.Features(ctx, Small);
        IDataView missing = ctx.Transforms.CopyColumns("Other", "Features").Append(ctx.Transforms.DropColumns("Features")).Fit(data).Transform(data);
        EstimatorConformance.AssertConforms(ctx, ctx.Relaxation().DiscreteVae(Quick()), data,
            invalidInputs: [InvalidInput.Strict(missing), InvalidInput.Strict(MixtureViews.Doubles(ctx, 10, SyntheticMixture.Features))]);
    }

    [Fact]
    public void EachBadDataCaseTrainsOrFailsClearly()
    {
        // A Gaussian likelihood, so that the clean data (uniform in (-1, 1)) is valid and every failure is about the case.
        var ctx = new MLContext(seed: 1);
        BadData.AssertEachTrainsOrFailsClearly(BadData.Cases(ctx, 5, task: null),
            data => ctx.Relaxation().DiscreteVae(Quick(ReconstructionLikelihood.Gaussian)).Fit(data), BadData.Clean(ctx, 5, task: null));
    }

    [Fact]
    public void FitIsBitIdenticalAtAnyThreadCount()
    {
        Determinism.AssertBitIdentical(threads =>
        {
            using var scope = DegreeOfParallelism.Override(threads);
            var ctx = new MLContext(seed: 1);
            using DiscreteVaeTransformer t = ctx.Relaxation().DiscreteVae(Quick()).Fit(MixtureViews.Features(ctx, Small));
            return [.. t.Model.Parameters.SelectMany(p => p.Value)];
        }, 2, 4);
    }

    [Fact]
    public void CancelsPromptly()
    {
        var ctx = new MLContext(seed: 1);
        IDataView data = MixtureViews.Features(ctx, new SyntheticMixture(rows: 2000, seed: 3));
        Cancellation.AssertCancelsPromptly(token =>
        {
            DiscreteVaeOptions o = Quick();
            o.Epochs = 10_000;
            o.CancellationToken = token;
            return ctx.Relaxation().DiscreteVae(o).Fit(data);
        }, cancelAfter: TimeSpan.FromMilliseconds(300), within: TimeSpan.FromSeconds(1));
    }
}
