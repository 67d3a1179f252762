using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Relaxation.MLNet.Data;

namespace Ml.Relaxation.Tests.Conformance;

/// <summary>The one defect a <see cref="ProbeEstimator"/> is built with, to prove the kit reports it.</summary>
public enum ProbeDefect
{
    /// <summary>A correct estimator: validates its input, composes built-ins, saves what it uses.</summary>
    None,
    /// <summary>Accepts a Double feature vector although the contract needs Single.</summary>
    DoesNotValidate,
    /// <summary>Rejects bad input with a plain <see cref="ArgumentException"/>.</summary>
    WrongExceptionType,
    /// <summary>Promises a column under another name than it delivers.</summary>
    PromisesOtherColumn,
    /// <summary>Promises Double where it delivers Single.</summary>
    PromisesOtherType,
    /// <summary>Its transformer cannot be saved.</summary>
    CannotSave,
    /// <summary>Saves other parameters than it uses: the reloaded model computes other values.</summary>
    SavesOtherState,
    /// <summary>Says it is a row-to-row mapper but cannot give one.</summary>
    ClaimsMapperButHasNone,
    /// <summary>Gives different values on every Transform call.</summary>
    UnstableValues,
}

/// <summary>
/// A test-only estimator that min-max scales <c>Features</c> (a known-size vector of Single) into <c>Scaled</c> through
/// the built-in normalizer, with one deliberate <see cref="ProbeDefect"/>.
/// </summary>
public sealed class ProbeEstimator(MLContext context, ProbeDefect defect) : IEstimator<ITransformer>
{
    private readonly IHost _host = ((IHostEnvironment)context).Register(nameof(ProbeEstimator));

    private IEstimator<ITransformer> BuiltIn => context.Transforms.NormalizeMinMax("Scaled", "Features");

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (defect == ProbeDefect.WrongExceptionType && !IsValid(inputSchema)) throw new ArgumentException("Bad input.");
        if (defect != ProbeDefect.DoesNotValidate) ColumnValidation.CheckFeatureColumn(inputSchema, "Features", _host);
        return defect switch
        {
            ProbeDefect.PromisesOtherColumn => context.Transforms.NormalizeMinMax("Normalized", "Features").GetOutputSchema(inputSchema),
            ProbeDefect.PromisesOtherType => context.Transforms.Conversion.ConvertType("Scaled", "Features", DataKind.Double).GetOutputSchema(inputSchema),
            _ => BuiltIn.GetOutputSchema(inputSchema),
        };
    }

    /// <inheritdoc />
    public ITransformer Fit(IDataView input)
    {
        if (defect == ProbeDefect.WrongExceptionType && !IsValid(Shapes.Of(input.Schema))) throw new ArgumentException("Bad input.");
        if (defect != ProbeDefect.DoesNotValidate) ColumnValidation.CheckFeatureColumn(input.Schema, "Features", _host);
        var used = BuiltIn.Fit(input);
        return defect switch
        {
            ProbeDefect.CannotSave or ProbeDefect.ClaimsMapperButHasNone => new ProbeTransformer(used, used, defect),
            ProbeDefect.SavesOtherState or ProbeDefect.UnstableValues => new ProbeTransformer(used, BuiltIn.Fit(context.Data.TakeRows(input, 2)), defect),
            _ => used,
        };
    }

    private static bool IsValid(SchemaShape shape)
    {
        try
        {
            ColumnValidation.CheckFeatureColumn(shape, "Features");
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Forwards to a built-in transformer (<paramref name="used"/>), saving <paramref name="saved"/>, with the defect.</summary>
    private sealed class ProbeTransformer(ITransformer used, ITransformer saved, ProbeDefect defect) : ITransformer
    {
        private int _calls;

        public bool IsRowToRowMapper => defect == ProbeDefect.ClaimsMapperButHasNone || used.IsRowToRowMapper;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => used.GetOutputSchema(inputSchema);

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
            defect == ProbeDefect.ClaimsMapperButHasNone
                ? throw new NotSupportedException("No mapper.")
                : (defect == ProbeDefect.UnstableValues && ++_calls % 2 == 0 ? saved : used).GetRowToRowMapper(inputSchema);

        public void Save(ModelSaveContext ctx)
        {
            if (defect == ProbeDefect.CannotSave) throw new NotSupportedException("This probe cannot be saved.");
            saved.Save(ctx);
        }

        public IDataView Transform(IDataView input) =>
            (defect == ProbeDefect.UnstableValues && ++_calls % 2 == 0 ? saved : used).Transform(input);
    }
}
