using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Tests.Conformance;

namespace Ml.Relaxation.Tests.Reliability;

/// <summary>
/// One fitted transformer used from several threads at once gives what one thread gives.
/// </summary>
/// <remarks>
/// <code>
/// Concurrency.AssertPredictionEnginesAgree&lt;Input, Output&gt;(ctx, model, rows, o => o.Scaled);
/// Concurrency.AssertCursorsAgree(model, data);
/// </code>
/// Each thread makes its own <see cref="PredictionEngine{TSrc,TDst}"/> (an engine is single-threaded by contract; the
/// transformer must be shareable) or its own cursor over one <c>Transform</c> result; all threads start together at
/// a barrier and run several rounds, and every value must equal the single-threaded value exactly.
/// </remarks>
public static class Concurrency
{
    /// <summary>Fails unless <paramref name="threads"/> prediction engines, run at once, reproduce one engine's outputs exactly.</summary>
    /// <param name="context">The context to create the engines in.</param>
    /// <param name="model">The fitted transformer shared by all threads.</param>
    /// <param name="rows">Inputs to predict.</param>
    /// <param name="read">The output values to compare.</param>
    /// <param name="threads">Threads running at once.</param>
    /// <param name="rounds">Passes over <paramref name="rows"/> per thread.</param>
    /// <param name="inputSchema">The input's schema definition (e.g. to give a <c>float[]</c> its vector size), or null.</param>
    public static void AssertPredictionEnginesAgree<TIn, TOut>(MLContext context, ITransformer model, IReadOnlyList<TIn> rows,
        Func<TOut, float[]> read, int threads = 4, int rounds = 3, SchemaDefinition? inputSchema = null)
        where TIn : class
        where TOut : class, new()
    {
        PredictionEngine<TIn, TOut> Engine() => context.Model.CreatePredictionEngine<TIn, TOut>(model, inputSchemaDefinition: inputSchema);
        var engine = Engine();
        var expected = rows.Select(r => read(engine.Predict(r)).ToArray()).ToArray();
        var results = RunTogether(threads, () =>
        {
            var own = Engine();
            var all = new List<float[]>();
            for (int round = 0; round < rounds; round++)
                all.AddRange(rows.Select(r => read(own.Predict(r)).ToArray()));
            return all;
        });
        for (int t = 0; t < threads; t++)
            for (int i = 0; i < results[t].Count; i++)
            {
                var want = expected[i % rows.Count];
                Assert.True(want.SequenceEqual(results[t][i]),
                    $"Thread {t}, row {i % rows.Count} (round {i / rows.Count}): [{string.Join(", ", results[t][i])}] vs [{string.Join(", ", want)}] on one thread.");
            }
    }

    /// <summary>Fails unless cursors over one <c>Transform</c> result, on <paramref name="threads"/> threads at once, read the same numbers as one.</summary>
    public static void AssertCursorsAgree(ITransformer model, IDataView data, int threads = 4, int rounds = 3)
    {
        var transformed = model.Transform(data);
        var columns = transformed.Schema.Where(c => !c.IsHidden).Select(c => c.Name).Distinct().ToArray();
        var expected = ColumnValues.Numbers(transformed, columns).ToList();
        Assert.NotEmpty(expected);
        var results = RunTogether(threads, () =>
        {
            var all = new List<(long, string, double)>();
            for (int round = 0; round < rounds; round++) all.AddRange(ColumnValues.Numbers(transformed, columns));
            return all;
        });
        for (int t = 0; t < threads; t++)
            for (int i = 0; i < results[t].Count; i++)
            {
                var want = expected[i % expected.Count];
                var got = results[t][i];
                Assert.True(want.Row == got.Item1 && want.Column == got.Item2 && want.Value.Equals(got.Item3),
                    $"Thread {t}: row {got.Item1} column '{got.Item2}' read {got.Item3:R}; one thread read {want.Value:R} (row {want.Row}, '{want.Column}').");
            }
    }

    private static List<T>[] RunTogether<T>(int threads, Func<List<T>> work)
    {
        using var barrier = new Barrier(threads);
        var results = new List<T>[threads];
        var errors = new Exception?[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                barrier.SignalAndWait();
                results[t] = work();
            }
            catch (Exception e)
            {
                errors[t] = e;
            }
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        var first = errors.FirstOrDefault(e => e is not null);
        if (first is not null) throw new InvalidOperationException("A concurrent worker threw.", first);
        return results;
    }
}
