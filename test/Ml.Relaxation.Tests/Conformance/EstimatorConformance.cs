using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Relaxation.Tests.Conformance;

/// <summary>
/// Our replacement for ML.NET's unpublished <c>TestEstimatorCore</c> (Microsoft.ML.TestFramework): every estimator in
/// the library must pass it.
/// </summary>
/// <remarks>
/// <para>Use from an estimator's tests:</para>
/// <code>
/// var ctx = new MLContext(seed: 1);
/// EstimatorConformance.AssertConforms(ctx, ctx.Relaxation().SelectFeatures(...), fitData,
///     transformInput: otherValidData,                       // optional, e.g. without the label column
///     invalidInputs: [InvalidInput.Strict(dataWithoutFeatures), InvalidInput.WrongType(dataWithDoubleFeatures)]);
/// </code>
/// <para>Checks, in order (each failure is a <see cref="ConformanceDefect"/> named by <see cref="ConformanceChecks"/>):</para>
/// <list type="number">
/// <item><c>GetOutputSchema</c> on the valid input's shape works; on every invalid input both <c>GetOutputSchema</c>
/// and <c>Fit</c> throw <see cref="ArgumentOutOfRangeException"/> or <see cref="InvalidOperationException"/>.</item>
/// <item><c>Fit</c>, <c>mlContext.Model.Save</c>, <c>Load</c> in a fresh <see cref="MLContext"/>; the loaded input
/// schema equals the original.</item>
/// <item>For each valid input, on the original and the loaded transformer: if <c>IsRowToRowMapper</c>, the mapper's
/// input schema is the data's and its output schema equals <c>GetOutputSchema</c>, and its row values equal
/// <c>Transform</c>'s; otherwise <c>GetRowToRowMapper</c> throws <see cref="InvalidOperationException"/>. Output
/// schemas of both transformers and of both <c>Transform</c> results are the same (columns, names, indices, types,
/// SlotNames and KeyValues annotations; an unknown annotation kind is absent).</item>
/// <item>Values of the original output, a second original pass and the loaded output are equal (floats within 1e-6,
/// doubles 1e-9), with equal row counts and row ids, over four cursor passes: all columns, even columns, odd columns,
/// one column at a time.</item>
/// <item>Every invalid input makes the original and the loaded transformer throw: from <c>Transform</c> (or at the
/// latest its first cursor row) and from <c>GetOutputSchema</c> (unless <see cref="InvalidInput.TransformerSchemaMayAccept"/>).</item>
/// <item>What the estimator promised matches what the fitted transformer delivers: the same visible columns by name
/// both ways, each with the same vector kind, item type, key-ness and annotations.</item>
/// </list>
/// </remarks>
public static class EstimatorConformance
{
    /// <summary>Runs every check and fails the test with the list of defects if there is any.</summary>
    public static void AssertConforms<TTransformer>(MLContext context, IEstimator<TTransformer> estimator, IDataView fitInput,
        IDataView? transformInput = null, IEnumerable<InvalidInput>? invalidInputs = null)
        where TTransformer : class, ITransformer
    {
        var report = Run(context, estimator, fitInput, transformInput, invalidInputs);
        Assert.True(report.Defects.Count == 0, $"The estimator does not conform:{Environment.NewLine}{report}");
    }

    /// <summary>Runs every check and returns the defects found (empty when the estimator conforms).</summary>
    /// <param name="context">The context to save models from; loading uses a fresh one.</param>
    /// <param name="estimator">The estimator under test.</param>
    /// <param name="fitInput">Valid training data.</param>
    /// <param name="transformInput">Other valid data to transform (e.g. without a label), or null.</param>
    /// <param name="invalidInputs">Data the estimator must reject (wrong column types, missing columns).</param>
    public static ConformanceReport Run<TTransformer>(MLContext context, IEstimator<TTransformer> estimator, IDataView fitInput,
        IDataView? transformInput = null, IEnumerable<InvalidInput>? invalidInputs = null)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(fitInput);
        var report = new ConformanceReport();
        var valid = transformInput is null ? new[] { fitInput } : [fitInput, transformInput];
        var invalid = invalidInputs?.ToArray() ?? [];

        // 1. The estimator on valid and invalid inputs.
        SchemaShape? promised = Attempt(report, ConformanceChecks.OutputSchemaOnValidInput, "GetOutputSchema on the valid input",
            () => estimator.GetOutputSchema(Shapes.Of(fitInput.Schema)));
        for (int i = 0; i < invalid.Length; i++)
        {
            var bad = invalid[i].Data;
            ExpectRejection(report, ConformanceChecks.InvalidInputOnEstimator, $"estimator GetOutputSchema on {Describe(i, bad)}",
                () => estimator.GetOutputSchema(Shapes.Of(bad.Schema)));
            ExpectRejection(report, ConformanceChecks.InvalidInputOnEstimator, $"estimator Fit on {Describe(i, bad)}", () => estimator.Fit(bad));
        }

        // 2. Fit, save, load in a fresh context.
        var fitted = Attempt(report, ConformanceChecks.Fit, "Fit on the valid input", () => estimator.Fit(fitInput));
        if (fitted is null) return report;
        var loaded = SaveAndLoad(context, fitted, fitInput.Schema, report);
        // Transformers holding native or file resources (ML.NET's OnnxTransformer keeps a temporary file) are released at the end.
        using var disposeFitted = fitted as IDisposable;
        using var disposeLoaded = loaded as IDisposable;

        // 6. Promised vs delivered.
        if (promised is not null)
        {
            var delivered = Attempt(report, ConformanceChecks.OutputSchemas, "transformer GetOutputSchema on the valid input",
                () => fitted.GetOutputSchema(fitInput.Schema));
            if (delivered is not null)
                foreach (var d in SchemaComparison.PromiseDifferences(promised, delivered))
                    report.Add(ConformanceChecks.PromisedSchema, d);
        }

        // 3 and 4. Mappers, schemas and values for each valid input.
        for (int v = 0; v < valid.Length; v++)
        {
            string input = v == 0 ? "the fit input" : "the transform input";
            CheckMapper(report, fitted, valid[v], $"original transformer on {input}");
            if (loaded is not null) CheckMapper(report, loaded, valid[v], $"loaded transformer on {input}");
            CheckOutputs(report, fitted, loaded, valid[v], input);
        }

        // 5. Invalid inputs on the fitted and loaded transformers.
        for (int i = 0; i < invalid.Length; i++)
        {
            var bad = invalid[i].Data;
            foreach (var (which, transformer) in new[] { ("original", (ITransformer?)fitted), ("loaded", loaded) })
            {
                if (transformer is null) continue;
                if (!invalid[i].TransformerSchemaMayAccept)
                    ExpectRejection(report, ConformanceChecks.InvalidInputOnTransformer, $"{which} transformer GetOutputSchema on {Describe(i, bad)}",
                        () => transformer.GetOutputSchema(bad.Schema));
                ExpectRejection(report, ConformanceChecks.InvalidInputOnTransformer, $"{which} transformer Transform on {Describe(i, bad)}",
                    () => ReadFirstRow(transformer.Transform(bad)));
            }
        }
        return report;
    }

    private static ITransformer? SaveAndLoad(MLContext context, ITransformer fitted, DataViewSchema inputSchema, ConformanceReport report)
    {
        using var stream = new MemoryStream();
        try
        {
            context.Model.Save(fitted, inputSchema, stream);
        }
        catch (Exception e)
        {
            report.Add(ConformanceChecks.SaveLoad, $"Model.Save threw {e.GetType().Name}: {e.Message}");
            return null;
        }
        stream.Position = 0;
        try
        {
            var loaded = new MLContext(seed: 12345).Model.Load(stream, out var loadedSchema);
            foreach (var d in SchemaComparison.Differences(inputSchema, loadedSchema))
                report.Add(ConformanceChecks.SaveLoad, $"loaded input schema: {d}");
            return loaded;
        }
        catch (Exception e)
        {
            report.Add(ConformanceChecks.SaveLoad, $"Model.Load in a fresh MLContext threw {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private static void CheckMapper(ConformanceReport report, ITransformer transformer, IDataView data, string which)
    {
        const string check = ConformanceChecks.RowToRowMapper;
        if (!transformer.IsRowToRowMapper)
        {
            try
            {
                transformer.GetRowToRowMapper(data.Schema);
                report.Add(check, $"{which}: IsRowToRowMapper is false but GetRowToRowMapper did not throw");
            }
            catch (InvalidOperationException) { }
            catch (Exception e)
            {
                report.Add(check, $"{which}: GetRowToRowMapper threw {e.GetType().Name}, expected InvalidOperationException");
            }
            return;
        }
        IRowToRowMapper mapper;
        try
        {
            mapper = transformer.GetRowToRowMapper(data.Schema);
        }
        catch (Exception e)
        {
            report.Add(check, $"{which}: IsRowToRowMapper is true but GetRowToRowMapper threw {e.GetType().Name}: {e.Message}");
            return;
        }
        foreach (var d in SchemaComparison.Differences(data.Schema, mapper.InputSchema))
            report.Add(check, $"{which}: mapper input schema vs the data's: {d}");
        try
        {
            foreach (var d in SchemaComparison.Differences(transformer.GetOutputSchema(data.Schema), mapper.OutputSchema))
                report.Add(check, $"{which}: mapper output schema vs GetOutputSchema: {d}");
            CompareMapperWithTransform(report, transformer, mapper, data, which);
        }
        catch (Exception e)
        {
            report.Add(ConformanceChecks.RowToRowMapperValues, $"{which}: mapping rows threw {e.GetType().Name}: {e.Message}");
        }
    }

    private static void CompareMapperWithTransform(ConformanceReport report, ITransformer transformer, IRowToRowMapper mapper, IDataView data, string which)
    {
        var transformed = transformer.Transform(data);
        var outputs = mapper.OutputSchema;
        if (SchemaComparison.Differences(outputs, transformed.Schema).Count > 0) return; // reported as a schema defect
        using var input = data.GetRowCursor(data.Schema);
        using var mappedRow = mapper.GetRow(input, outputs);
        using var expected = transformed.GetRowCursor(transformed.Schema);
        var mappedGetters = outputs.Select(c => ColumnValues.Getter(mappedRow, c)).ToArray();
        var expectedGetters = transformed.Schema.Select(c => ColumnValues.Getter(expected, c)).ToArray();
        long row = 0;
        while (input.MoveNext())
        {
            if (!expected.MoveNext())
            {
                report.Add(ConformanceChecks.RowToRowMapperValues, $"{which}: Transform has fewer rows than the input ({row})");
                return;
            }
            for (int c = 0; c < outputs.Count; c++)
                if (!ColumnValues.Same(mappedGetters[c](), expectedGetters[c](), out var why))
                {
                    report.Add(ConformanceChecks.RowToRowMapperValues, $"{which}: row {row} column '{outputs[c].Name}': mapper vs Transform {why}");
                    return;
                }
            row++;
        }
    }

    private static void CheckOutputs(ConformanceReport report, ITransformer fitted, ITransformer? loaded, IDataView data, string input)
    {
        const string check = ConformanceChecks.OutputSchemas;
        var promised = Attempt(report, check, $"original GetOutputSchema on {input}", () => fitted.GetOutputSchema(data.Schema));
        var original = Attempt(report, check, $"original Transform on {input}", () => fitted.Transform(data));
        if (promised is null || original is null) return;
        foreach (var d in SchemaComparison.Differences(promised, original.Schema))
            report.Add(check, $"{input}: original GetOutputSchema vs Transform: {d}");
        CompareValues(report, original, fitted.Transform(data), $"{input}: two passes of the original transformer");
        if (loaded is null) return;
        var loadedPromised = Attempt(report, check, $"loaded GetOutputSchema on {input}", () => loaded.GetOutputSchema(data.Schema));
        var loadedOutput = Attempt(report, check, $"loaded Transform on {input}", () => loaded.Transform(data));
        if (loadedPromised is null || loadedOutput is null) return;
        var diffs = SchemaComparison.Differences(promised, loadedPromised)
            .Select(d => $"{input}: original vs loaded GetOutputSchema: {d}")
            .Concat(SchemaComparison.Differences(original.Schema, loadedOutput.Schema).Select(d => $"{input}: original vs loaded Transform schema: {d}"))
            .ToList();
        foreach (var d in diffs) report.Add(check, d);
        if (diffs.Count == 0) CompareValues(report, original, loadedOutput, $"{input}: original vs loaded");
    }

    /// <summary>Four cursor passes (all, even, odd, each single column), comparing values, row counts and row ids.</summary>
    private static void CompareValues(ConformanceReport report, IDataView expected, IDataView actual, string what)
    {
        int n = expected.Schema.Count;
        var passes = new List<(string Name, int[] Columns)>
        {
            ("all columns", Enumerable.Range(0, n).ToArray()),
            ("even columns", Enumerable.Range(0, n).Where(i => i % 2 == 0).ToArray()),
            ("odd columns", Enumerable.Range(0, n).Where(i => i % 2 == 1).ToArray()),
        };
        passes.AddRange(Enumerable.Range(0, n).Select(i => ($"column {i} alone", new[] { i })));
        foreach (var (name, columns) in passes)
        {
            try
            {
                string? defect = ComparePass(expected, actual, columns);
                if (defect is not null)
                {
                    report.Add(ConformanceChecks.Values, $"{what}, pass over {name}: {defect}");
                    return;
                }
            }
            catch (Exception e)
            {
                report.Add(ConformanceChecks.Values, $"{what}, pass over {name}: threw {e.GetType().Name}: {e.Message}");
                return;
            }
        }
    }

    private static string? ComparePass(IDataView expected, IDataView actual, int[] columns)
    {
        var ec = columns.Select(i => expected.Schema[i]).ToArray();
        var ac = columns.Select(i => actual.Schema[i]).ToArray();
        using var e = expected.GetRowCursor(ec);
        using var a = actual.GetRowCursor(ac);
        var eg = ec.Select(c => ColumnValues.Getter(e, c)).ToArray();
        var ag = ac.Select(c => ColumnValues.Getter(a, c)).ToArray();
        var eid = e.GetIdGetter();
        var aid = a.GetIdGetter();
        long rows = 0;
        while (true)
        {
            bool em = e.MoveNext(), am = a.MoveNext();
            if (em != am) return $"row counts differ: one side ended after {rows} rows";
            if (!em) return null;
            DataViewRowId x = default, y = default;
            eid(ref x);
            aid(ref y);
            if (!x.Equals(y)) return $"row {rows}: row ids {x} vs {y}";
            for (int c = 0; c < ec.Length; c++)
                if (!ColumnValues.Same(eg[c](), ag[c](), out var why))
                    return $"row {rows} column '{ec[c].Name}': {why}";
            rows++;
        }
    }

    private static void ReadFirstRow(IDataView data)
    {
        using var cursor = data.GetRowCursor(data.Schema);
        if (!cursor.MoveNext()) return;
        foreach (var column in data.Schema) ColumnValues.Getter(cursor, column)();
    }

    private static T? Attempt<T>(ConformanceReport report, string check, string what, Func<T> action) where T : class
    {
        try
        {
            return action();
        }
        catch (Exception e)
        {
            report.Add(check, $"{what} threw {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private static void ExpectRejection(ConformanceReport report, string check, string what, Action action)
    {
        try
        {
            action();
            report.Add(check, $"{what} did not throw");
        }
        catch (ArgumentOutOfRangeException) { }
        catch (InvalidOperationException) { }
        catch (Exception e)
        {
            report.Add(check, $"{what} threw {e.GetType().Name} ({e.Message}); expected ArgumentOutOfRangeException or InvalidOperationException");
        }
    }

    private static string Describe(int index, IDataView data) =>
        $"invalid input #{index} ({string.Join(", ", data.Schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}"))})";
}
