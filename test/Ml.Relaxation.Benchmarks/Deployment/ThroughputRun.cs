using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Benchmarks.DiscreteVae;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.MLNet.FeatureSelection;
using Ml.Relaxation.Onnx.Runtime;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Benchmarks.Deployment;

/// <summary>
/// Scoring throughput in rows per second of three ways to run a fitted model: ML.NET's <c>Transform</c> (a cursor over
/// a data view of the batch), ML.NET's <c>PredictionEngine</c> (row by row) and <see cref="OnnxScorer"/> (the model
/// exported to ONNX, one call per batch), on batches of 1, 64 and 4,096 rows. Two models: the gated selector (k = 20)
/// on a 500-slot input followed by SDCA logistic regression, and the discrete VAE encoder on MNIST (784-512-256-20x10,
/// trained one epoch: speed does not depend on quality). Methods are interleaved in rounds and the median round is
/// reported, since other processes share the machine. Run: <c>deploy-throughput [rounds] [threads]</c>.
/// </summary>
internal static class ThroughputRun
{
    private static readonly int[] Batches = [1, 64, 4096];

    public static void Run(int rounds, int? threads)
    {
        var ml = new MLContext(seed: 1);
        Console.WriteLine($"rounds {rounds}, ONNX Runtime intra-op threads {(threads is int t ? t.ToString(CultureInfo.InvariantCulture) : "default")}, {Environment.ProcessorCount} cores");
        var options = new OnnxScorerOptions { IntraOpThreads = threads };
        Measure("selector (500 slots, k = 20) + SDCA", Selector(ml), options, rounds);
        Measure("discrete VAE encoder (MNIST 784-512-256-20x10)", Encoder(ml), options, rounds);
    }

    /// <param name="Drain">Reads the output column of every row of a transformed view; returns one value so the work is not optimized away.</param>
    /// <summary>
    /// Writes both models as ONNX with 4,096 input rows and ML.NET's outputs for them (little-endian float32 / int64
    /// files) into <paramref name="directory"/>: what <c>Gpu/cuda-check.sh</c> carries to a GPU machine, where no
    /// training code runs. Run: <c>deploy-export DIRECTORY</c>.
    /// </summary>
    public static void Export(string directory)
    {
        Directory.CreateDirectory(directory);
        var ml = new MLContext(seed: 1);
        foreach (var (name, subject, reference) in new[]
        {
            ("selector", Selector(ml), "Score"),
            ("encoder", Encoder(ml), "Probabilities"),
        })
        {
            File.WriteAllBytes(Path.Combine(directory, name + ".onnx"), subject.Onnx);
            float[] input = [.. subject.Rows.SelectMany(r => r)];
            File.WriteAllBytes(Path.Combine(directory, name + ".input.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()).ToArray());
            IDataView output = subject.Model.Transform(subject.View(subject.Rows));
            float[] expected = reference == "Score"
                ? [.. output.GetColumn<float>(reference)]
                : [.. output.GetColumn<float[]>(reference).SelectMany(v => v)];
            File.WriteAllBytes(Path.Combine(directory, name + ".expected.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()).ToArray());
            if (reference == "Probabilities")
            {
                long[] codes = [.. output.GetColumn<long[]>("Codes").SelectMany(v => v)];
                File.WriteAllBytes(Path.Combine(directory, name + ".codes.i64"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(codes.AsSpan()).ToArray());
            }
            Console.WriteLine($"{name}: {subject.Rows.Length} rows x {subject.Rows[0].Length}, reference '{reference}' from ML.NET's Transform");
        }
    }

    private sealed record Subject(ITransformer Model, float[][] Rows, Func<IEnumerable<float[]>, IDataView> View,
        Func<MLContext, ITransformer, Func<float[], float>> Engine, Func<IDataView, float> Drain, byte[] Onnx,
        Func<float[], int, OnnxInput[]> Inputs, string OnnxOutput);

    private static void Measure(string name, Subject s, OnnxScorerOptions options, int rounds)
    {
        using var scorer = new OnnxScorer(s.Onnx, options);
        Func<float[], float> engine = s.Engine(new MLContext(seed: 1), s.Model);
        Console.WriteLine($"\n{name}: rows/s (median of {rounds} rounds)");
        Console.WriteLine("batch | ML.NET Transform | PredictionEngine | OnnxScorer | scorer / engine");
        foreach (int batch in Batches)
        {
            float[] flat = [.. s.Rows.Take(batch).SelectMany(r => r)];
            OnnxInput[] inputs = s.Inputs(flat, batch);
            var transform = new List<double>();
            var predict = new List<double>();
            var onnx = new List<double>();
            float sink = 0;
            for (int round = 0; round < rounds; round++)
            {
                transform.Add(RowsPerSecond(batch, () => sink += s.Drain(s.Model.Transform(s.View(s.Rows.Take(batch))))));
                predict.Add(RowsPerSecond(batch, () =>
                {
                    for (int r = 0; r < batch; r++) sink += engine(s.Rows[r]);
                }));
                onnx.Add(RowsPerSecond(batch, () => sink += scorer.Score(batch, inputs, [s.OnnxOutput]).Get<float>(s.OnnxOutput)[0]));
            }
            double m1 = Median(transform), m2 = Median(predict), m3 = Median(onnx);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{batch,5} | {m1,16:N0} | {m2,16:N0} | {m3,10:N0} | {m3 / m2,6:F1}x  (sink {sink:G2})"));
        }
    }

    /// <summary>Rows per second of <paramref name="work"/> (one batch per call), timed for at least 0.3 s after one warm-up call.</summary>
    private static double RowsPerSecond(int batch, Action work)
    {
        work();
        long calls = 0;
        var watch = Stopwatch.StartNew();
        do
        {
            work();
            calls++;
        }
        while (watch.Elapsed.TotalSeconds < 0.3);
        return calls * batch / watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static Subject Selector(MLContext ml)
    {
        const int slots = 500, rows = 4096;
        var rng = new RandomSource(3);
        float[][] x = [.. Enumerable.Range(0, rows).Select(_ => Normals(rng, slots))];
        bool[] y = [.. x.Select(r => r[7] + r[42] - r[300] + 0.5f * r[499] > 0)];
        var definition = SchemaDefinition.Create(typeof(LabeledRow));
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, slots);
        IDataView View(IEnumerable<float[]> r) => ml.Data.LoadFromEnumerable(r.Select(f => new LabeledRow { Features = f }), definition);
        IDataView train = ml.Data.LoadFromEnumerable(x.Select((f, i) => new LabeledRow { Features = f, Label = y[i] }), definition);
        var options = new GatedFeatureSelectorOptions { MaximumFeatureCount = 20, Epochs = 3, Seed = 1 };
        var model = ml.Relaxation().SelectFeaturesWithGates(options)
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(maximumNumberOfIterations: 10)).Fit(train);
        using var stream = new MemoryStream();
        ml.Relaxation().ConvertToOnnx(model, train, stream, "Score");
        var labels = new bool[rows];
        return new Subject(model, x, View,
            (context, m) =>
            {
                var engine = context.Model.CreatePredictionEngine<LabeledRow, ScoreRow>(m, inputSchemaDefinition: definition);
                var row = new LabeledRow();
                return f => { row.Features = f; return engine.Predict(row).Score; };
            },
            Drain<float>("Score", v => v), stream.ToArray(), (flat, batch) => [OnnxInput.Of("Features", flat), OnnxInput.Of("Label", new bool[batch])], "Score.output");
    }

    private static Subject Encoder(MLContext ml)
    {
        Matrix images = Mnist10k.LoadBinarized();
        const int rows = 4096;
        float[][] x = [.. Enumerable.Range(0, rows).Select(r => images.Row(r).ToArray())];
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, images.Cols);
        IDataView View(IEnumerable<float[]> r) => ml.Data.LoadFromEnumerable(r.Select(f => new ImageRow { Features = f }), definition);
        DiscreteVaeTransformer vae = ml.Relaxation().DiscreteVae(new DiscreteVaeOptions { Epochs = 1, Seed = 1, ValidationFraction = 0 })
            .Fit(View(x.Take(2000)));
        return new Subject(vae, x, View,
            (context, m) =>
            {
                var engine = context.Model.CreatePredictionEngine<ImageRow, ProbabilityRow>(m, inputSchemaDefinition: definition);
                var row = new ImageRow();
                return f => { row.Features = f; return engine.Predict(row).Probabilities[0]; };
            },
            Drain<VBuffer<float>>("Probabilities", v => v.GetValues()[0]), vae.GetEncoderOnnx(), (flat, _) => [OnnxInput.Of("Features", flat)], "Probabilities");
    }

    private static Func<IDataView, float> Drain<T>(string column, Func<T, float> first) => output =>
    {
        using DataViewRowCursor cursor = output.GetRowCursor([output.Schema[column]]);
        ValueGetter<T> getter = cursor.GetGetter<T>(output.Schema[column]);
        T value = default!;
        while (cursor.MoveNext()) getter(ref value);
        return first(value);
    };

    private static float[] Normals(RandomSource rng, int d)
    {
        var u = new float[2 * d];
        rng.NextUniforms(u);
        var z = new float[d];
        for (int j = 0; j < d; j++) z[j] = MathF.Sqrt(-2f * MathF.Log(u[2 * j])) * MathF.Cos(2f * MathF.PI * u[2 * j + 1]);
        return z;
    }

    private sealed class LabeledRow
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class ImageRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    private sealed class ProbabilityRow
    {
        public float[] Probabilities { get; set; } = [];
    }
}
