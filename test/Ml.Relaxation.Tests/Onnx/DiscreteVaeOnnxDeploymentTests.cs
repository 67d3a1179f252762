using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.Onnx;
using Ml.Relaxation.Onnx.Runtime;
using Ml.Relaxation.Tests.DiscreteVae;

namespace Ml.Relaxation.Tests.Onnx;

/// <summary>The discrete VAE's encoder and decoder leaving the process as ONNX, and the VAE inside ML.NET pipelines.</summary>
public sealed class DiscreteVaeOnnxDeploymentTests(FittedMixtureVae fitted) : IClassFixture<FittedMixtureVae>
{
    private static DiscreteVaeOptions Options(Action<DiscreteVaeOptions> change)
    {
        DiscreteVaeOptions options = FittedMixtureVae.Options();
        change(options);
        return options;
    }

    private float[][] Rows => [.. Enumerable.Range(0, fitted.Data.X.Rows).Select(r => fitted.Data.X.Row(r).ToArray())];

    [Fact]
    public void The_encoder_in_ONNX_Runtime_gives_the_same_codes_and_probabilities_as_ML_NET_on_batches_of_1_7_and_1000()
    {
        var transformer = fitted.Transformer;
        IDataView output = transformer.Transform(fitted.View);
        long[][] codes = [.. output.GetColumn<long[]>("Codes")];
        float[][] probabilities = [.. output.GetColumn<float[]>("Probabilities")];
        using var scorer = new OnnxScorer(transformer.GetEncoderOnnx());
        float[][] rows = Rows;
        foreach (int batch in new[] { 1, 7, 1000 })
        {
            int first = rows.Length - batch;
            OnnxScores scores = scorer.Score(batch, OnnxInput.Of("Features", [.. rows.Skip(first).SelectMany(r => r)]));
            Assert.Equal(codes.Skip(first).SelectMany(c => c), scores.Get<long>("Codes"));
            float[] p = scores.Get<float>("Probabilities");
            float[] expected = [.. probabilities.Skip(first).SelectMany(r => r)];
            Assert.Equal(expected.Length, p.Length);
            for (int i = 0; i < p.Length; i++) Assert.Equal(expected[i], p[i], 1e-5f);
        }
    }

    [OnnxCheckerTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Encoder_and_decoder_pass_the_full_check(bool encoder) =>
        OnnxChecker.AssertValid(encoder ? fitted.Transformer.GetEncoderOnnx() : fitted.Transformer.GetDecoderOnnx());

    [Fact]
    public void Encoder_and_decoder_carry_metadata_that_says_what_they_are()
    {
        byte[] decoder = fitted.Transformer.GetDecoderOnnx();
        using var encoderScorer = new OnnxScorer(fitted.Transformer.GetEncoderOnnx());
        using var decoderScorer = new OnnxScorer(decoder);
        Assert.Equal(OnnxMetadata.DiscreteVaeEncoderKind, encoderScorer.Metadata[OnnxMetadata.Kind]);
        Assert.Equal(OnnxMetadata.DiscreteVaeDecoderKind, decoderScorer.Metadata[OnnxMetadata.Kind]);
        foreach (var m in new[] { encoderScorer.Metadata, decoderScorer.Metadata })
        {
            string P(string key) => m[OnnxMetadata.DiscreteVaePrefix + key];
            Assert.Equal("Ml.Relaxation", m[OnnxMetadata.Producer]);
            Assert.Equal(OnnxMetadata.LibraryVersion, m[OnnxMetadata.Version]);
            Assert.Equal("1", P("latent_count"));
            Assert.Equal("4", P("category_count"));
            Assert.Equal("Bernoulli", P("likelihood"));
            Assert.Equal("Categorical", P("latents"));
            Assert.Equal($"{SyntheticMixture.Features}", P("feature_count"));
            Assert.Equal([32], JsonSerializer.Deserialize<int[]>(P("encoder_hidden_sizes"))!);
            using JsonDocument options = JsonDocument.Parse(P("options"));
            Assert.Equal(25, options.RootElement.GetProperty("Epochs").GetInt32());
            Assert.Equal(7, options.RootElement.GetProperty("Seed").GetInt32());
        }
        // The decoder maps one-hot codes back to the reconstruction the encoder graph also computes.
        OnnxScores encoded = encoderScorer.Score(5, OnnxInput.Of("Features", [.. Rows.Take(5).SelectMany(r => r)]));
        OnnxScores decoded = decoderScorer.Score(5, OnnxInput.Of("Latent", encoded.Get<float>("OneHot")));
        float[] viaEncoder = encoded.Get<float>("Reconstruction"), viaDecoder = decoded.Get<float>("Reconstruction");
        for (int i = 0; i < viaEncoder.Length; i++) Assert.Equal(viaEncoder[i], viaDecoder[i], 1e-6f);
    }

    [Fact]
    public void Converting_a_pipeline_with_the_VAE_fails_and_our_converter_points_to_the_encoder_export()
    {
        // ML.NET's converter cannot export its OnnxTransformer and offers no hook to say so better.
        Assert.Throws<InvalidOperationException>(() => fitted.Context.Model.ConvertToOnnx(fitted.Transformer, fitted.View, new MemoryStream()));
        var e = Assert.Throws<NotSupportedException>(() => fitted.Context.Relaxation().ConvertToOnnx(fitted.Transformer, fitted.View, new MemoryStream()));
        Assert.Contains("GetEncoderOnnx()", e.Message);
        Assert.Contains("'Codes'", e.Message);

        using var zip = new MemoryStream();
        fitted.Context.Model.Save(fitted.Transformer, fitted.View.Schema, zip);
        zip.Position = 0;
        ITransformer loaded = new MLContext(seed: 1).Model.Load(zip, out _);
        using var dispose = (IDisposable)loaded;
        e = Assert.Throws<NotSupportedException>(() => fitted.Context.Relaxation().ConvertToOnnx(loaded, fitted.View, new MemoryStream()));
        Assert.Contains("GetEncoderOnnx()", e.Message);
    }

    [Fact]
    public void Fit_transform_save_load_and_dispose_leave_no_file_in_the_temporary_folder()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"ml-relaxation-vae-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var ml = new MLContext(seed: 1) { TempFilePath = folder };
            var estimator = ml.Relaxation().DiscreteVae(Options(o => o.Epochs = 1));
            IDataView view = MixtureViews.Features(ml, fitted.Data);
            estimator.GetOutputSchema(Conformance.Shapes.Of(view.Schema));
            using (DiscreteVaeTransformer transformer = estimator.Fit(view))
            {
                Assert.NotEmpty(Directory.GetFiles(folder)); // ML.NET's OnnxTransformer holds its graph in a file while it lives
                _ = transformer.Transform(view).GetColumn<long[]>("Codes").Count();
                using var zip = new MemoryStream();
                ml.Model.Save(transformer, view.Schema, zip);
                zip.Position = 0;
                using var loaded = (IDisposable)ml.Model.Load(zip, out _);
            }
            Assert.Empty(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_GPU_request_without_CUDA_falls_back_to_the_CPU_with_a_warning_or_fails_clearly()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        IDataView view = MixtureViews.Features(ml, fitted.Data);
        var options = Options(o => { o.Epochs = 1; o.GpuDeviceId = 0; });
        using (DiscreteVaeTransformer transformer = ml.Relaxation().DiscreteVae(options).Fit(view))
            Assert.Equal(fitted.Data.X.Rows, transformer.Transform(view).GetColumn<long[]>("Codes").Count());
        Assert.Single(log, m => m.Contains("CUDA (device 0) was requested") && m.Contains("running it on the CPU instead"));

        var e = Assert.Throws<InvalidOperationException>(() => ml.Relaxation().DiscreteVae(Options(o => { o.Epochs = 1; o.GpuDeviceId = 0; o.FallbackToCpu = false; })).Fit(view));
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Relaxation().DiscreteVae(Options(o => o.GpuDeviceId = -1)));
    }
}
