using System.Text.Json;
using Ml.Relaxation.Tests.Onnx;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>
/// The jobs end to end on tiny data with two epochs: what they infer, what they write, and what <c>--json</c> prints.
/// </summary>
public sealed class JobTests : IDisposable
{
    private readonly SamplesTool _tool = new();

    public void Dispose() => _tool.Dispose();

    private JsonElement Succeeds(params string[] args)
    {
        var result = _tool.Run([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json();
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public void Text_labels_become_classes_and_json_is_the_only_standard_output_with_every_file_written()
    {
        _tool.Write("animals.csv", CsvFiles.Animals());
        var result = _tool.Run("select", "--data", "animals.csv", "--epochs", "2", "--k", "1", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement summary = result.Json(); // throws unless standard output is one JSON document
        Assert.Matches(@"gated selector: step (\d+)/\1  final fit", result.Stderr); // progress went to standard error

        JsonElement data = summary.GetProperty("data");
        Assert.Equal("multiclass", data.GetProperty("task").GetString());
        Assert.Equal(["cat", "cow", "dog"], Strings(data.GetProperty("classes")));
        Assert.Equal(30, data.GetProperty("rows").GetInt32());
        Assert.Equal(30, data.GetProperty("trainingRows").GetInt32() + data.GetProperty("testRows").GetInt32());
        Assert.Equal("signal", summary.GetProperty("kept")[0].GetProperty("name").GetString());
        Assert.Equal(2, summary.GetProperty("features").GetArrayLength());
        JsonElement metrics = summary.GetProperty("metrics");
        Assert.Equal("macro accuracy", metrics.GetProperty("metric").GetString());
        Assert.Equal(metrics.GetProperty("gatedSelector").GetDouble(), metrics.GetProperty("gatedSelectorReloaded").GetDouble());
        Assert.Equal(2, summary.GetProperty("training").GetArrayLength());
        Assert.True(summary.GetProperty("seconds").GetProperty("total").GetDouble() > 0);

        JsonElement files = summary.GetProperty("files");
        string folder = files.GetProperty("folder").GetString()!;
        Assert.Equal(Path.Combine(_tool.Directory, "relaxation-runs"), Path.GetDirectoryName(folder));
        Assert.StartsWith("select-", Path.GetFileName(folder));
        foreach (string key in new[] { "model", "onnx", "summary", "log" }) Assert.True(File.Exists(files.GetProperty(key).GetString()), key);
        OnnxChecker.CheckIfInstalled([files.GetProperty("onnx").GetString()!]); // a multiclass LightGBM model after the selector
        Assert.Equal(summary.ToString(), JsonDocument.Parse(File.ReadAllText(files.GetProperty("summary").GetString()!)).RootElement.ToString());
        Assert.Matches(@"gated selector: step (\d+)/\1  final fit", File.ReadAllText(files.GetProperty("log").GetString()!));
        var plots = Strings(files.GetProperty("plots"));
        Assert.Equal(["feature-scores.png", "training.png"], plots.Select(Path.GetFileName));
        Assert.Equal(900, Png.AssertValid(plots[0]).Width);
        Assert.Equal((900, 500), Png.AssertValid(plots[1]));
    }

    [Fact]
    public void A_regression_label_is_inferred_without_task_and_measured_by_r2()
    {
        _tool.Write("amounts.csv", CsvFiles.Amounts());
        JsonElement summary = Succeeds("select", "--data", "amounts.csv", "--epochs", "2", "--k", "1");
        Assert.Equal("regression", summary.GetProperty("data").GetProperty("task").GetString());
        Assert.Contains("non-integer", summary.GetProperty("data").GetProperty("taskNote").GetString());
        Assert.Equal("R^2", summary.GetProperty("metrics").GetProperty("metric").GetString());
        Assert.Equal("LightGBM", summary.GetProperty("metrics").GetProperty("downstreamModel").GetString());
        OnnxChecker.CheckIfInstalled([summary.GetProperty("files").GetProperty("onnx").GetString()!]);
    }

    [Fact]
    public void Mutual_information_gets_a_regression_label_in_quantile_bins()
    {
        // The label is unique per row. Given it raw, mutual information cuts it into up to 256 bins (one per row here)
        // and so ranks columns by how many distinct values they have: the 41-valued noise before the 10-valued signal.
        // In ten quantile bins the label follows the signal, and mutual information keeps that.
        string csv = "signal,noise,Label\n" + string.Concat(Enumerable.Range(0, 200).Select(i =>
            FormattableString.Invariant($"{i % 10},{i * 7919 % 41 / 41.0:R},{2.5 * (i % 10) + 0.13 + 0.0001 * i:R}\n")));
        _tool.Write("amounts.csv", csv);
        JsonElement summary = Succeeds("select", "--data", "amounts.csv", "--epochs", "2", "--k", "1");
        Assert.Equal("regression", summary.GetProperty("data").GetProperty("task").GetString());
        Assert.Equal(["signal"], Strings(summary.GetProperty("metrics").GetProperty("mutualInformationKept")));
    }

    [Fact]
    public void Skip_missing_leaves_rows_with_empty_fields_out_and_counts_them()
    {
        // Every fourth row loses its noise value: 5 of 20 rows.
        string[] lines = CsvFiles.Labeled(20, i => (i % 2).ToString(), i => i % 2).Split('\n');
        for (int i = 1; i < lines.Length; i += 4) lines[i] = lines[i].Split(',') is [var signal, _, var label] ? $"{signal},,{label}" : lines[i];
        _tool.Write("gaps.csv", string.Join('\n', lines));
        JsonElement summary = Succeeds("select", "--data", "gaps.csv", "--epochs", "2", "--k", "1", "--skip-missing");
        Assert.Equal(5, summary.GetProperty("data").GetProperty("rowsSkipped").GetInt32());
        Assert.Equal(15, summary.GetProperty("data").GetProperty("rows").GetInt32());
        Assert.True(summary.GetProperty("settings").GetProperty("skipMissing").GetBoolean());
    }

    [Fact]
    public void Vae_needs_no_label_leaves_a_label_column_out_and_draws_its_plots()
    {
        _tool.Write("values.csv", CsvFiles.UnitValues());
        Assert.True(_tool.Run("vae", "--data", "values.csv", "--epochs", "1", "--output", "unlabeled").ExitCode == 0);
        _tool.Write("labeled.csv", CsvFiles.UnitValues(labelColumn: "Label"));
        JsonElement summary = Succeeds("vae", "--data", "labeled.csv", "--epochs", "2", "--latents", "3", "--categories", "4");
        Assert.Equal(4, summary.GetProperty("data").GetProperty("features").GetInt32()); // the Label column is left out
        Assert.Equal(3, summary.GetProperty("categoryUsage").GetArrayLength());
        foreach (JsonElement latent in summary.GetProperty("categoryUsage").EnumerateArray())
            Assert.Equal(1.0, latent.EnumerateArray().Sum(share => share.GetDouble()), 9); // each latent codes every row once
        Assert.True(summary.GetProperty("metrics").GetProperty("codesIdenticalAfterReload").GetBoolean());
        JsonElement files = summary.GetProperty("files");
        foreach (string key in new[] { "model", "encoderOnnx", "decoderOnnx" }) Assert.True(File.Exists(files.GetProperty(key).GetString()), key);
        OnnxChecker.CheckIfInstalled([files.GetProperty("encoderOnnx").GetString()!, files.GetProperty("decoderOnnx").GetString()!]);
        // Four values are a 2 x 2 image: all four plots.
        var plots = Strings(files.GetProperty("plots"));
        Assert.Equal(["reconstructions.png", "prior-samples.png", "elbo.png", "category-usage.png"], plots.Select(Path.GetFileName));
        foreach (string plot in plots) Png.AssertValid(plot);
    }

    [Fact]
    public async Task Two_concurrent_runs_that_start_in_the_same_second_write_to_different_folders()
    {
        using var tool = new SamplesTool { Now = () => new DateTime(2026, 1, 5, 14, 22, 33) };
        tool.Write("animals.csv", CsvFiles.Animals());
        string[] args = ["select", "--data", "animals.csv", "--epochs", "2", "--k", "1", "--json"];
        ToolResult[] runs = await Task.WhenAll(Task.Run(() => tool.Run(args)), Task.Run(() => tool.Run(args)));
        foreach (var run in runs) Assert.True(run.ExitCode == 0, run.ToString());
        string[] folders = [.. runs.Select(r => r.Json().GetProperty("files").GetProperty("folder").GetString()!).Order()];
        Assert.Equal(["select-20260105-142233", "select-20260105-142233-2"], folders.Select(Path.GetFileName));
        Assert.Equal(folders, tool.RunFolders());
        foreach (string folder in folders)
            Assert.Equal(["feature-scores.png", "gated-selector.onnx", "gated-selector.zip", "run.log", "summary.json", "training.png"],
                Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        // Same seed, same results, whichever run got which folder.
        Assert.Equal(runs[0].Json().GetProperty("features").ToString(), runs[1].Json().GetProperty("features").ToString());
    }

    [Fact]
    public void The_same_seed_gives_the_same_selection_at_one_and_two_threads()
    {
        _tool.Write("animals.csv", CsvFiles.Animals());
        JsonElement one = Succeeds("select", "--data", "animals.csv", "--epochs", "3", "--k", "1", "--threads", "1");
        JsonElement two = Succeeds("select", "--data", "animals.csv", "--epochs", "3", "--k", "1", "--threads", "2");
        Assert.Equal(1, one.GetProperty("settings").GetProperty("threads").GetInt32());
        Assert.Equal(2, two.GetProperty("settings").GetProperty("threads").GetInt32());
        Assert.Equal(one.GetProperty("features").ToString(), two.GetProperty("features").ToString());
        Assert.Equal(one.GetProperty("metrics").ToString(), two.GetProperty("metrics").ToString());
        Assert.Equal(one.GetProperty("training").ToString(), two.GetProperty("training").ToString());
    }

    [Fact]
    public void A_cancelled_run_exits_130_and_keeps_its_log()
    {
        using var tool = new SamplesTool { Cancel = new CancellationToken(canceled: true) };
        tool.Write("animals.csv", CsvFiles.Animals());
        var result = tool.Run("select", "--data", "animals.csv");
        Assert.Equal(130, result.ExitCode);
        Assert.Equal("cancelled.", result.Stderr.Trim());
        string log = File.ReadAllText(Path.Combine(Assert.Single(tool.RunFolders()), "run.log"));
        Assert.EndsWith("cancelled.", log.TrimEnd());
        Assert.DoesNotContain("   at ", log); // a cancellation is no failure: no stack trace in the log either
    }

    // About 2 s (more on a busy machine): the only test of the no-argument job, on its embedded data (569 rows, then
    // one epoch over 1,800 digits).
    [Fact]
    public void The_main_job_runs_both_jobs_into_one_folder()
    {
        JsonElement summary = Succeeds("--epochs", "1", "--output", "main");
        string folder = Path.Combine(_tool.Directory, "main");
        Assert.Equal("main", summary.GetProperty("command").GetString());
        Assert.Equal("embedded breast-cancer (569 rows)", summary.GetProperty("select").GetProperty("data").GetProperty("source").GetString());
        Assert.Equal(5, summary.GetProperty("select").GetProperty("kept").GetArrayLength());
        Assert.Equal(784, summary.GetProperty("vae").GetProperty("data").GetProperty("features").GetInt32());
        foreach (string file in new[] { "summary.json", "run.log", "select/summary.json", "select/gated-selector.onnx", "vae/summary.json", "vae/encoder.onnx" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        OnnxChecker.CheckIfInstalled([Path.Combine(folder, "select", "gated-selector.onnx")]); // breast cancer: logistic regression after the selector
        Assert.Equal((800, 480), Png.AssertValid(Path.Combine(folder, "vae", "reconstructions.png")));
    }
}
