using Ml.Relaxation.Onnx;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.Onnx;

public sealed class DiscreteVaeOnnxGraphsTests
{
    private const int Rows = 257, Features = 11, Hidden = 9, Latents = 3, Categories = 4;

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void EncoderGraphMatchesAPlainReference(bool bernoulliLatents, bool bernoulliLikelihood)
    {
        var rng = new RandomSource(17);
        int k = bernoulliLatents ? 2 : Categories;
        int logits = bernoulliLatents ? Latents : Latents * k;
        DiscreteVaeGraphSpec spec = Spec(rng, bernoulliLatents, bernoulliLikelihood, k, logits);
        float[] x = Uniforms(rng, Rows * Features, 2f);

        Dictionary<string, Array> outputs = OnnxTestRunner.Run(DiscreteVaeOnnxGraphs.Encoder(spec), "Features", x, Rows, Features);

        var codes = (long[])outputs["Codes"];
        var oneHot = (float[])outputs["OneHot"];
        var probabilities = (float[])outputs["Probabilities"];
        var reconstruction = (float[])outputs["Reconstruction"];
        Assert.Equal(Rows * Latents, codes.Length);
        Assert.Equal(Rows * Latents * k, oneHot.Length);
        Assert.Equal(Rows * Features, reconstruction.Length);
        for (int r = 0; r < Rows; r++)
        {
            double[] a = Mlp(spec.Encoder, x.AsSpan(r * Features, Features));
            var expectedOneHot = new double[Latents * k];
            for (int j = 0; j < Latents; j++)
            {
                // Reference posterior: softmax over the K logits, or (1 - sigmoid(a), sigmoid(a)).
                double[] q = bernoulliLatents
                    ? [1 / (1 + Math.Exp(a[j])), 1 / (1 + Math.Exp(-a[j]))]
                    : Softmax(a.AsSpan(j * k, k));
                int best = 0;
                for (int c = 0; c < k; c++)
                {
                    Assert.Equal(q[c], probabilities[(r * Latents + j) * k + c], 5e-6);
                    if (q[c] > q[best]) best = c;
                }
                Assert.Equal(best, codes[r * Latents + j]);
                expectedOneHot[j * k + best] = 1;
            }
            for (int i = 0; i < expectedOneHot.Length; i++) Assert.Equal(expectedOneHot[i], oneHot[r * Latents * k + i]);

            double[] decoderInput = bernoulliLatents
                ? [.. Enumerable.Range(0, Latents).Select(j => (double)codes[r * Latents + j])]
                : expectedOneHot;
            double[] mean = Mlp(spec.Decoder, [.. decoderInput.Select(v => (float)v)]);
            for (int i = 0; i < Features; i++)
            {
                double expected = bernoulliLikelihood ? 1 / (1 + Math.Exp(-mean[i])) : mean[i];
                Assert.Equal(expected, reconstruction[r * Features + i], 2e-5);
            }
        }
    }

    [Fact]
    public void DecoderGraphMatchesAPlainReference()
    {
        var rng = new RandomSource(5);
        DiscreteVaeGraphSpec spec = Spec(rng, false, true, Categories, Latents * Categories);
        float[] z = Uniforms(rng, Rows * Latents * Categories, 1f);

        var mean = (float[])OnnxTestRunner.Run(DiscreteVaeOnnxGraphs.Decoder(spec), "Latent", z, Rows, Latents * Categories)["Reconstruction"];

        for (int r = 0; r < Rows; r++)
        {
            double[] expected = Mlp(spec.Decoder, z.AsSpan(r * Latents * Categories, Latents * Categories));
            for (int i = 0; i < Features; i++) Assert.Equal(1 / (1 + Math.Exp(-expected[i])), mean[r * Features + i], 2e-5);
        }
    }

    [OnnxCheckerTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void GraphsPassTheOnnxChecker(bool bernoulliLatents)
    {
        int k = bernoulliLatents ? 2 : Categories;
        DiscreteVaeGraphSpec spec = Spec(new RandomSource(3), bernoulliLatents, true, k, bernoulliLatents ? Latents : Latents * k);
        OnnxChecker.AssertValid(DiscreteVaeOnnxGraphs.Encoder(spec));
        OnnxChecker.AssertValid(DiscreteVaeOnnxGraphs.Encoder(spec with { Decoder = [] }));
        OnnxChecker.AssertValid(DiscreteVaeOnnxGraphs.Decoder(spec));
    }

    [Fact]
    public void ModelBytesAreDeterministic()
    {
        DiscreteVaeGraphSpec a = Spec(new RandomSource(8), false, true, Categories, Latents * Categories);
        DiscreteVaeGraphSpec b = Spec(new RandomSource(8), false, true, Categories, Latents * Categories);
        Assert.Equal(DiscreteVaeOnnxGraphs.Encoder(a), DiscreteVaeOnnxGraphs.Encoder(b));
        OnnxChecker.CheckIfInstalled(DiscreteVaeOnnxGraphs.Encoder(a));
    }

    [Fact]
    public void MismatchedLayersAreRejected()
    {
        DiscreteVaeGraphSpec spec = Spec(new RandomSource(1), false, true, Categories, Latents * Categories);
        var wrongLatent = spec with { LatentCount = Latents + 1 };
        Assert.Contains("outputs", Assert.Throws<ArgumentException>(() => DiscreteVaeOnnxGraphs.Encoder(wrongLatent)).Message);
        var broken = spec with { Decoder = [spec.Decoder[1], spec.Decoder[0]] };
        Assert.Equal("Decoder", Assert.Throws<ArgumentException>(() => DiscreteVaeOnnxGraphs.Encoder(broken)).ParamName);
        var shortWeights = spec with { Encoder = [spec.Encoder[0] with { Bias = new float[1] }, spec.Encoder[1]] };
        Assert.Equal("Encoder", Assert.Throws<ArgumentException>(() => DiscreteVaeOnnxGraphs.Encoder(shortWeights)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => DiscreteVaeOnnxGraphs.Encoder(spec with { Bernoulli = true }));
    }

    private static DiscreteVaeGraphSpec Spec(RandomSource rng, bool bernoulliLatents, bool bernoulliLikelihood, int k, int logits) => new()
    {
        Encoder = [Layer(rng, Features, Hidden), Layer(rng, Hidden, logits)],
        Decoder = [Layer(rng, bernoulliLatents ? Latents : Latents * k, Hidden), Layer(rng, Hidden, Features)],
        LatentCount = Latents,
        CategoryCount = k,
        Bernoulli = bernoulliLatents,
        BernoulliLikelihood = bernoulliLikelihood,
    };

    private static DenseLayerWeights Layer(RandomSource rng, int inputs, int outputs)
        => new(Uniforms(rng, inputs * outputs, 1f), Uniforms(rng, outputs, 0.5f), inputs, outputs);

    private static float[] Uniforms(RandomSource rng, int count, float scale)
    {
        var values = new float[count];
        rng.NextUniforms(values);
        for (int i = 0; i < count; i++) values[i] = (2 * values[i] - 1) * scale;
        return values;
    }

    /// <summary>Double-precision MLP with ReLU between layers, written out loop by loop.</summary>
    private static double[] Mlp(IReadOnlyList<DenseLayerWeights> layers, ReadOnlySpan<float> input)
    {
        double[] h = [.. input.ToArray().Select(v => (double)v)];
        for (int l = 0; l < layers.Count; l++)
        {
            DenseLayerWeights layer = layers[l];
            var y = new double[layer.Outputs];
            for (int o = 0; o < layer.Outputs; o++)
            {
                double s = layer.Bias[o];
                for (int i = 0; i < layer.Inputs; i++) s += h[i] * layer.Weight[i * layer.Outputs + o];
                y[o] = l < layers.Count - 1 ? Math.Max(0, s) : s;
            }
            h = y;
        }
        return h;
    }

    private static double[] Softmax(ReadOnlySpan<double> a)
    {
        double max = double.NegativeInfinity;
        foreach (double v in a) max = Math.Max(max, v);
        var e = new double[a.Length];
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += e[i] = Math.Exp(a[i] - max);
        for (int i = 0; i < a.Length; i++) e[i] /= sum;
        return e;
    }
}
