using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Randomness;
using System.Text.Json;
using Ml.Relaxation.Onnx;
using Ml.Relaxation.Onnx.Editing;

namespace Ml.Relaxation.MLNet.DiscreteVae;

/// <summary>
/// A fitted discrete-latent VAE encoder. As an <see cref="ITransformer"/> it adds the codes (L indices, Int64), their
/// one-hot encoding (L*K) and the posterior probabilities (L*K), and optionally the reconstruction; beyond the
/// pipeline it encodes and decodes arrays (<see cref="Encode"/>, <see cref="Decode"/>), draws new rows from the prior
/// (<see cref="SampleFromPrior"/>), evaluates the bound on held-out data (<see cref="EvaluateNegativeElbo"/>,
/// <see cref="ImportanceWeightedLogLikelihood"/>) and keeps the training <see cref="History"/>.
/// </summary>
/// <remarks>
/// The columns are computed by ML.NET's built-in <c>OnnxTransformer</c> running this model's encoder graph (see
/// <see cref="GetEncoderOnnx"/>); saving writes that transformer, so <c>mlContext.Model.Load</c> gives it back, with
/// the same outputs, rather than this type. <c>mlContext.Model.ConvertToOnnx</c> cannot export that transformer (it
/// fails with ML.NET's generic "can not be fully converted"; ML.NET offers no hook for a better message, and
/// <c>mlContext.Relaxation().ConvertToOnnx</c> says what to do): ship <see cref="GetEncoderOnnx"/> (and
/// <see cref="GetDecoderOnnx"/>) to ONNX Runtime instead, for instance with <see cref="Onnx.Runtime.OnnxScorer"/>.
/// ML.NET's <c>OnnxTransformer</c> reads the graph from a temporary file while it lives: <see cref="Dispose"/> deletes
/// it (and a model loaded with <c>Model.Load</c> deletes its own copy when disposed). Feature values are not checked at transform time: a NaN feature gives NaN probabilities.
/// </remarks>
public sealed class DiscreteVaeTransformer : ITransformer, IDisposable
{
    private readonly IHost _host;
    private readonly ITransformer _onnx;
    private readonly OnnxGraphFile _graphFile;
    private readonly byte[] _encoderGraph;
    private readonly DiscreteVaeOptions _options;

    internal DiscreteVaeTransformer(IHost host, ITransformer onnx, OnnxGraphFile graphFile, DiscreteVaeModel model, IReadOnlyList<DiscreteVaeEpoch> history,
        byte[] encoderGraph, DiscreteVaeOptions options)
    {
        _host = host;
        _onnx = onnx;
        _graphFile = graphFile;
        Model = model;
        History = history;
        _encoderGraph = encoderGraph;
        _options = options;
    }

    /// <summary>The trained model (the library's own; the public surface is this transformer's methods).</summary>
    internal DiscreteVaeModel Model { get; }

    /// <summary>Values per row D (the feature column's size).</summary>
    public int FeatureCount => Model.FeatureCount;

    /// <summary>Latent variables L per row.</summary>
    public int LatentCount => Model.LatentCount;

    /// <summary>Categories K per latent (2 for Bernoulli latents).</summary>
    public int CategoryCount => Model.CategoryCount;

    /// <summary>One entry per trained epoch.</summary>
    public IReadOnlyList<DiscreteVaeEpoch> History { get; }

    /// <summary>The input column.</summary>
    public string FeatureColumnName => _options.FeatureColumnName;

    /// <summary>The codes column (vector of L Int64).</summary>
    public string CodesColumnName => _options.CodesColumnName;

    /// <summary>The one-hot column (vector of L*K Single).</summary>
    public string OneHotColumnName => _options.OneHotColumnName;

    /// <summary>The posterior probabilities column (vector of L*K Single).</summary>
    public string ProbabilitiesColumnName => _options.ProbabilitiesColumnName;

    /// <summary>The reconstruction column (vector of D Single), or null when none is produced.</summary>
    public string? ReconstructionColumnName => _options.ReconstructionColumnName;

    /// <summary>
    /// The encoder as an ONNX model (IR 8, opset 17) whose input and outputs carry this transformer's column names,
    /// with metadata (<see cref="OnnxMetadata"/>: kind, L, K, likelihood, layer sizes, the estimator's options, producer
    /// and version).
    /// </summary>
    public byte[] GetEncoderOnnx() => (byte[])_encoderGraph.Clone();

    /// <summary>The decoder as an ONNX model: input <c>Latent</c> [N x L*K] (one-hot codes), output <c>Reconstruction</c> [N x D]; metadata as the encoder's.</summary>
    public byte[] GetDecoderOnnx() => WithOptions(DiscreteVaeOnnxExport.Decoder(Model), _options);

    /// <summary>
    /// Encodes rows to their most likely codes and posterior probabilities with the trained network (the transform runs
    /// the same network as an ONNX graph, so its columns agree up to float rounding). A categorical code is the first
    /// category of largest probability; a bit is 1 where its probability exceeds 1/2.
    /// </summary>
    /// <param name="rows">N rows of <see cref="FeatureCount"/> values, row-major.</param>
    /// <param name="codes">Output, N x <see cref="LatentCount"/> category indices.</param>
    /// <param name="probabilities">Output, N x L*K: q(z_l = k | x) (for bits, K = 2: P(0) then P(1)).</param>
    /// <exception cref="ArgumentException">A length is not a whole number of rows, or the outputs do not fit N rows.</exception>
    public void Encode(ReadOnlySpan<float> rows, Span<int> codes, Span<float> probabilities)
    {
        var features = new Matrix(RowCount(rows.Length, FeatureCount, nameof(rows)), FeatureCount);
        rows.CopyTo(features.AsSpan());
        Model.Encode(features, codes, probabilities);
    }

    /// <summary>Decodes codes to the mean of p(x | z): probabilities under a Bernoulli likelihood, the Gaussian mean otherwise.</summary>
    /// <param name="codes">N x <see cref="LatentCount"/> category indices in [0, K).</param>
    /// <param name="rows">Output, N rows of <see cref="FeatureCount"/> values, row-major.</param>
    /// <exception cref="ArgumentException">A length is not a whole number of rows, or the codes do not fit N rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A code outside [0, K).</exception>
    public void Decode(ReadOnlySpan<int> codes, Span<float> rows)
    {
        var mean = new Matrix(RowCount(rows.Length, FeatureCount, nameof(rows)), FeatureCount);
        Model.Decode(codes, mean);
        mean.AsSpan().CopyTo(rows);
    }

    /// <summary>Draws codes from the prior p(z) and decodes them (see <see cref="Decode"/>): new rows from the model.</summary>
    /// <param name="random">The random source of the codes (the same seed and position give the same draws).</param>
    /// <param name="codes">Output, N x <see cref="LatentCount"/>: the drawn category indices.</param>
    /// <param name="rows">Output, N rows of <see cref="FeatureCount"/> decoded values, row-major; its length sets N.</param>
    public void SampleFromPrior(RandomSource random, Span<int> codes, Span<float> rows)
    {
        var mean = new Matrix(RowCount(rows.Length, FeatureCount, nameof(rows)), FeatureCount);
        Model.SampleFromPrior(random, codes, mean);
        mean.AsSpan().CopyTo(rows);
    }

    private static int RowCount(int length, int width, string name) =>
        length % width == 0 ? length / width : throw new ArgumentException($"Expected whole rows of {width} values, got {length} values.", name);

    /// <summary>Releases ML.NET's <c>OnnxTransformer</c> (its ONNX Runtime session) and deletes the temporary file it reads the encoder graph from.</summary>
    public void Dispose()
    {
        (_onnx as IDisposable)?.Dispose();
        _graphFile.Dispose();
    }

    /// <summary>Adds the estimator's options to a graph's metadata (key <c>options</c>, JSON).</summary>
    internal static byte[] WithOptions(byte[] graph, DiscreteVaeOptions o)
    {
        var options = new Dictionary<string, object?>
        {
            ["FeatureColumnName"] = o.FeatureColumnName, ["CodesColumnName"] = o.CodesColumnName, ["OneHotColumnName"] = o.OneHotColumnName,
            ["ProbabilitiesColumnName"] = o.ProbabilitiesColumnName, ["ReconstructionColumnName"] = o.ReconstructionColumnName,
            ["LatentCount"] = o.LatentCount, ["CategoryCount"] = o.CategoryCount, ["Latents"] = o.Latents.ToString(),
            ["EncoderHiddenSizes"] = o.EncoderHiddenSizes, ["DecoderHiddenSizes"] = o.DecoderHiddenSizes, ["Likelihood"] = o.Likelihood.ToString(),
            ["Relaxation"] = o.Relaxation.ToString(), ["Temperature"] = o.Temperature?.GetType().Name ?? "AnnealedTemperature (default)",
            ["Prior"] = o.Prior.ToString(), ["Epochs"] = o.Epochs, ["BatchSize"] = o.BatchSize, ["LearningRate"] = o.LearningRate, ["Seed"] = o.Seed,
            ["ValidationFraction"] = o.ValidationFraction, ["EarlyStoppingPatience"] = o.EarlyStoppingPatience,
            ["SkipRowsWithMissingValues"] = o.SkipRowsWithMissingValues,
        };
        return OnnxModelEditor.SetMetadata(graph, [new(OnnxMetadata.DiscreteVaePrefix + "options", JsonSerializer.Serialize(options))]);
    }

    /// <summary>
    /// The negative ELBO of the rows of <paramref name="data"/> in nats per row, streamed in batches: the KL term in closed
    /// form and the reconstruction term averaged over <paramref name="samples"/> exact discrete draws z ~ q(z | x) per row
    /// (seeded by <paramref name="seed"/>). It bounds -log p(x) from above.
    /// </summary>
    public NegativeElbo EvaluateNegativeElbo(IDataView data, int samples = 1, ulong seed = 0)
    {
        double rec = 0, kl = 0;
        long rows = Stream(data, (batch, index) =>
        {
            NegativeElbo e = Model.EvaluateNegativeElbo(batch, samples, seed + (ulong)index);
            rec += e.Reconstruction * batch.Rows;
            kl += e.Kl * batch.Rows;
        });
        return new NegativeElbo(rec / rows, kl / rows);
    }

    /// <summary>
    /// The importance-weighted estimate of log p(x) (Burda et al. 2016) of the rows of <paramref name="data"/>, in nats per
    /// row, with <paramref name="samples"/> draws z_s ~ q(z | x) per row: a lower bound on the log-likelihood in
    /// expectation that tightens as the number of samples grows (with 1 it is the ELBO).
    /// </summary>
    public double ImportanceWeightedLogLikelihood(IDataView data, int samples = 100, ulong seed = 0)
    {
        double total = 0;
        long rows = Stream(data, (batch, index) => total += Model.ImportanceWeightedLogLikelihood(batch, samples, seed + (ulong)index) * batch.Rows);
        return total / rows;
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _onnx.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return _onnx.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return _onnx.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        return _onnx.Transform(input);
    }

    /// <summary>Saves the built-in ONNX transformer that computes the columns (the model file then loads in any <c>MLContext</c>).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _onnx.Save(ctx);

    /// <summary>
    /// The feature column must be a vector of Single of the trained width. A vector of unknown size (as a
    /// <c>PredictionEngine</c> infers from a <c>float[]</c> property without <c>[VectorType]</c>) is rejected here
    /// because ML.NET's <c>OnnxTransformer</c> fails on it with an index error.
    /// </summary>
    private void CheckInput(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        DataViewSchema.Column column = inputSchema.GetColumnOrNull(FeatureColumnName)
            ?? throw _host.Process(new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find feature column '{FeatureColumnName}'."));
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single || vector.Size != Model.FeatureCount)
            throw _host.Process(new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Schema mismatch for feature column '{FeatureColumnName}': expected a vector of {Model.FeatureCount} Single, got {column.Type}"
                + " (a PredictionEngine input class declares the size with [VectorType(" + Model.FeatureCount + ")])."));
    }

    private long Stream(IDataView data, Action<Matrix, int> evaluate)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckInput(data.Schema);
        var source = new DataViewBatchSource(data, new BatchSourceOptions
        {
            FeatureColumn = FeatureColumnName,
            BatchSize = 256,
            ShufflePoolRows = 1,
        });
        long rows = 0;
        int index = 0;
        foreach (Batch batch in source.Batches(0))
        {
            evaluate(batch.Features, index++);
            rows += batch.Rows;
        }
        if (rows == 0) throw _host.Process(new InvalidOperationException($"No rows in column '{FeatureColumnName}' to evaluate."));
        return rows;
    }
}
