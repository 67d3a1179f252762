namespace Ml.Relaxation.Onnx.Runtime;

/// <summary>The outputs of one scored batch, by name: row-major values (rows x the output's row width) and their shape.</summary>
public sealed class OnnxScores
{
    private readonly Dictionary<string, (Array Values, long[] Shape)> _outputs;

    internal OnnxScores(int rows, Dictionary<string, (Array Values, long[] Shape)> outputs)
    {
        Rows = rows;
        _outputs = outputs;
    }

    /// <summary>Rows scored.</summary>
    public int Rows { get; }

    /// <summary>The names of the outputs held.</summary>
    public IReadOnlyCollection<string> Names => _outputs.Keys;

    /// <summary>The values of output <paramref name="name"/>, typed as the model declares them.</summary>
    /// <exception cref="KeyNotFoundException">No such output was computed; the message lists those that were.</exception>
    /// <exception cref="InvalidCastException">The output holds another element type; the message says which.</exception>
    public T[] Get<T>(string name)
    {
        Array values = Find(name).Values;
        return values as T[] ?? throw new InvalidCastException(
            $"Output '{name}' holds {values.GetType().GetElementType()!.Name} values, not {typeof(T).Name}.");
    }

    /// <summary>The shape of output <paramref name="name"/> for this batch.</summary>
    public IReadOnlyList<long> Shape(string name) => Find(name).Shape;

    private (Array Values, long[] Shape) Find(string name) => _outputs.TryGetValue(name, out var output)
        ? output
        : throw new KeyNotFoundException($"No output named '{name}' was computed; outputs: {string.Join(", ", _outputs.Keys.Select(k => $"'{k}'"))}.");
}
