using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Ml.Relaxation.Data;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Randomness;
using Xunit.Sdk;

namespace Ml.Relaxation.Tests.Reliability;

/// <summary>Each reliability helper passes a sound subject and fails a deliberately unsound one.</summary>
public class ReliabilityHelperTests
{
    private static readonly MLContext Ctx = new(seed: 1);

    // ---- Allocations ----

    [Fact]
    public void Allocations_passes_code_that_allocates_nothing_and_fails_code_that_allocates_every_call()
    {
        var buffer = new float[64];
        Allocations.AssertNoneAfterWarmUp(() => buffer.AsSpan().Fill(1f));
        object? kept = null;
        Assert.ThrowsAny<XunitException>(() => Allocations.AssertNoneAfterWarmUp(() => kept = new float[4]));
        Assert.NotNull(kept);
    }

    [Fact]
    public void Allocations_fails_code_that_allocates_every_few_calls_or_a_large_block_once()
    {
        object? kept = null;
        int calls = 0;
        Assert.ThrowsAny<XunitException>(() => Allocations.AssertNoneAfterWarmUp(() => { if (++calls % 5 == 0) kept = new float[4]; }));
        calls = 0;
        // Once, 8 KB or more: more than the GC's accounting can explain.
        Assert.ThrowsAny<XunitException>(() => Allocations.AssertNoneAfterWarmUp(() => { if (++calls == 10) kept = new byte[Allocations.AllocationQuantum]; }));
        Assert.NotNull(kept);
    }

    // ---- Determinism ----

    private static float[] PartitionedUniforms(int threads)
    {
        // Sound: every value comes from its own position in the stream, whatever the partition.
        var values = new float[1000];
        var rng = new RandomSource(7);
        ulong start = rng.Reserve(values.Length);
        int chunk = (values.Length + threads - 1) / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int from = t * chunk, count = Math.Min(chunk, values.Length - from);
            rng.FillUniforms(start + (ulong)from, values.AsSpan(from, count));
        });
        return values;
    }

    private static float[] PartitionedSum(int threads)
    {
        // Unsound: float partial sums combined per partition round differently at each thread count.
        var values = new float[10_000];
        new RandomSource(3).NextUniforms(values);
        int chunk = (values.Length + threads - 1) / threads;
        float total = 0;
        for (int t = 0; t < threads; t++)
        {
            float partial = 0;
            for (int i = t * chunk; i < Math.Min(values.Length, (t + 1) * chunk); i++) partial += values[i] * 1000;
            total += partial;
        }
        return [total];
    }

    [Fact]
    public void Determinism_passes_partition_independent_draws_and_fails_partition_dependent_sums_and_unseeded_randomness()
    {
        Determinism.AssertBitIdentical(PartitionedUniforms, 2, 3);
        var e = Assert.ThrowsAny<XunitException>(() => Determinism.AssertBitIdentical(PartitionedSum));
        Assert.Contains("a fit at 2 threads differs at parameter 0", e.Message);
        e = Assert.ThrowsAny<XunitException>(() => Determinism.AssertBitIdentical(_ => [Random.Shared.NextSingle()]));
        Assert.Contains("a second fit at 1 thread", e.Message);
    }

    // ---- Concurrency ----

    public sealed class In
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
    }

    public sealed class Out
    {
        [VectorType(3)] public float[] Scaled { get; set; } = [];
    }

    private static readonly In[] Rows = Enumerable.Range(0, 50).Select(i => new In { Features = [i, -i, i * 0.5f] }).ToArray();

    [Fact]
    public void Concurrency_passes_a_built_in_transformer_and_fails_one_with_shared_state()
    {
        var data = Ctx.Data.LoadFromEnumerable(Rows);
        var sound = Ctx.Transforms.NormalizeMinMax("Scaled", "Features").Fit(data);
        Concurrency.AssertPredictionEnginesAgree<In, Out>(Ctx, sound, Rows, o => o.Scaled);
        Concurrency.AssertCursorsAgree(sound, data);

        int calls = 0;
        var shared = Ctx.Transforms.CustomMapping<In, Out>((i, o) =>
        {
            int k = Interlocked.Increment(ref calls);
            o.Scaled = i.Features.Select(x => x + k).ToArray();
        }, contractName: null).Fit(data);
        Assert.ThrowsAny<XunitException>(() => Concurrency.AssertPredictionEnginesAgree<In, Out>(Ctx, shared, Rows, o => o.Scaled));
        Assert.ThrowsAny<XunitException>(() => Concurrency.AssertCursorsAgree(shared, data));
    }

    // ---- Cancellation ----

    private static int Train(CancellationToken token, TimeSpan total, TimeSpan checkEvery)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var lastCheck = TimeSpan.Zero;
        while (clock.Elapsed < total)
        {
            if (clock.Elapsed - lastCheck >= checkEvery)
            {
                token.ThrowIfCancellationRequested();
                lastCheck = clock.Elapsed;
            }
            Thread.Sleep(1);
        }
        return 42;
    }

    [Fact]
    public void Cancellation_passes_a_prompt_fit_and_fails_ignoring_slow_and_too_short_fits()
    {
        var after = TimeSpan.FromMilliseconds(100);
        Cancellation.AssertCancelsPromptly(t => Train(t, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(1)), after, TimeSpan.FromSeconds(2));
        Cancellation.AssertPreCancelledTokenStopsAtOnce(t => Train(t, TimeSpan.FromSeconds(20), TimeSpan.Zero));

        var e = Assert.ThrowsAny<XunitException>(() =>
            Cancellation.AssertCancelsPromptly(_ => Train(CancellationToken.None, TimeSpan.FromMilliseconds(400), TimeSpan.Zero), after, TimeSpan.FromSeconds(2)));
        Assert.Contains("returned a model", e.Message);
        e = Assert.ThrowsAny<XunitException>(() =>
            Cancellation.AssertCancelsPromptly(t => Train(t, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(1500)), after, TimeSpan.FromMilliseconds(300)));
        Assert.Contains("after cancellation; the limit is 300 ms", e.Message);
        e = Assert.ThrowsAny<XunitException>(() => Cancellation.AssertCancelsPromptly(_ => 1, after, TimeSpan.FromSeconds(1)));
        Assert.Contains("give it more work", e.Message);
        Assert.ThrowsAny<XunitException>(() => Cancellation.AssertPreCancelledTokenStopsAtOnce(_ => 1));
    }

    // ---- Bad data ----

    private static DataColumns Columns => new() { LabelColumn = BadData.LabelColumn, LabelTask = LabelTask.BinaryClassification };

    /// <summary>Sound: checks the data with the data layer, then min-max scales (finite for any finite input).</summary>
    private static ITransformer CarefulFit(IDataView data)
    {
        var summary = DataSummary.Compute(data, Columns);
        summary.ThrowIfEmpty();
        summary.ThrowIfSingleClass();
        return Ctx.Transforms.NormalizeMinMax("Scaled", "Features").Fit(data);
    }

    public sealed class In4
    {
        [VectorType(4)] public float[] Features { get; set; } = [];
    }

    public sealed class Out4
    {
        [VectorType(4)] public float[] Scaled { get; set; } = [];
    }

    /// <summary>Unsound: standardizes without guarding zero deviations or non-finite rows.</summary>
    private static ITransformer CarelessFit(IDataView data)
    {
        var summary = DataSummary.Compute(data, new DataColumns { NonFiniteRows = NonFiniteRowPolicy.Skip });
        var mean = summary.Features.Mean.ToArray();
        var std = summary.Features.StandardDeviation();
        return Ctx.Transforms.CustomMapping<In4, Out4>(
            (i, o) => o.Scaled = i.Features.Select((x, j) => (float)((x - mean[j]) / std[j])).ToArray(), contractName: null).Fit(data);
    }

    [Fact]
    public void Bad_data_matrix_passes_a_careful_fit_and_reports_silent_nan_crashes_and_vague_messages()
    {
        var clean = BadData.Clean(Ctx, 4, LabelTask.BinaryClassification);
        var cases = BadData.Cases(Ctx, 4, LabelTask.BinaryClassification);
        Assert.Equal(
            ["nan-feature", "positive-infinity-feature", "negative-infinity-feature", "constant-column", "all-zero-column",
             "all-zero-features", "features-of-1e30", "single-row", "empty", "single-class"],
            cases.Select(c => c.Name));
        BadData.AssertEachTrainsOrFailsClearly(cases, CarefulFit, clean);

        var constant = cases.Single(c => c.Name == "constant-column");
        var e = Assert.ThrowsAny<XunitException>(() => BadData.AssertTrainsOrFailsClearly(constant, CarelessFit, clean));
        Assert.Contains("non-finite output returned silently", e.Message);
        e = Assert.ThrowsAny<XunitException>(() => BadData.AssertTrainsOrFailsClearly(constant, _ => throw new NullReferenceException(), clean));
        Assert.Contains("crashed with NullReferenceException", e.Message);
        e = Assert.ThrowsAny<XunitException>(() => BadData.AssertTrainsOrFailsClearly(constant, _ => throw new InvalidOperationException("Bad data."), clean));
        Assert.Contains("names no column", e.Message);
    }

    [Fact]
    public void Bad_data_matrix_builds_every_label_kind()
    {
        foreach (LabelTask? task in new LabelTask?[] { null, LabelTask.BinaryClassification, LabelTask.MulticlassClassification, LabelTask.Regression })
        {
            var clean = BadData.Clean(Ctx, 3, task);
            var columns = new DataColumns { LabelColumn = task is null ? null : BadData.LabelColumn, LabelTask = task ?? LabelTask.Regression };
            var summary = DataSummary.Compute(clean, columns);
            Assert.Equal(64, summary.Pass.RowsUsed);
            if (task is LabelTask.BinaryClassification) Assert.Equal(2, summary.DistinctClasses);
            if (task is LabelTask.MulticlassClassification) Assert.Equal(3, summary.DistinctClasses);
            foreach (var c in BadData.Cases(Ctx, 3, task).Where(c => c.Name is "missing-label"))
                Assert.Contains("'Label'", Assert.Throws<InvalidOperationException>(() => DataSummary.Compute(c.Data, columns)).Message);
        }
    }

    // ---- Corrupt models ----

    private static (ITransformer Model, IDataView Data) SmallModel()
    {
        var data = Ctx.Data.LoadFromEnumerable(Rows);
        return (Ctx.Transforms.NormalizeMinMax("Scaled", "Features").Fit(data), data);
    }

    [Fact]
    public void Corrupt_ML_NET_zips_and_ONNX_bytes_fail_clearly_and_a_loader_that_ignores_damage_is_caught()
    {
        var (model, data) = SmallModel();
        using var zip = new MemoryStream();
        Ctx.Model.Save(model, data.Schema, zip);
        CorruptModels.AssertFailClearly(zip.ToArray(), bytes => new MLContext(seed: 1).Model.Load(new MemoryStream(bytes), out _));

        using var onnx = new MemoryStream();
        Ctx.Model.ConvertToOnnx(model, data, onnx);
        Ml.Relaxation.Tests.Onnx.OnnxChecker.CheckIfInstalled(onnx.ToArray());
        CorruptModels.AssertFailClearly(onnx.ToArray(), bytes => new InferenceSession(bytes).Dispose());

        var e = Assert.ThrowsAny<XunitException>(() => CorruptModels.AssertFailClearly(zip.ToArray(), _ => { }));
        Assert.Contains("truncated to empty (0 of", e.Message);
        Assert.Contains("loaded without error", e.Message);
        int calls = 0;
        e = Assert.ThrowsAny<XunitException>(() => CorruptModels.AssertFailClearly(zip.ToArray(), _ =>
        {
            if (calls++ > 0) throw new NullReferenceException();
        }));
        Assert.Contains("NullReferenceException", e.Message);
    }
}
