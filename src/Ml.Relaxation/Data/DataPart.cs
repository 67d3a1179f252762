namespace Ml.Relaxation.Data;

/// <summary>Which side of a <see cref="RowSplit"/> a source or summary reads.</summary>
internal enum DataPart
{
    /// <summary>The rows not drawn for validation.</summary>
    Training,

    /// <summary>The rows drawn for validation.</summary>
    Validation,
}
