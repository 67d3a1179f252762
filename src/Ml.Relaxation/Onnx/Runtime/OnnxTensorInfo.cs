namespace Ml.Relaxation.Onnx.Runtime;

/// <summary>A named input or output of a model.</summary>
/// <param name="Name">The name.</param>
/// <param name="ElementType">The .NET element type (<see cref="float"/>, <see cref="long"/>, <see cref="bool"/>, ...).</param>
/// <param name="Dimensions">The declared shape; -1 where a dimension is free (the batch dimension first).</param>
public sealed record OnnxTensorInfo(string Name, Type ElementType, IReadOnlyList<long> Dimensions)
{
    /// <summary>Values per row: the product of the declared dimensions after the first, 1 for a rank-1 tensor; -1 if one of them is free.</summary>
    public long RowWidth => Dimensions.Skip(1).Aggregate(1L, (width, d) => d < 0 || width < 0 ? -1 : width * d);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {ElementType.Name}[{string.Join(", ", Dimensions.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}
