using Microsoft.ML;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.DiscreteVae;

/// <summary>
/// The fitted transformer's public array methods (<c>Encode</c>, <c>Decode</c>, <c>SampleFromPrior</c>) give exactly
/// what the internal model gives on the same rows, codes and draws, and reject lengths that are not whole rows.
/// </summary>
public sealed class DiscreteVaeTransformerArrayTests(DiscreteVaeTransformerArrayTests.BrieflyFitted fitted)
    : IClassFixture<DiscreteVaeTransformerArrayTests.BrieflyFitted>
{
    private const int Rows = 37;

    /// <summary>A VAE fitted for two epochs on a small mixture: these tests compare two routes to the same numbers, so no quality is needed.</summary>
    public sealed class BrieflyFitted : IDisposable
    {
        public BrieflyFitted()
        {
            var context = new MLContext(seed: 1);
            Data = new SyntheticMixture(rows: 200, seed: 3);
            var options = FittedMixtureVae.Options();
            options.Epochs = 2;
            Transformer = context.Relaxation().DiscreteVae(options).Fit(MixtureViews.Features(context, Data));
        }

        internal SyntheticMixture Data { get; }

        public DiscreteVaeTransformer Transformer { get; }

        public void Dispose() => Transformer.Dispose();
    }

    [Fact]
    public void Encode_and_decode_on_arrays_equal_the_model_on_matrices()
    {
        var vae = fitted.Transformer;
        int d = vae.FeatureCount, l = vae.LatentCount, k = vae.CategoryCount;
        Assert.Equal((SyntheticMixture.Features, 1, 4), (d, l, k));
        float[] rows = fitted.Data.X.AsSpan()[..(Rows * d)].ToArray();

        int[] codes = new int[Rows * l], modelCodes = new int[Rows * l];
        float[] probabilities = new float[Rows * l * k], modelProbabilities = new float[Rows * l * k];
        vae.Encode(rows, codes, probabilities);
        vae.Model.Encode(new Matrix(rows, Rows, d), modelCodes, modelProbabilities);
        Assert.Equal(modelCodes, codes);
        Assert.Equal(modelProbabilities, probabilities);

        var decoded = new float[Rows * d];
        var modelDecoded = new Matrix(Rows, d);
        vae.Decode(codes, decoded);
        vae.Model.Decode(codes, modelDecoded);
        Assert.Equal(modelDecoded.AsSpan().ToArray(), decoded);
    }

    [Fact]
    public void Sample_from_prior_on_arrays_equals_the_model_for_the_same_seed()
    {
        var vae = fitted.Transformer;
        int[] codes = new int[Rows * vae.LatentCount], modelCodes = new int[Rows * vae.LatentCount];
        var samples = new float[Rows * vae.FeatureCount];
        var modelSamples = new Matrix(Rows, vae.FeatureCount);
        vae.SampleFromPrior(new RandomSource(9, stream: 1), codes, samples);
        vae.Model.SampleFromPrior(new RandomSource(9, stream: 1), modelCodes, modelSamples);
        Assert.Equal(modelCodes, codes);
        Assert.Equal(modelSamples.AsSpan().ToArray(), samples);
        Assert.Contains(codes, c => c != codes[0]); // 37 draws from a 4-category prior are not all alike
    }

    [Fact]
    public void Lengths_that_are_not_whole_rows_are_rejected_naming_the_argument()
    {
        var vae = fitted.Transformer;
        int d = vae.FeatureCount;
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => vae.Encode(new float[d + 1], new int[2], new float[8])).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => vae.Decode(new int[1], new float[d - 1])).ParamName);
        Assert.Equal("codes", Assert.Throws<ArgumentException>(() => vae.Decode(new int[3], new float[2 * d])).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentException>(() => vae.SampleFromPrior(new RandomSource(1), new int[1], new float[d + 3])).ParamName);
    }
}
