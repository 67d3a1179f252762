using Ml.Relaxation.Samples.Output;

namespace Ml.Relaxation.Samples.Vae;

/// <summary>What <c>vae</c> did, as written to <c>summary.json</c> and printed by <c>--json</c>.</summary>
/// <param name="Command">Always <c>vae</c>.</param>
/// <param name="Data">The data and its split.</param>
/// <param name="Settings">The options the run used, defaults filled in.</param>
/// <param name="Metrics">The held-out negative ELBO and how many categories the codes use.</param>
/// <param name="CategoryUsage">For each latent, the share of held-out rows coded to each category.</param>
/// <param name="ExampleCodes">The codes of the first held-out rows.</param>
/// <param name="Training">The training history, one entry per epoch.</param>
/// <param name="Seconds">Wall time of each step.</param>
/// <param name="Files">Full paths of what the run wrote.</param>
/// <param name="Warnings">Anything the user should look at.</param>
internal sealed record VaeSummary(string Command, DataSummary Data, VaeSettings Settings, VaeMetrics Metrics, IReadOnlyList<double[]> CategoryUsage,
    IReadOnlyList<int[]> ExampleCodes, IReadOnlyList<VaeEpoch> Training, IReadOnlyDictionary<string, double> Seconds, VaeFiles Files, IReadOnlyList<string> Warnings);

/// <summary>The options of a <c>vae</c> run.</summary>
internal sealed record VaeSettings(int Latents, int Categories, bool Hard, int Epochs, int Seed, int Threads, bool SkipMissing);

/// <summary>Held-out quality in nats per row (one exact discrete sample per row), and the categories in use.</summary>
/// <param name="NegativeElbo">-ELBO = reconstruction + KL.</param>
/// <param name="Reconstruction">E_q[-log p(x | z)].</param>
/// <param name="Kl">KL(q(z | x) || p(z)).</param>
/// <param name="CategoriesUsed">(latent, category) pairs that code at least one held-out row, of Latents x Categories.</param>
/// <param name="CodesIdenticalAfterReload">Whether the saved and reloaded model gives the same codes.</param>
internal sealed record VaeMetrics(double NegativeElbo, double Reconstruction, double Kl, int CategoriesUsed, bool CodesIdenticalAfterReload);

/// <summary>One epoch of training (nats per row).</summary>
internal sealed record VaeEpoch(int Epoch, double TrainNegativeElbo, double? ValidationNegativeElbo, double Temperature, double Seconds);

/// <summary>The files of a <c>vae</c> run.</summary>
internal sealed record VaeFiles(string Folder, string Model, string EncoderOnnx, string DecoderOnnx, IReadOnlyList<string> Plots, string Summary, string Log);
