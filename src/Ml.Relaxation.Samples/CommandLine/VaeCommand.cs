using System.CommandLine;
using Ml.Relaxation.Samples.Datasets;
using Ml.Relaxation.Samples.Vae;

namespace Ml.Relaxation.Samples.CommandLine;

/// <summary><c>vae</c>: the discrete-latent VAE on a CSV file of values in [0, 1] or the embedded digits.</summary>
internal sealed class VaeCommand : Command
{
    private readonly Option<string?> _data = SampleOptions.Data();
    private readonly Option<string?> _dataset = SampleOptions.Dataset(EmbeddedDatasets.ForVae, "mnist");
    private readonly Option<string?> _label = SampleOptions.Label("A column of --data to leave out of the features (the VAE uses no label). Default: a column named Label, if any.");
    private readonly Option<int> _latents = SampleOptions.Int("--latents", "Categorical latent variables L (DiscreteVaeOptions.LatentCount).", 1, VaeJob.DefaultLatents, "L");
    private readonly Option<int> _categories = SampleOptions.Int("--categories", "Categories per latent K (DiscreteVaeOptions.CategoryCount).", 2, VaeJob.DefaultCategories, "K");
    private readonly Option<bool> _hard = new("--hard") { Description = "Train with straight-through (hard) Gumbel-Softmax samples instead of soft ones." };
    private readonly Option<bool> _skipMissing = SampleOptions.SkipMissing();
    private readonly Option<int?> _epochs = SampleOptions.Epochs($"{VaeJob.DefaultEpochs}");

    public VaeCommand()
        : base("vae", "Train a discrete-latent VAE (Gumbel-Softmax), encode rows to codes, and draw reconstructions and samples.")
    {
        Options.Add(_data);
        Options.Add(_dataset);
        Options.Add(_label);
        Options.Add(_latents);
        Options.Add(_categories);
        Options.Add(_hard);
        Options.Add(_epochs);
        Options.Add(_skipMissing);
        Common.AddTo(this);
        SampleOptions.Exclusive(this, _data, _dataset);
        SampleOptions.Requires(this, _label, _data);
    }

    /// <summary>The options every job has.</summary>
    public CommonOptions Common { get; } = new();

    /// <summary>Reads the data (an <see cref="InputError"/> when it cannot be used) and the settings.</summary>
    public VaeRequest Request(ParseResult parse, string workingDirectory)
    {
        bool skipMissing = parse.GetValue(_skipMissing);
        string? label = parse.GetValue(_label);
        FeatureTable table = parse.GetValue(_data) is { } data
            ? TableReader.WithoutLabel(CsvText.Read(Path.GetFullPath(data, workingDirectory), data), label ?? "Label", labelRequired: label is not null,
                skipMissing, unitRange: true)
            : EmbeddedDatasets.Digits(binarize: true).WithoutLabel();
        return new VaeRequest(table, parse.GetValue(_latents), parse.GetValue(_categories), parse.GetValue(_hard),
            parse.GetValue(_epochs) ?? VaeJob.DefaultEpochs, parse.GetValue(Common.Seed), skipMissing);
    }
}
