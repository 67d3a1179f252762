using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ml.Relaxation.Onnx.Runtime;

/// <summary>
/// One named input of a batch: row-major values for all rows (rows x the input's row width). Numeric and Boolean
/// values are read in place, not copied (strings are copied); do not change them while
/// <see cref="OnnxScorer.Score(int, OnnxInput[])"/> runs.
/// </summary>
public readonly struct OnnxInput
{
    private readonly Func<long[], OrtValue> _create;

    private OnnxInput(string name, Type elementType, int length, Func<long[], OrtValue> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        ElementType = elementType;
        Length = length;
        _create = create;
    }

    /// <summary>The input's name in the model.</summary>
    public string Name { get; }

    /// <summary>The element type of the values.</summary>
    public Type ElementType { get; }

    /// <summary>Number of values.</summary>
    public int Length { get; }

    /// <summary>Float values.</summary>
    public static OnnxInput Of(string name, float[] values) => Create(name, values);

    /// <summary>Double values.</summary>
    public static OnnxInput Of(string name, double[] values) => Create(name, values);

    /// <summary>Int64 values (for instance key or count columns).</summary>
    public static OnnxInput Of(string name, long[] values) => Create(name, values);

    /// <summary>Int32 values.</summary>
    public static OnnxInput Of(string name, int[] values) => Create(name, values);

    /// <summary>Boolean values (for instance an ML.NET pipeline's Boolean label column).</summary>
    public static OnnxInput Of(string name, bool[] values) => Create(name, values);

    /// <summary>UInt32 values: ML.NET exports a key column (for instance a multiclass label loaded as a key) as UInt32.</summary>
    public static OnnxInput Of(string name, uint[] values) => Create(name, values);

    /// <summary>String values (for instance a text label column that the pipeline maps to a key).</summary>
    public static OnnxInput Of(string name, string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Array.IndexOf(values, null) is var i and >= 0)
            throw new ArgumentException($"Input '{name}' holds a null string at index {i}; ONNX string tensors need a value (\"\" for none).", nameof(values));
        return new OnnxInput(name, typeof(string), values.Length,
            shape => OrtValue.CreateFromStringTensor(new DenseTensor<string>(values, Array.ConvertAll(shape, d => checked((int)d)))));
    }

    /// <summary>Wraps the values as an ONNX Runtime tensor of <paramref name="shape"/> without copying them.</summary>
    internal OrtValue ToOrtValue(long[] shape) => _create(shape);

    private static OnnxInput Create<T>(string name, T[] values) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        return new OnnxInput(name, typeof(T), values.Length, shape => OrtValue.CreateTensorValueFromMemory(values, shape));
    }
}
