using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ml.Relaxation.Samples.Output;

/// <summary>
/// How summaries are written as JSON (<c>summary.json</c> and <c>--json</c>): camelCase names, indented, nulls left
/// out, and an undefined number (NaN or infinite, such as a loss without validation rows) written as null.
/// </summary>
internal static class SummaryJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new FiniteDoubleConverter(), new FiniteSingleConverter() },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>A number JSON can hold: NaN and infinities (an undefined metric) become null.</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    private sealed class FiniteSingleConverter : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? float.NaN : reader.GetSingle();

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}

/// <summary>The data a job ran on.</summary>
/// <param name="Source">A path or an embedded data set.</param>
/// <param name="Rows">Rows used (after skipped ones).</param>
/// <param name="RowsSkipped">Rows left out for missing values (<c>--skip-missing</c>).</param>
/// <param name="TrainingRows">Rows the models were fitted on.</param>
/// <param name="TestRows">Rows held out to measure them.</param>
/// <param name="Features">Feature columns.</param>
/// <param name="Label">The label column, when the job uses one.</param>
/// <param name="Task">binary, multiclass or regression, when the job uses a label.</param>
/// <param name="Classes">The class names (binary: negative then positive).</param>
/// <param name="TaskNote">How the task was inferred, when <c>--task</c> was not given.</param>
internal sealed record DataSummary(string Source, int Rows, int RowsSkipped, int TrainingRows, int TestRows, int Features,
    string? Label = null, string? Task = null, IReadOnlyList<string>? Classes = null, string? TaskNote = null);
