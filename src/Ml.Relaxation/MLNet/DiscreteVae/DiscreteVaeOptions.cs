using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.MLNet.DiscreteVae;

/// <summary>
/// Every knob of the discrete-latent VAE encoder, with its default. Used by
/// <see cref="RelaxationCatalog.DiscreteVae(DiscreteVaeOptions)"/>.
/// </summary>
/// <remarks>
/// The defaults are the setup of Jang et al. (2017) for binarized images: 20 latents of 10 categories, encoder
/// 784-512-256-(20x10) with a mirrored decoder, Bernoulli likelihood, uniform prior, soft Gumbel-Softmax with the
/// temperature annealed as <c>max(0.5, exp(-3e-5 step))</c> every 100 steps, Adam 1e-3, batches of 100.
/// </remarks>
public sealed partial class DiscreteVaeOptions
{
    /// <summary>The input column: a known-size vector of <see cref="float"/>. Default <c>"Features"</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Output: the most likely category of each latent, a vector of L <see cref="long"/> in [0, K). Default <c>"Codes"</c>.</summary>
    public string CodesColumnName { get; set; } = "Codes";

    /// <summary>Output: the codes one-hot encoded, a vector of L*K <see cref="float"/> (latent-major). Default <c>"OneHot"</c>.</summary>
    public string OneHotColumnName { get; set; } = "OneHot";

    /// <summary>Output: the posterior probabilities q(z_l = k | x), a vector of L*K <see cref="float"/>. Default <c>"Probabilities"</c>.</summary>
    public string ProbabilitiesColumnName { get; set; } = "Probabilities";

    /// <summary>
    /// Output: the row decoded from its codes (the mean of p(x | z): probabilities under a Bernoulli likelihood), a
    /// vector of D <see cref="float"/>; null (default) adds no such column.
    /// </summary>
    public string? ReconstructionColumnName { get; set; }

    /// <summary>Number of latent variables L, at least 1. Default 20.</summary>
    public int LatentCount { get; set; } = 20;

    /// <summary>Categories per latent K, at least 2; ignored (2) for Bernoulli latents. Default 10.</summary>
    public int CategoryCount { get; set; } = 10;

    /// <summary>Categorical latents (Gumbel-Softmax) or bits (Binary Concrete). Default <see cref="LatentDistribution.Categorical"/>.</summary>
    public LatentDistribution Latents { get; set; } = LatentDistribution.Categorical;

    /// <summary>Hidden layer widths of the encoder (ReLU), input side first; empty for none. Default [512, 256].</summary>
    public int[] EncoderHiddenSizes { get; set; } = [512, 256];

    /// <summary>Hidden layer widths of the decoder, latent side first; null (default) mirrors the encoder.</summary>
    public int[]? DecoderHiddenSizes { get; set; }

    /// <summary>
    /// p(x | z): <see cref="ReconstructionLikelihood.Bernoulli"/> (default) for data in [0, 1];
    /// <see cref="ReconstructionLikelihood.Gaussian"/> (unit variance) for standardized real-valued data.
    /// </summary>
    public ReconstructionLikelihood Likelihood { get; set; } = ReconstructionLikelihood.Bernoulli;

    /// <summary>Soft (default) or straight-through relaxed samples in training.</summary>
    public RelaxationMode Relaxation { get; set; } = RelaxationMode.Soft;

    /// <summary>
    /// The temperature schedule; null (default) is <see cref="AnnealedTemperature"/> with its defaults (1 annealed to
    /// 0.5 as <c>max(0.5, exp(-3e-5 step))</c>, updated every 100 steps). A <see cref="LearnedTemperature"/> is trained
    /// with the network (Adam at <see cref="LearningRate"/>) and holds the learned value after <c>Fit</c>.
    /// </summary>
    public ITemperatureSchedule? Temperature { get; set; }

    /// <summary>Uniform (default) or learned prior over each latent's categories.</summary>
    public LatentPrior Prior { get; set; } = LatentPrior.Uniform;

    /// <summary>Passes over the training rows, at least 1. Default 20.</summary>
    public int Epochs { get; set; } = 20;

    /// <summary>Rows per mini-batch, at least 1. Default 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Adam learning rate, greater than 0. Default 0.001.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Seed of the split, shuffling, initialization and noise; null (default) draws one from the <c>MLContext</c>'s seed.</summary>
    public int? Seed { get; set; }

    /// <summary>Fraction of rows held out to report a validation negative ELBO per epoch, in [0, 1). Default 0.1.</summary>
    public float ValidationFraction { get; set; } = 0.1f;

    /// <summary>Stop after this many epochs without a better validation negative ELBO and keep the best epoch's parameters; 0 (default) disables it.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>false (default): a row with a NaN or infinite feature is an error; true: such rows are skipped.</summary>
    public bool SkipRowsWithMissingValues { get; set; }

    /// <summary>
    /// The CUDA device that the fitted transformer runs its ONNX encoder on (ML.NET's <c>ApplyOnnxModel</c>
    /// <c>gpuDeviceId</c>); null (default) runs it on the CPU. CUDA needs the application to reference
    /// <c>Microsoft.ML.OnnxRuntime.Gpu.Linux</c> or <c>.Windows</c> instead of <c>Microsoft.ML.OnnxRuntime</c>, and CUDA 13
    /// with cuDNN 9 on the machine. Training does not use the GPU.
    /// </summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>
    /// With <see cref="GpuDeviceId"/>: true (default) runs the encoder on the CPU, with one warning in <c>MLContext.Log</c>,
    /// when CUDA cannot be used; false makes <c>Fit</c> throw <see cref="InvalidOperationException"/> instead. (Unlike
    /// ML.NET's own <c>fallbackToCpu</c>, this also covers an application that ships the CPU-only native package.)
    /// </summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>Receives one report per epoch; null (default) for none. Epochs are also logged to <c>MLContext.Log</c>.</summary>
    public IProgress<DiscreteVaeEpoch>? Progress { get; set; }

    /// <summary>Cancels <c>Fit</c> between mini-batches (it throws <see cref="OperationCanceledException"/>). Default none.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>An independent copy (arrays copied too), so an estimator is not changed by later edits to these options.</summary>
    internal DiscreteVaeOptions Clone()
    {
        var copy = (DiscreteVaeOptions)MemberwiseClone();
        copy.EncoderHiddenSizes = EncoderHiddenSizes is null ? null! : [.. EncoderHiddenSizes];
        copy.DecoderHiddenSizes = DecoderHiddenSizes is null ? null : [.. DecoderHiddenSizes];
        return copy;
    }
}
