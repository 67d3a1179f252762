using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Data;

/// <summary>
/// A deterministic train/validation split that needs no memory: row <c>i</c> (its position in cursor order) goes to
/// validation when Philox draw number <c>i</c> of a dedicated stream under the seed is below the fraction. Both parts
/// make the same draw for a row, so they never overlap and together cover every row; the same seed gives the same
/// split on every pass and at any thread count.
/// </summary>
internal readonly struct RowSplit
{
    /// <summary>The random stream used for split draws, distinct from the shuffle stream.</summary>
    internal const ulong Stream = 0x53504C4954; // "SPLIT"

    private readonly RandomSource? _random;

    /// <summary>Creates a split sending about <paramref name="validationFraction"/> of the rows to validation.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1) or NaN.</exception>
    public RowSplit(ulong seed, double validationFraction)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "Expected a validation fraction in [0, 1).");
        ValidationFraction = validationFraction;
        _random = validationFraction > 0 ? new RandomSource(seed, Stream) : null;
    }

    /// <summary>The expected share of rows in the validation part.</summary>
    public double ValidationFraction { get; }

    /// <summary>Whether the row at cursor position <paramref name="position"/> belongs to the validation part.</summary>
    public bool IsValidation(long position)
    {
        if (_random is null) return false;
        Span<float> u = stackalloc float[1];
        _random.FillUniforms((ulong)position, u);
        return u[0] < ValidationFraction;
    }

    /// <summary>Whether the row at <paramref name="position"/> belongs to <paramref name="part"/>.</summary>
    public bool Contains(DataPart part, long position) => IsValidation(position) == (part == DataPart.Validation);
}
