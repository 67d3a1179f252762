using Microsoft.ML;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.Onnx.Runtime;

namespace Ml.Relaxation.Tests.Onnx;

/// <summary>
/// The scorer's contract on a small ML.NET pipeline graph. The tests reference the CPU native package, so a CUDA
/// request exercises the fallback (the CUDA path itself is checked by test/Ml.Relaxation.Benchmarks/Gpu/cuda-check.sh).
/// </summary>
[Collection(ExportedSelectors.Collection)]
public sealed class OnnxScorerTests(ExportedSelectors s)
{
    private byte[] Model => s.Export(s.Pipelines[Ml.Relaxation.MLNet.FeatureSelection.GatedOutputMode.KeptSlots]);

    [Fact]
    public void Runs_on_the_CPU_by_default_and_describes_its_inputs_and_outputs()
    {
        using var scorer = new OnnxScorer(Model);
        Assert.Equal(OnnxExecutionProvider.Cpu, scorer.ExecutionProvider);
        Assert.Null(scorer.FallbackReason);
        var features = scorer.Inputs.Single(i => i.Name == "Features");
        Assert.Equal(typeof(float), features.ElementType);
        Assert.Equal(ExportedSelectors.Slots, features.RowWidth);
        Assert.Equal(typeof(bool), scorer.Inputs.Single(i => i.Name == "Label").ElementType);
        Assert.Contains(scorer.Outputs, o => o.Name == "Score.output");
        OnnxScores scores = scorer.Score(3, [OnnxInput.Of("Features", new float[3 * ExportedSelectors.Slots]), OnnxInput.Of("Label", new bool[3])],
            ["Score.output"]);
        Assert.Equal(["Score.output"], scores.Names);
        Assert.Equal(3, scores.Get<float>("Score.output").Length);
    }

    [Fact]
    public void Cuda_without_a_CUDA_build_falls_back_to_the_CPU_with_one_log_line_naming_the_package()
    {
        var lines = new List<string>();
        using var scorer = new OnnxScorer(Model, new OnnxScorerOptions { ExecutionProvider = OnnxExecutionProvider.Cuda }, lines.Add);
        Assert.Equal(OnnxExecutionProvider.Cpu, scorer.ExecutionProvider);
        string line = Assert.Single(lines);
        Assert.Contains("CUDA (device 0)", line);
        Assert.Contains("CPU", line);
        Assert.Contains("Microsoft.ML.OnnxRuntime", scorer.FallbackReason);
        Assert.Equal(3, scorer.Score(3, OnnxInput.Of("Features", new float[3 * ExportedSelectors.Slots]), OnnxInput.Of("Label", new bool[3]))
            .Get<float>("Score.output").Length);
    }

    [Fact]
    public void Cuda_without_fallback_fails_with_a_clear_error()
    {
        var options = new OnnxScorerOptions { ExecutionProvider = OnnxExecutionProvider.Cuda, GpuDeviceId = 1, FallbackToCpu = false };
        var e = Assert.Throws<InvalidOperationException>(() => new OnnxScorer(Model, options, _ => Assert.Fail("no fallback")));
        Assert.Contains("CUDA (device 1)", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", e.Message);
        Assert.Contains("FallbackToCpu", e.Message);
    }

    [Fact]
    public void The_catalog_scorer_logs_the_fallback_to_the_MLContext()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        using var scorer = ml.Relaxation().CreateOnnxScorer(Model, new OnnxScorerOptions { ExecutionProvider = OnnxExecutionProvider.Cuda });
        Assert.Equal(OnnxExecutionProvider.Cpu, scorer.ExecutionProvider);
        Assert.Single(log, m => m.Contains("running on the CPU instead"));
    }

    [Fact]
    public void Bad_inputs_get_errors_that_name_the_input()
    {
        using var scorer = new OnnxScorer(Model);
        var features = OnnxInput.Of("Features", new float[2 * ExportedSelectors.Slots]);
        var label = OnnxInput.Of("Label", new bool[2]);
        Assert.Contains("Missing input(s) 'Label'", Assert.Throws<ArgumentException>(() => scorer.Score(2, features)).Message);
        Assert.Contains("no input 'Extra'", Assert.Throws<ArgumentException>(() => scorer.Score(2, features, label, OnnxInput.Of("Extra", new float[2]))).Message);
        Assert.Contains("given twice", Assert.Throws<ArgumentException>(() => scorer.Score(2, features, label, label)).Message);
        Assert.Contains($"needs {3 * ExportedSelectors.Slots} values for 3 row(s), got {2 * ExportedSelectors.Slots}",
            Assert.Throws<ArgumentException>(() => scorer.Score(3, features, OnnxInput.Of("Label", new bool[3]))).Message);
        Assert.Contains("takes Single values, not Double", Assert.Throws<ArgumentException>(() =>
            scorer.Score(2, OnnxInput.Of("Features", new double[2 * ExportedSelectors.Slots]), label)).Message);
        Assert.Contains("no output 'Nope'", Assert.Throws<ArgumentException>(() => scorer.Score(2, [features, label], ["Nope"])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score(0, features, label));
        Assert.Throws<KeyNotFoundException>(() => scorer.Score(2, features, label).Get<float>("Nope"));
        Assert.Throws<InvalidCastException>(() => scorer.Score(2, features, label).Get<long>("Score.output"));
    }
}
