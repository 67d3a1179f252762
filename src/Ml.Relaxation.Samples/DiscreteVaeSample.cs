using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.DiscreteVae;

namespace Ml.Relaxation.Samples;

/// <summary>
/// Trains the discrete-latent VAE (20 categorical latents x 10 categories, Gumbel-Softmax) on binarized digits,
/// reports the held-out negative ELBO, encodes a few rows to codes, saves and reloads the pipeline, and writes the
/// encoder as an ONNX file.
/// </summary>
internal static class DiscreteVaeSample
{
    private sealed class Digit
    {
        [VectorType(784)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public static void Run(CommandLine args)
    {
        var ml = new MLContext(seed: 1);
        int epochs = args.Int("epochs", 30); // 1,800 training rows: the model needs about this many passes to use its latents well
        IDataView all;
        string source;
        if (args.Text("data") is { } path)
        {
            // The user's CSV: every column but the label is a feature; values must lie in [0, 1] for the Bernoulli likelihood.
            all = CsvData.Load(ml, path, args.Text("label") ?? "Label", DataKind.Single);
            source = path;
        }
        else
        {
            var (images, labels) = EmbeddedData.BinarizedDigits();
            all = ml.Data.LoadFromEnumerable(images.Select((x, i) => new Digit { Features = x, Label = labels[i] }));
            source = $"{images.Length} embedded MNIST digits, binarized at 0.5";
        }
        var split = ml.Data.TrainTestSplit(all, testFraction: 0.1, seed: 1);
        Console.WriteLine($"Discrete VAE on {source}: {epochs} epochs, {args.Int("latents", 20)} latents x {args.Int("categories", 10)} categories");

        var estimator = ml.Relaxation().DiscreteVae(new DiscreteVaeOptions
        {
            LatentCount = args.Int("latents", 20),
            CategoryCount = args.Int("categories", 10),
            Epochs = epochs,
            Seed = 1,
            Progress = new Progress<DiscreteVaeEpoch>(e => Console.WriteLine(
                $"  epoch {e.Epoch + 1,3}  train -ELBO {e.TrainNegativeElbo,8:F2}  validation -ELBO {e.ValidationNegativeElbo,8:F2}  tau {e.Temperature:F3}  {e.Elapsed.TotalSeconds:F2} s")),
        });
        var model = estimator.Fit(split.TrainSet);
        var elbo = model.EvaluateNegativeElbo(split.TestSet);
        Console.WriteLine($"  held-out negative ELBO {elbo.Total:F2} nats (reconstruction {elbo.Reconstruction:F2}, KL {elbo.Kl:F2})");

        var codes = FirstCodes(model.Transform(split.TestSet), model.CodesColumnName);
        foreach (var c in codes) Console.WriteLine($"  codes: [{string.Join(' ', c)}]");

        string zip = Path.Combine(Path.GetTempPath(), "discrete-vae.zip"), onnx = Path.Combine(Path.GetTempPath(), "discrete-vae-encoder.onnx");
        ml.Model.Save(model, split.TrainSet.Schema, zip);
        var reloaded = new MLContext().Model.Load(zip, out _);
        var again = FirstCodes(reloaded.Transform(split.TestSet), model.CodesColumnName);
        bool same = codes.Zip(again).All(p => p.First.SequenceEqual(p.Second));
        File.WriteAllBytes(onnx, model.GetEncoderOnnx());
        Console.WriteLine($"  saved {zip}; reloaded in a fresh MLContext: codes {(same ? "identical" : "DIFFERENT")}; encoder ONNX written to {onnx}");
    }

    // Copies each row's codes out: ML.NET may reuse a vector's buffer from one row to the next.
    private static List<long[]> FirstCodes(IDataView view, string column) =>
        view.GetColumn<VBuffer<long>>(column).Take(3).Select(v => v.DenseValues().ToArray()).ToList();
}
