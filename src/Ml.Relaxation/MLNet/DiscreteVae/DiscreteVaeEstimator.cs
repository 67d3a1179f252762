using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.MLNet.OnnxExport;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Onnx;
using Ml.Relaxation.Onnx.Runtime;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.MLNet.DiscreteVae;

/// <summary>
/// Trains a discrete-latent VAE (an encoder to categorical or Bernoulli latents, a decoder back) on a feature column,
/// streaming the data in shuffled mini-batches, and returns a <see cref="DiscreteVaeTransformer"/> that adds the codes,
/// their one-hot encoding and the posterior probabilities (and optionally the reconstruction). Create it with
/// <see cref="RelaxationCatalog.DiscreteVae(DiscreteVaeOptions)"/>.
/// </summary>
/// <remarks>
/// The fitted encoder runs as an ONNX graph inside ML.NET's own <c>OnnxTransformer</c>, which stores the graph in
/// the model file: <c>mlContext.Model.Save</c>/<c>Load</c> round-trips it (the loaded transformer is that built-in
/// transformer, with the same outputs). Applying it needs the ONNX Runtime native library (package
/// <c>Microsoft.ML.OnnxRuntime</c>, or <c>.Gpu.Linux</c>/<c>.Windows</c> for <see cref="DiscreteVaeOptions.GpuDeviceId"/>)
/// in the application. ML.NET's <c>OnnxTransformer</c> reads the graph from a temporary file while it lives: dispose
/// the fitted <see cref="DiscreteVaeTransformer"/> (and a loaded model) to delete it.
/// </remarks>
public sealed class DiscreteVaeEstimator : IEstimator<DiscreteVaeTransformer>
{
    private readonly MLContext _context;
    private readonly IHost _host;
    private readonly DiscreteVaeOptions _options;

    internal DiscreteVaeEstimator(MLContext context, IHostEnvironment environment, DiscreteVaeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _context = context;
        _host = environment.Register(nameof(DiscreteVaeEstimator));
        _options = options.Clone();
        try
        {
            Validate(_options);
        }
        catch (ArgumentException e)
        {
            throw _host.Process(e);
        }
    }

    /// <summary>The settings this estimator trains with (a copy; changing it does not affect the estimator).</summary>
    public DiscreteVaeOptions Options => _options.Clone();

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnValidation.CheckFeatureColumn(inputSchema, _options.FeatureColumnName, _host);
        // Column shapes cannot be built outside ML.NET: ask the built-in ONNX estimator, fed a graph with the same
        // outputs (the feature count is not part of a shape, so a one-feature stand-in serves), then dispose the
        // transformer it holds and delete the graph's file.
        var stand = new DiscreteVaeModel(_options.ToArchitecture(featureCount: 1) with { EncoderHiddenSizes = [], DecoderHiddenSizes = [] });
        using OnnxGraphFile file = OnnxGraphFile.Write(_context, Graph(stand, _options));
        var estimator = OnnxEstimator(file, gpuDeviceId: null);
        SchemaShape shape = estimator.GetOutputSchema(inputSchema);
        var standInput = new DataViewSchema.Builder();
        standInput.AddColumn(_options.FeatureColumnName, new VectorDataViewType(NumberDataViewType.Single, 1));
        ((IDisposable)estimator.Fit(new SchemaOnlyDataView(standInput.ToSchema()))).Dispose();
        return shape;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or not a known-size vector of Single.</exception>
    /// <exception cref="InvalidOperationException">No training rows; a NaN or infinite feature (unless skipped); a value
    /// outside [0, 1] under a Bernoulli likelihood.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    public DiscreteVaeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using IChannel ch = _host.Start("Fitting the discrete VAE");
        var (_, featureCount) = ColumnValidation.CheckFeatureColumn(input.Schema, _options.FeatureColumnName, _host);
        ulong seed = _options.Seed is int s ? (ulong)(uint)s : (ulong)(uint)_host.Rand.Next();
        var columns = _options.ToBatchSourceOptions(seed);
        var train = new DataViewBatchSource(input, columns, DataPart.Training);
        DataViewBatchSource? validation = _options.ValidationFraction > 0 ? new DataViewBatchSource(input, columns, DataPart.Validation) : null;

        ITemperatureSchedule schedule = _options.Temperature ?? new AnnealedTemperature();
        var learned = schedule as LearnedTemperature;
        var model = new DiscreteVaeModel(_options.ToArchitecture(featureCount), seed, learned);
        if (learned is null) model.Temperature = schedule.Temperature;
        ch.Info(MessageSensitivity.None, "{0} features, {1} latents x {2} categories, {3} parameters, seed {4}",
            featureCount, model.LatentCount, model.CategoryCount, model.Parameters.Sum(p => (long)p.Value.Length), seed);
        var log = new EpochLog(ch, _options.Progress, model, schedule, _options.FeatureColumnName);
        TrainingOptions training = _options.ToTrainingOptions();
        training.OnStep = step =>
        {
            log.Steps++;
            schedule.OnStep(step.Step);
            // A learned temperature lives in the model's parameters and moves with the optimizer.
            if (learned is null) model.Temperature = schedule.Temperature;
        };
        training.Progress = log;
        try
        {
            TrainingLoop.Run(model, train, validation, training, _options.CancellationToken);
        }
        catch (ArgumentException e) when (e.ParamName is "batch" or "source")
        {
            throw _host.Process(new InvalidOperationException($"Column '{_options.FeatureColumnName}': {e.Message}", e));
        }
        catch (InvalidOperationException e)
        {
            throw _host.Process(e);
        }

        if (learned is not null) _ = model.Temperature; // reading it leaves the final learned value in the caller's schedule

        byte[] graph = Graph(model, _options);
        var file = OnnxGraphFile.Write(_context, graph);
        try
        {
            ITransformer onnx = FitOnnx(file, input, ch);
            return new DiscreteVaeTransformer(_host, onnx, file, model, log.History, graph, _options.Clone());
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private IEstimator<ITransformer> OnnxEstimator(OnnxGraphFile file, int? gpuDeviceId) =>
        _context.Transforms.ApplyOnnxModel(OutputColumnNames(_options), [_options.FeatureColumnName], file.Path, gpuDeviceId, fallbackToCpu: false);

    /// <summary>
    /// The built-in ONNX transformer, on the GPU when asked for. ML.NET's own fallback catches only ONNX Runtime's
    /// errors, not the <see cref="EntryPointNotFoundException"/> of a CPU-only native package, so both are handled here.
    /// </summary>
    private ITransformer FitOnnx(OnnxGraphFile graph, IDataView input, IChannel ch)
    {
        if (_options.GpuDeviceId is not int device) return OnnxEstimator(graph, null).Fit(input);
        string reason;
        try
        {
            // Asking ONNX Runtime first spares a failing attempt when the native library has no CUDA provider at all.
            reason = OnnxSessionFactory.CudaMissingFromBuild() ?? "";
            if (reason.Length == 0) return OnnxEstimator(graph, device).Fit(input);
        }
        catch (Exception e) when (CudaFailure(e) is Exception cause)
        {
            reason = cause.Message.Split('\n')[0].Trim();
        }
        string what = $"CUDA (device {device}) was requested for the discrete VAE's encoder but cannot be used: {reason}";
        if (!_options.FallbackToCpu)
            throw _host.Process(new InvalidOperationException($"{what}. The application needs Microsoft.ML.OnnxRuntime.Gpu.Linux (or .Windows) "
                + "instead of Microsoft.ML.OnnxRuntime, and CUDA 13 with cuDNN 9 on the library path; or set FallbackToCpu."));
        ch.Warning(MessageSensitivity.None, "{0}; running it on the CPU instead.", what);
        return OnnxEstimator(graph, null).Fit(input);
    }

    private static Exception? CudaFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is EntryPointNotFoundException or DllNotFoundException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException) return x;
        return null;
    }

    internal static string[] OutputColumnNames(DiscreteVaeOptions o) =>
        [o.CodesColumnName, o.OneHotColumnName, o.ProbabilitiesColumnName, .. o.ReconstructionColumnName is string r ? [r] : Array.Empty<string>()];

    private static byte[] Graph(DiscreteVaeModel model, DiscreteVaeOptions o) => DiscreteVaeTransformer.WithOptions(DiscreteVaeOnnxExport.Encoder(model,
        o.FeatureColumnName, o.CodesColumnName, o.OneHotColumnName, o.ProbabilitiesColumnName, o.ReconstructionColumnName), o);

    private static void Validate(DiscreteVaeOptions o)
    {
        string[] names = [o.FeatureColumnName, .. OutputColumnNames(o)];
        foreach (string? name in names)
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentOutOfRangeException(nameof(o.FeatureColumnName), name, "Column names must not be empty.");
        string? duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
            throw new ArgumentOutOfRangeException(nameof(DiscreteVaeOptions), duplicate,
                $"The feature column and the output columns need distinct names; '{duplicate}' is used twice.");
        if (o.EncoderHiddenSizes is null) throw new ArgumentNullException(nameof(o.EncoderHiddenSizes), "Use an empty array for no hidden layer.");
        o.ToArchitecture(featureCount: 1).Validate();
        if (o.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(o.Epochs), o.Epochs, "Expected at least 1 epoch.");
        if (o.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(o.BatchSize), o.BatchSize, "Expected at least 1 row per batch.");
        if (!(o.LearningRate > 0) || float.IsInfinity(o.LearningRate))
            throw new ArgumentOutOfRangeException(nameof(o.LearningRate), o.LearningRate, "Expected a finite learning rate greater than 0.");
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(o.ValidationFraction), o.ValidationFraction, "Expected a validation fraction in [0, 1).");
        if (o.EarlyStoppingPatience < 0)
            throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "Expected 0 (off) or a positive patience.");
        if (o.GpuDeviceId < 0) throw new ArgumentOutOfRangeException(nameof(o.GpuDeviceId), o.GpuDeviceId, "Expected a CUDA device index >= 0, or null for the CPU.");
        if (o.EarlyStoppingPatience > 0 && o.ValidationFraction == 0)
            throw new ArgumentOutOfRangeException(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "Early stopping needs a ValidationFraction above 0.");
    }

    /// <summary>Turns each epoch report into a <see cref="DiscreteVaeEpoch"/>: logs it, keeps it, feeds the schedule, forwards it.</summary>
    private sealed class EpochLog(IChannel channel, IProgress<DiscreteVaeEpoch>? user, DiscreteVaeModel model, ITemperatureSchedule schedule,
        string FeatureColumn) : IProgress<EpochReport>
    {
        public List<DiscreteVaeEpoch> History { get; } = [];

        /// <summary>Optimizer steps taken so far.</summary>
        public long Steps { get; set; }

        public void Report(EpochReport value)
        {
            if (Steps == 0)
                throw new InvalidOperationException($"No training rows in column '{FeatureColumn}' (after the validation split and skipped rows).");
            if (!double.IsFinite(value.TrainLoss))
                throw new InvalidOperationException(
                    $"Training diverged in epoch {value.Epoch} (negative ELBO {value.TrainLoss}) on column '{FeatureColumn}': scale the features"
                    + " (a Gaussian likelihood expects standardized values) or lower the learning rate.");
            double? Metric(string name) => value.Metrics.TryGetValue(name, out double v) ? v : null;
            var epoch = new DiscreteVaeEpoch(value.Epoch, value.TrainLoss, value.ValidationMetric, Metric("reconstruction"), Metric("kl"),
                model.Temperature, value.Elapsed);
            History.Add(epoch);
            if (value.ValidationMetric is double metric) schedule.OnValidation(metric);
            channel.Info(MessageSensitivity.None, "epoch {0}: train -ELBO {1:F3}, validation -ELBO {2:F3} (reconstruction {3:F3}, KL {4:F3}), tau {5:G4}, {6:F1} s",
                epoch.Epoch, epoch.TrainNegativeElbo, epoch.ValidationNegativeElbo ?? double.NaN, epoch.ValidationReconstruction ?? double.NaN,
                epoch.ValidationKl ?? double.NaN, epoch.Temperature, epoch.Elapsed.TotalSeconds);
            user?.Report(epoch);
        }
    }
}
