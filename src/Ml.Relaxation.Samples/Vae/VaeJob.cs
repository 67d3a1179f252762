using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Samples.Datasets;
using Ml.Relaxation.Samples.Output;
using Ml.Relaxation.Samples.Selection;

namespace Ml.Relaxation.Samples.Vae;

/// <summary>What <c>vae</c> runs on and with.</summary>
/// <param name="Table">The rows (values in [0, 1]; a label, if any, is ignored).</param>
/// <param name="Latents">Categorical latents L.</param>
/// <param name="Categories">Categories per latent K.</param>
/// <param name="Hard">Straight-through (hard) samples in training instead of soft ones.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="Seed">Seed of the split, the model and the prior samples.</param>
/// <param name="SkipMissing">Whether rows with missing values are skipped (the reader did; the estimator is told too).</param>
internal sealed record VaeRequest(FeatureTable Table, int Latents, int Categories, bool Hard, int Epochs, int Seed, bool SkipMissing);

/// <summary>
/// The <c>vae</c> job: trains the discrete-latent VAE (Gumbel-Softmax), reports the held-out negative ELBO, encodes
/// held-out rows to codes, decodes them and samples from the prior for the plots, saves and reloads the pipeline and
/// writes the encoder and decoder as ONNX files.
/// </summary>
internal static class VaeJob
{
    /// <summary>1,800 training digits need about this many passes for the model to use its latents well.</summary>
    public const int DefaultEpochs = 30;

    public const int DefaultLatents = 20, DefaultCategories = 10;

    /// <summary>Share of the rows held out for the negative ELBO, the codes and the reconstructions.</summary>
    public const double TestFraction = 0.1;

    /// <summary>Held-out rows drawn beside their reconstructions, and samples drawn from the prior.</summary>
    public const int ReconstructionCount = 16, PriorSampleCount = 64;

    public static VaeSummary Run(VaeRequest request, RunFolder folder, RunConsole console, int threads, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        var seconds = new Dictionary<string, double>();
        var warnings = new List<string>();
        FeatureTable table = request.Table;
        int d = table.FeatureNames.Length;
        var ml = new MLContext(seed: request.Seed);
        var (trainRows, testRows) = HoldOut.Split(table, TestFraction, request.Seed);
        IDataView train = TableDataView.Create(ml, table, trainRows), test = TableDataView.Create(ml, table, testRows);
        console.Line($"vae: {table.Source}: {trainRows.Length} training rows, {testRows.Length} held-out rows, {d} features; "
            + $"{request.Latents} latents x {request.Categories} categories, {(request.Hard ? "straight-through" : "soft")} samples");

        var history = new List<DiscreteVaeEpoch>();
        var clock = Stopwatch.StartNew();
        // Disposing deletes the temporary file ML.NET's OnnxTransformer reads the encoder from (the reloaded model's too).
        using DiscreteVaeTransformer model = console.Train("discrete VAE", request.Epochs, progress =>
        {
            var options = new DiscreteVaeOptions
            {
                LatentCount = request.Latents,
                CategoryCount = request.Categories,
                Relaxation = request.Hard ? RelaxationMode.StraightThrough : RelaxationMode.Soft,
                Epochs = request.Epochs,
                Seed = request.Seed,
                SkipRowsWithMissingValues = request.SkipMissing,
                CancellationToken = cancel,
                Progress = new Reporter<DiscreteVaeEpoch>(e =>
                {
                    history.Add(e);
                    progress.Report(e.Epoch + 1, string.Create(CultureInfo.InvariantCulture,
                        $"-ELBO {e.TrainNegativeElbo:F2}  validation {(e.ValidationNegativeElbo is double v && double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-")}  tau {e.Temperature:F3}"));
                }),
            };
            return ml.Relaxation().DiscreteVae(options).Fit(train);
        });
        seconds["training"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        NegativeElbo elbo = model.EvaluateNegativeElbo(test, seed: (ulong)request.Seed);
        int l = model.LatentCount, k = model.CategoryCount;
        float[] heldOut = Rows(table, testRows);
        int[] codes = new int[testRows.Length * l];
        model.Encode(heldOut, codes, new float[testRows.Length * l * k]);
        var usage = CategoryUsage(codes, testRows.Length, l, k);
        int used = usage.Sum(row => row.Count(share => share > 0));
        console.Line(string.Create(CultureInfo.InvariantCulture,
            $"vae: held-out -ELBO {elbo.Total:F2} nats per row (reconstruction {elbo.Reconstruction:F2}, KL {elbo.Kl:F2}); {used} of {l * k} categories in use"));
        seconds["evaluation"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        string zip = folder.File("discrete-vae.zip"), encoder = folder.File("encoder.onnx"), decoder = folder.File("decoder.onnx");
        ml.Model.Save(model, train.Schema, zip);
        var reloaded = new MLContext(seed: request.Seed).Model.Load(zip, out _);
        using var disposeReloaded = reloaded as IDisposable;
        bool identical = FirstCodes(model.Transform(test), model.CodesColumnName).Zip(FirstCodes(reloaded.Transform(test), model.CodesColumnName))
            .All(p => p.First.SequenceEqual(p.Second));
        if (!identical) warnings.Add("The reloaded model gives different codes from the trained one.");
        File.WriteAllBytes(encoder, model.GetEncoderOnnx());
        File.WriteAllBytes(decoder, model.GetDecoderOnnx());
        seconds["saveAndExport"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var plots = new List<string>();
        if (table.ImageSide is int side)
        {
            int shown = Math.Min(ReconstructionCount, testRows.Length);
            float[] originals = Rows(table, testRows.Take(shown).ToArray());
            var reconstructions = new float[shown * d];
            model.Decode(codes.AsSpan(0, shown * l), reconstructions);
            plots.Add(VaePlots.Reconstructions(originals, reconstructions, side, folder.File("reconstructions.png")));
            var samples = new float[PriorSampleCount * d];
            model.SampleFromPrior(new RandomSource((ulong)request.Seed, stream: 1), new int[PriorSampleCount * l], samples);
            plots.Add(VaePlots.PriorSamples(samples, side, folder.File("prior-samples.png")));
        }
        else
        {
            warnings.Add($"The rows have {d} values, not a square image, so reconstructions.png and prior-samples.png are not drawn.");
        }
        plots.Add(VaePlots.NegativeElbo(history, elbo.Total, folder.File("elbo.png")));
        plots.Add(VaePlots.CategoryUsage(usage, folder.File("category-usage.png")));
        seconds["plots"] = clock.Elapsed.TotalSeconds;
        seconds["total"] = total.Elapsed.TotalSeconds;
        foreach (string w in warnings) console.Warning(w);
        console.Line($"vae: wrote {folder.Path}");

        return new VaeSummary("vae",
            new DataSummary(table.Source, table.Rows.Length, table.RowsSkipped, trainRows.Length, testRows.Length, d),
            new VaeSettings(request.Latents, request.Categories, request.Hard, request.Epochs, request.Seed, threads, request.SkipMissing),
            new VaeMetrics(elbo.Total, elbo.Reconstruction, elbo.Kl, used, identical),
            usage,
            Enumerable.Range(0, Math.Min(3, testRows.Length)).Select(r => codes.AsSpan(r * l, l).ToArray()).ToList(),
            history.Select(e => new VaeEpoch(e.Epoch + 1, e.TrainNegativeElbo, e.ValidationNegativeElbo, e.Temperature, e.Elapsed.TotalSeconds)).ToList(),
            seconds,
            new VaeFiles(folder.Path, zip, encoder, decoder, plots, folder.File("summary.json"), folder.LogPath),
            warnings);
    }

    /// <summary>For each latent, the share of rows whose code is each category.</summary>
    private static double[][] CategoryUsage(int[] codes, int rows, int latents, int categories)
    {
        var usage = new double[latents][];
        for (int l = 0; l < latents; l++) usage[l] = new double[categories];
        for (int r = 0; r < rows; r++)
            for (int l = 0; l < latents; l++) usage[l][codes[r * latents + l]] += 1.0 / rows;
        return usage;
    }

    /// <summary>The given rows of the table, one after another (row-major).</summary>
    private static float[] Rows(FeatureTable table, int[] rows)
    {
        int d = table.FeatureNames.Length;
        var values = new float[rows.Length * d];
        for (int r = 0; r < rows.Length; r++) table.Rows[rows[r]].CopyTo(values.AsSpan(r * d, d));
        return values;
    }

    // Copies each row's codes out: ML.NET may reuse a vector's buffer from one row to the next.
    private static List<long[]> FirstCodes(IDataView view, string column) =>
        view.GetColumn<VBuffer<long>>(column).Take(3).Select(v => v.DenseValues().ToArray()).ToList();
}
