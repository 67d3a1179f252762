using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.DiscreteVae;

/// <summary>Fits one small VAE on the synthetic mixture, shared by the tests of the fitted transformer; disposing it deletes ML.NET's temporary copy of the graph.</summary>
public sealed class FittedMixtureVae : IDisposable
{
    public FittedMixtureVae()
    {
        Context = new MLContext(seed: 1);
        Context.Log += (_, e) => { lock (Log) Log.Add(e.Message); };
        Data = new SyntheticMixture(rows: 1200, seed: 11);
        View = MixtureViews.Features(Context, Data);
        Transformer = Context.Relaxation().DiscreteVae(Options(Progress)).Fit(View);
    }

    public MLContext Context { get; }
    internal SyntheticMixture Data { get; } // internal: it exposes the engine's (internal) Matrix
    public IDataView View { get; }
    public DiscreteVaeTransformer Transformer { get; }
    public List<string> Log { get; } = [];
    public List<DiscreteVaeEpoch> Progress { get; } = [];

    public void Dispose() => Transformer.Dispose();

    public static DiscreteVaeOptions Options(List<DiscreteVaeEpoch>? progress = null) => new()
    {
        LatentCount = 1,
        CategoryCount = 4,
        EncoderHiddenSizes = [32],
        Epochs = 25,
        BatchSize = 50,
        LearningRate = 1e-2f,
        Temperature = new AnnealedTemperature(rate: 3e-3, interval: 20),
        ValidationFraction = 0.2f,
        Seed = 7,
        ReconstructionColumnName = "Reconstruction",
        Progress = progress is null ? null : new SynchronousProgress(progress),
    };

    /// <summary>Records reports on the calling thread (<see cref="Progress{T}"/> would post them asynchronously).</summary>
    private sealed class SynchronousProgress(List<DiscreteVaeEpoch> sink) : IProgress<DiscreteVaeEpoch>
    {
        public void Report(DiscreteVaeEpoch value) => sink.Add(value);
    }
}

public sealed class DiscreteVaeEstimatorTests(FittedMixtureVae fitted) : IClassFixture<FittedMixtureVae>
{
    private const int K = 4;

    [Fact]
    public void CodesColumnRecoversTheComponentsAndAgreesWithTheModel()
    {
        IDataView output = fitted.Transformer.Transform(fitted.View);
        long[][] codes = [.. output.GetColumn<long[]>("Codes")];
        float[][] oneHot = [.. output.GetColumn<float[]>("OneHot")];
        float[][] probabilities = [.. output.GetColumn<float[]>("Probabilities")];
        float[][] reconstruction = [.. output.GetColumn<float[]>("Reconstruction")];
        int n = fitted.Data.X.Rows;
        Assert.Equal(n, codes.Length);

        double agreement = fitted.Data.AgreementUpToRelabelling([.. codes.Select(c => (int)c[0])], K);
        Assert.True(agreement >= 0.97, $"codes agree with the true components on {agreement:P1} of rows");

        var modelCodes = new int[n];
        var modelProbabilities = new float[n * K];
        fitted.Transformer.Model.Encode(fitted.Data.X, modelCodes, modelProbabilities);
        var decoded = new Ml.Relaxation.Engine.Matrix(n, SyntheticMixture.Features);
        fitted.Transformer.Model.Decode(modelCodes, decoded);
        for (int r = 0; r < n; r++)
        {
            Assert.Equal(modelCodes[r], codes[r][0]);
            Assert.Equal(1f, oneHot[r][codes[r][0]]);
            Assert.Equal(1f, oneHot[r].Sum());
            Assert.Equal(1.0, probabilities[r].Sum(), 1e-5);
            for (int k = 0; k < K; k++) Assert.Equal(modelProbabilities[r * K + k], probabilities[r][k], 1e-5);
            for (int j = 0; j < SyntheticMixture.Features; j++) Assert.Equal(decoded[r, j], reconstruction[r][j], 1e-5);
        }
    }

    [Fact]
    public void HistoryProgressAndLogCoverEveryEpoch()
    {
        IReadOnlyList<DiscreteVaeEpoch> history = fitted.Transformer.History;
        Assert.Equal(25, history.Count);
        Assert.Equal(history, fitted.Progress);
        Assert.All(history, e => Assert.NotNull(e.ValidationNegativeElbo));
        Assert.All(history, e => Assert.Equal(e.ValidationNegativeElbo!.Value, e.ValidationReconstruction!.Value + e.ValidationKl!.Value, 1e-9));
        Assert.True(history[^1].ValidationNegativeElbo < history[0].ValidationNegativeElbo - 1, "validation -ELBO did not improve");
        Assert.True(history[^1].TrainNegativeElbo < history[0].TrainNegativeElbo - 1, "training -ELBO did not improve");
        // Annealing: about 19 steps per epoch at rate 3e-3 reaches the 0.5 floor (step 240) within the run and never rises.
        Assert.Equal(1f, history[0].Temperature, 0.03f);
        Assert.Equal(0.5f, history[^1].Temperature);
        for (int i = 1; i < history.Count; i++) Assert.True(history[i].Temperature <= history[i - 1].Temperature);
        lock (fitted.Log)
            Assert.Equal(25, fitted.Log.Count(m => m.Contains("epoch ") && m.Contains("validation -ELBO")));
    }

    [Fact]
    public void SavedModelLoadsInAFreshContextWithTheSameOutputs()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vae-{Guid.NewGuid():N}.zip");
        try
        {
            fitted.Context.Model.Save(fitted.Transformer, fitted.View.Schema, path);
            var fresh = new MLContext(seed: 99);
            ITransformer loaded = fresh.Model.Load(path, out DataViewSchema inputSchema);
            using var disposeLoaded = (IDisposable)loaded;
            Assert.Equal(SyntheticMixture.Features, ((VectorDataViewType)inputSchema["Features"].Type).Size);
            IDataView view = MixtureViews.Features(fresh, fitted.Data);
            long[][] expected = [.. fitted.Transformer.Transform(fitted.View).GetColumn<long[]>("Codes")];
            long[][] actual = [.. loaded.Transform(view).GetColumn<long[]>("Codes")];
            Assert.Equal(expected, actual);

            SchemaDefinition rowSchema = MixtureViews.RowSchema(SyntheticMixture.Features);
            var engine = fresh.Model.CreatePredictionEngine<MixtureViews.Row, MixtureViews.Encoded>(loaded, inputSchemaDefinition: rowSchema);
            var original = fitted.Context.Model.CreatePredictionEngine<MixtureViews.Row, MixtureViews.Encoded>(fitted.Transformer, inputSchemaDefinition: rowSchema);
            for (int r = 0; r < 50; r++)
            {
                var row = new MixtureViews.Row { Features = fitted.Data.X.Row(r).ToArray() };
                MixtureViews.Encoded a = engine.Predict(row), b = original.Predict(row);
                Assert.Equal(expected[r], a.Codes);
                Assert.Equal(expected[r], b.Codes);
                Assert.Equal(b.Probabilities, a.Probabilities);
                Assert.Equal(K, a.OneHot.Length);
            }
            // Without the vector's size the engine cannot work: the transformer says how to fix it.
            var unsized = Assert.Throws<ArgumentOutOfRangeException>(() =>
                fitted.Context.Model.CreatePredictionEngine<MixtureViews.Row, MixtureViews.Encoded>(fitted.Transformer));
            Assert.Contains("[VectorType(24)]", unsized.Message);
            // After Load the model is ML.NET's OnnxTransformer: a vector of the wrong size fails when read, naming the
            // column and both sizes (in memory the transformer rejects it when the schema is bound).
            IDataView narrow = MixtureViews.FromRows(fresh, [new float[5]], 5);
            var wrongSize = Assert.ThrowsAny<InvalidOperationException>(() => loaded.Transform(narrow).GetColumn<long[]>("Codes").ToList());
            Assert.Contains("'Features'", wrongSize.Message);
            Assert.Contains("24", wrongSize.Message);
            Assert.Matches(@"\b5\b", wrongSize.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EvaluationOnDataViewsMatchesTheModel()
    {
        NegativeElbo onView = fitted.Transformer.EvaluateNegativeElbo(fitted.View, samples: 2);
        NegativeElbo direct = fitted.Transformer.Model.EvaluateNegativeElbo(fitted.Data.X, samples: 2);
        // The KL is exact, so equal; the reconstruction is sampled with other seeds per batch: equal within noise.
        Assert.Equal(direct.Kl, onView.Kl, 1e-4);
        Assert.Equal(direct.Reconstruction, onView.Reconstruction, 0.1);
        double iw = fitted.Transformer.ImportanceWeightedLogLikelihood(fitted.View, samples: 10);
        Assert.True(iw > -onView.Total, $"IW(10) {iw:F3} should exceed the ELBO {-onView.Total:F3}");
    }

    [Fact]
    public void ExportedOnnxGraphsHaveTheColumnNames()
    {
        Ml.Relaxation.Tests.Onnx.OnnxChecker.CheckIfInstalled(fitted.Transformer.GetEncoderOnnx());
        Ml.Relaxation.Tests.Onnx.OnnxChecker.CheckIfInstalled(fitted.Transformer.GetDecoderOnnx());
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(fitted.Transformer.GetEncoderOnnx());
        Assert.Equal(["Features"], session.InputNames);
        Assert.Equal(["Codes", "OneHot", "Probabilities", "Reconstruction"], session.OutputNames);
        using var decoder = new Microsoft.ML.OnnxRuntime.InferenceSession(fitted.Transformer.GetDecoderOnnx());
        Assert.Equal(["Latent"], decoder.InputNames);
    }

    [Fact]
    public void TransformRejectsMissingWrongTypeAndWrongSizeColumns()
    {
        var ctx = fitted.Context;
        IDataView doubles = MixtureViews.Doubles(ctx, 3, SyntheticMixture.Features);
        IDataView narrow = MixtureViews.FromRows(ctx, [new float[5]], 5);
        IDataView renamed = ctx.Transforms.CopyColumns("Other", "Features").Append(ctx.Transforms.DropColumns("Features")).Fit(narrow).Transform(narrow);
        Assert.Contains("Double", Assert.Throws<ArgumentOutOfRangeException>(() => fitted.Transformer.Transform(doubles)).Message);
        Assert.Contains("expected a vector of 24 Single, got Vector<Single, 5>", Assert.Throws<ArgumentOutOfRangeException>(() => fitted.Transformer.Transform(narrow)).Message);
        Assert.Contains("Could not find feature column 'Features'", Assert.Throws<ArgumentOutOfRangeException>(() => fitted.Transformer.GetOutputSchema(renamed.Schema)).Message);
    }
}

public sealed class DiscreteVaeEstimatorInputTests
{
    private static readonly SyntheticMixture Small = new(rows: 200, seed: 2);

    [Fact]
    public void FitRejectsNaNAndValuesOutsideTheUnitIntervalNamingTheColumn()
    {
        var ctx = new MLContext(1);
        float[][] rows = [.. Enumerable.Range(0, Small.X.Rows).Select(r => Small.X.Row(r).ToArray())];
        rows[150][3] = 2f;
        var options = FittedMixtureVae.Options();
        options.Epochs = 1;
        var outside = Assert.Throws<InvalidOperationException>(() => ctx.Relaxation().DiscreteVae(options).Fit(MixtureViews.FromRows(ctx, rows, SyntheticMixture.Features)));
        Assert.Contains("'Features'", outside.Message);
        Assert.Contains("[0, 1]", outside.Message);

        rows[150][3] = float.NaN;
        var nan = Assert.Throws<InvalidOperationException>(() => ctx.Relaxation().DiscreteVae(options).Fit(MixtureViews.FromRows(ctx, rows, SyntheticMixture.Features)));
        Assert.Contains("Features", nan.Message);

        // Skipping such rows is an option; a Gaussian likelihood accepts any finite value.
        options.SkipRowsWithMissingValues = true;
        options.Likelihood = ReconstructionLikelihood.Gaussian;
        ctx.Relaxation().DiscreteVae(options).Fit(MixtureViews.FromRows(ctx, rows, SyntheticMixture.Features)).Dispose();
    }

    [Fact]
    public void FitRejectsWrongColumnTypesAndEmptyData()
    {
        var ctx = new MLContext(1);
        var estimator = ctx.Relaxation().DiscreteVae(FittedMixtureVae.Options());
        Assert.Contains("Double", Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(MixtureViews.Doubles(ctx, 5, 4))).Message);
        var empty = MixtureViews.FromRows(ctx, [], 4);
        Assert.Contains("No training rows", Assert.Throws<InvalidOperationException>(() => estimator.Fit(empty)).Message);
    }

    [Theory]
    [InlineData("LatentCount")]
    [InlineData("CategoryCount")]
    [InlineData("Epochs")]
    [InlineData("BatchSize")]
    [InlineData("LearningRate")]
    [InlineData("ValidationFraction")]
    [InlineData("EarlyStoppingPatience")]
    [InlineData("EncoderHiddenSizes")]
    [InlineData("DiscreteVaeOptions")]
    public void InvalidOptionsAreRejectedNamingTheOption(string option)
    {
        var o = new DiscreteVaeOptions();
        switch (option)
        {
            case "LatentCount": o.LatentCount = 0; break;
            case "CategoryCount": o.CategoryCount = 1; break;
            case "Epochs": o.Epochs = 0; break;
            case "BatchSize": o.BatchSize = 0; break;
            case "LearningRate": o.LearningRate = float.NaN; break;
            case "ValidationFraction": o.ValidationFraction = 1f; break;
            case "EarlyStoppingPatience": o.EarlyStoppingPatience = 2; o.ValidationFraction = 0; break;
            case "EncoderHiddenSizes": o.EncoderHiddenSizes = [16, 0]; break;
            case "DiscreteVaeOptions": o.CodesColumnName = "Features"; break;
        }
        var ex = Assert.ThrowsAny<ArgumentException>(() => new MLContext(1).Relaxation().DiscreteVae(o));
        Assert.Equal(option, ex.ParamName);
    }

    [Fact]
    public void CancellationStopsFit()
    {
        var ctx = new MLContext(1);
        using var cts = new CancellationTokenSource();
        var options = FittedMixtureVae.Options();
        options.Progress = new CancelAfterFirst(cts);
        options.CancellationToken = cts.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => ctx.Relaxation().DiscreteVae(options).Fit(MixtureViews.Features(ctx, Small)));
    }

    [Fact]
    public void BernoulliLatentsTrainAndTheOnnxColumnsAgreeWithTheModel()
    {
        var ctx = new MLContext(1);
        var options = FittedMixtureVae.Options();
        options.Latents = LatentDistribution.Bernoulli;
        options.LatentCount = 3;
        options.Relaxation = RelaxationMode.StraightThrough;
        options.Prior = LatentPrior.Learned;
        options.Epochs = 10;
        IDataView view = MixtureViews.Features(ctx, Small);
        using DiscreteVaeTransformer transformer = ctx.Relaxation().DiscreteVae(options).Fit(view);
        Assert.True(transformer.History[^1].ValidationNegativeElbo < transformer.History[0].ValidationNegativeElbo);

        IDataView output = transformer.Transform(view);
        long[][] codes = [.. output.GetColumn<long[]>("Codes")];
        float[][] probabilities = [.. output.GetColumn<float[]>("Probabilities")];
        var modelCodes = new int[Small.X.Rows * 3];
        var modelProbabilities = new float[Small.X.Rows * 6];
        transformer.Model.Encode(Small.X, modelCodes, modelProbabilities);
        for (int r = 0; r < Small.X.Rows; r++)
            for (int l = 0; l < 3; l++)
            {
                Assert.Equal(modelCodes[r * 3 + l], codes[r][l]);
                Assert.Equal(codes[r][l] == 1, probabilities[r][2 * l + 1] > 0.5f);
                for (int k = 0; k < 2; k++) Assert.Equal(modelProbabilities[r * 6 + 2 * l + k], probabilities[r][2 * l + k], 1e-5);
            }
    }

    [Fact]
    public void LearnedTemperatureIsTrainedAndReported()
    {
        var ctx = new MLContext(1);
        var options = FittedMixtureVae.Options();
        var learned = LearnedTemperature.Bounded(initial: 1f, lower: 0.3, upper: 3);
        options.Temperature = learned;
        options.Epochs = 6;
        using DiscreteVaeTransformer transformer = ctx.Relaxation().DiscreteVae(options).Fit(MixtureViews.Features(ctx, Small));
        float final = transformer.History[^1].Temperature;
        Assert.NotEqual(1f, final);
        Assert.InRange(final, 0.3f, 3f);
        Assert.Equal(final, learned.Temperature);
        Assert.True(transformer.History[^1].ValidationNegativeElbo < transformer.History[0].ValidationNegativeElbo);
    }

    private sealed class CancelAfterFirst(CancellationTokenSource cts) : IProgress<DiscreteVaeEpoch>
    {
        public void Report(DiscreteVaeEpoch value) => cts.Cancel();
    }
}
