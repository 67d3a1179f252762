using Microsoft.ML;
using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.MLNet.Data;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.MLNet.FeatureSelection;

/// <summary>
/// The training rows the stability fits draw their half-samples from, held in memory: every row of the training part
/// when they fit in <see cref="MaxFloats"/> feature values, else a uniform random sample of that many values' rows
/// (reservoir sampling, Vitter's algorithm R, in one cursor pass). Stability selection needs no more: its fits are
/// on half-samples anyway, and a slot that matters shows in a sample of this size.
/// </summary>
internal static class StabilitySample
{
    /// <summary>The most feature values held: 16,777,216 floats (64 MB), e.g. 167,772 rows of 100 slots.</summary>
    public const long MaxFloats = 1L << 24;

    /// <summary>The random stream the reservoir's draws derive from.</summary>
    private const ulong ReservoirStream = 0x52455345525645; // "RESERVE"

    /// <summary>
    /// Reads the sample of the training part of <paramref name="data"/>: [rows x slots] features and [rows x 1] targets.
    /// <paramref name="expectedRows"/> (the training rows a previous pass counted) sizes the buffers once.
    /// </summary>
    public static (Matrix Features, Matrix Targets) Read(IDataView data, DataColumns columns, int slots, long expectedRows,
        long maxFloats = MaxFloats)
    {
        int capacity = (int)Math.Clamp(maxFloats / Math.Max(1, slots), 2, int.MaxValue / Math.Max(1, slots));
        using var reader = new RowReader(data, columns, columns.Split, DataPart.Training);
        var rng = new RandomSource(columns.Seed, ReservoirStream);
        var row = new float[slots];
        var target = new float[1];
        int room = (int)Math.Clamp(expectedRows, 1, capacity);
        float[] features = new float[(long)room * slots], targets = new float[room];
        long seen = 0;
        while (reader.TryReadNext(row, target))
        {
            int at;
            if (seen < capacity)
            {
                at = (int)seen;
                if (at >= targets.Length) // more rows than counted before: grow (not expected)
                {
                    room = (int)Math.Min(capacity, 2L * room);
                    Array.Resize(ref features, room * slots);
                    Array.Resize(ref targets, room);
                }
            }
            else
            {
                // row number `seen` replaces a uniformly drawn held row with probability capacity / (seen + 1)
                long draw = Math.Min((long)(rng.NextDouble() * (seen + 1)), seen);
                at = draw < capacity ? (int)draw : -1;
            }
            if (at >= 0)
            {
                row.CopyTo(features.AsSpan(at * slots, slots));
                targets[at] = target[0];
            }
            seen++;
        }
        int rows = (int)Math.Min(seen, capacity);
        // the arrays may hold room for more rows than were read: the matrices use their first rows only
        return (new Matrix(features, rows, slots), new Matrix(targets, rows, 1));
    }
}
