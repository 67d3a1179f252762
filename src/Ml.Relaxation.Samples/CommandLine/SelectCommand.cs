using System.CommandLine;
using Ml.Relaxation.Samples.Datasets;
using Ml.Relaxation.Samples.Selection;

namespace Ml.Relaxation.Samples.CommandLine;

/// <summary><c>select</c>: gated feature selection on a CSV file or an embedded data set.</summary>
internal sealed class SelectCommand : Command
{
    private readonly Option<string?> _data = SampleOptions.Data();
    private readonly Option<string?> _dataset = SampleOptions.Dataset(EmbeddedDatasets.ForSelection, "breast-cancer");
    private readonly Option<string?> _label = SampleOptions.Label("The label column of --data. Default: Label.");
    private readonly Option<string?> _task = SampleOptions.Task();
    private readonly Option<int?> _k = SampleOptions.Count("--k", "Features to keep (GatedFeatureSelectorOptions.MaximumFeatureCount). Default: 5, or the feature count if smaller.", 1, "k");
    private readonly Option<float?> _lambda = SampleOptions.Lambda();
    private readonly Option<bool> _skipMissing = SampleOptions.SkipMissing();
    private readonly Option<int?> _epochs = SampleOptions.Epochs($"{SelectJob.DefaultEpochs}");

    public SelectCommand()
        : base("select", "Learn Hard Concrete (L0) gates, keep k features, and compare a downstream model on them with mutual information's k features.")
    {
        Options.Add(_data);
        Options.Add(_dataset);
        Options.Add(_label);
        Options.Add(_task);
        Options.Add(_k);
        Options.Add(_lambda);
        Options.Add(_epochs);
        Options.Add(_skipMissing);
        Common.AddTo(this);
        SampleOptions.Exclusive(this, _data, _dataset);
        SampleOptions.Requires(this, _label, _data);
        SampleOptions.Requires(this, _task, _data);
    }

    /// <summary>The options every job has.</summary>
    public CommonOptions Common { get; } = new();

    /// <summary>Reads the data (an <see cref="InputError"/> when it cannot be used) and the settings.</summary>
    public SelectRequest Request(ParseResult parse, string workingDirectory)
    {
        bool skipMissing = parse.GetValue(_skipMissing);
        FeatureTable table = parse.GetValue(_data) is { } data
            ? TableReader.WithLabel(CsvText.Read(Path.GetFullPath(data, workingDirectory), data), parse.GetValue(_label) ?? "Label",
                parse.GetValue(_task) is { } task ? LearningTasks.Parse(task) : null, skipMissing)
            : EmbeddedDatasets.Labeled(parse.GetValue(_dataset) ?? "breast-cancer");
        var request = new SelectRequest(table, parse.GetValue(_k), parse.GetValue(_lambda), parse.GetValue(_epochs) ?? SelectJob.DefaultEpochs,
            parse.GetValue(Common.Seed), skipMissing);
        SelectJob.KeptCount(request);
        return request;
    }
}
