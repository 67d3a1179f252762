using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>Data sets for the gated selector tests: synthetic with known relevant slots, and breast cancer.</summary>
internal static class SelectionData
{
    public sealed class Row<TLabel>
    {
        public float[] Features { get; set; } = [];
        public TLabel Label { get; set; } = default!;
    }

    /// <summary>An in-memory view with a known-size feature vector, optional slot names and the label's type overridden if given.</summary>
    public static IDataView View<TLabel>(MLContext ml, float[][] x, TLabel[] y, string[]? slotNames = null, DataViewType? labelType = null)
    {
        var def = SchemaDefinition.Create(typeof(Row<TLabel>));
        def["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, x[0].Length);
        if (slotNames is not null)
        {
            var names = new VBuffer<ReadOnlyMemory<char>>(slotNames.Length, [.. slotNames.Select(s => s.AsMemory())]);
            def["Features"].AddAnnotation("SlotNames", names,
                new VectorDataViewType(TextDataViewType.Instance, slotNames.Length));
        }
        if (labelType is not null) def["Label"].ColumnType = labelType;
        // Fresh copies on every pass: ML.NET may wrap a row's array in a VBuffer that a downstream transform reuses.
        return ml.Data.LoadFromEnumerable(x.Select((f, i) => new Row<TLabel> { Features = (float[])f.Clone(), Label = y[i] }), def);
    }

    /// <summary>
    /// n rows of d independent N(0, 1) slots; 5 relevant slots at seeded random positions: three act linearly and two
    /// only through an XOR-like interaction, <c>logit = 1.5 (x_a + x_b - x_c) + 3 sign(x_d x_e)</c>, label ~ Bernoulli.
    /// </summary>
    public static (float[][] X, bool[] Y, int[] Relevant) LinearAndXor(int n, int d, ulong seed)
    {
        var rng = new RandomSource(seed, stream: 7);
        int[] slots = [.. Enumerable.Range(0, d)];
        rng.Shuffle(slots.AsSpan());
        int[] relevant = slots[..5];
        var x = new float[n][];
        var y = new bool[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = Normals(rng, d);
            float[] r = x[i];
            float logit = 1.5f * (r[relevant[0]] + r[relevant[1]] - r[relevant[2]]) + 3f * MathF.Sign(r[relevant[3]] * r[relevant[4]]);
            y[i] = rng.NextUniform() < 1f / (1f + MathF.Exp(-logit));
        }
        Array.Sort(relevant);
        return (x, y, relevant);
    }

    /// <summary>
    /// n rows of d N(0, 1) slots with redundancy: two informative slots a and b (<c>logit = 2 (a - b)</c>) and four
    /// relevant slots that only repeat them: <c>a + 0.3 e1</c>, <c>a + 0.3 e2</c>, <c>(a + b) / sqrt 2 + 0.3 e3</c>,
    /// <c>b + 0.3 e4</c>. A minimal set needs two of the six; all six are relevant. Positions are seeded.
    /// </summary>
    public static (float[][] X, bool[] Y, int[] Relevant) RedundantCopies(int n, int d, ulong seed)
    {
        var rng = new RandomSource(seed, stream: 8);
        int[] slots = [.. Enumerable.Range(0, d)];
        rng.Shuffle(slots.AsSpan());
        int[] relevant = slots[..6];
        var x = new float[n][];
        var y = new bool[n];
        for (int i = 0; i < n; i++)
        {
            float[] r = x[i] = Normals(rng, d);
            float a = r[relevant[0]], b = r[relevant[1]];
            r[relevant[2]] = a + 0.3f * r[relevant[2]];
            r[relevant[3]] = a + 0.3f * r[relevant[3]];
            r[relevant[4]] = (a + b) / MathF.Sqrt(2f) + 0.3f * r[relevant[4]];
            r[relevant[5]] = b + 0.3f * r[relevant[5]];
            y[i] = rng.NextUniform() < 1f / (1f + MathF.Exp(-2f * (a - b)));
        }
        Array.Sort(relevant);
        return (x, y, relevant);
    }

    /// <summary>
    /// One small batch for the plain models' tests: <paramref name="rows"/> rows of N(0, 1) slots (seed 21) and targets
    /// by task: alternating 0/1, classes 0, 1, 2 in turn, or <c>2 x0 - x3 + 0.5</c> (so at least 4 slots).
    /// </summary>
    public static (Matrix Features, Matrix Targets) Batch(LabelTask task, int rows, int slots)
    {
        var rng = new RandomSource(21);
        var features = new Matrix(rows, slots);
        var targets = new Matrix(rows, 1);
        for (int r = 0; r < rows; r++)
        {
            Normals(rng, slots).CopyTo(features.Row(r));
            targets[r, 0] = task switch
            {
                LabelTask.BinaryClassification => r % 2,
                LabelTask.MulticlassClassification => r % 3,
                _ => 2f * features[r, 0] - features[r, 3] + 0.5f,
            };
        }
        return (features, targets);
    }

    /// <summary>The slots of <see cref="RedundantCopies"/> for the same d and seed, by role: a, b, a', a'', (a + b) / sqrt 2, b'.</summary>
    public static int[] RedundantCopyRoles(int d, ulong seed)
    {
        var rng = new RandomSource(seed, stream: 8);
        int[] slots = [.. Enumerable.Range(0, d)];
        rng.Shuffle(slots.AsSpan());
        return slots[..6];
    }

    /// <summary>
    /// n rows of d N(0, 1) slots where the label depends on interactions only, so no single slot reveals it: an XOR of
    /// two slots and the pairwise products of three, <c>logit = 3 sign(x_a x_b) + 1.5 (x_c x_d + x_d x_e + x_c x_e)</c>.
    /// </summary>
    public static (float[][] X, bool[] Y, int[] Relevant) Interactions(int n, int d, ulong seed)
    {
        var rng = new RandomSource(seed, stream: 9);
        int[] slots = [.. Enumerable.Range(0, d)];
        rng.Shuffle(slots.AsSpan());
        int[] relevant = slots[..5];
        var x = new float[n][];
        var y = new bool[n];
        for (int i = 0; i < n; i++)
        {
            float[] r = x[i] = Normals(rng, d);
            float c = r[relevant[2]], e = r[relevant[3]], f = r[relevant[4]];
            float logit = 3f * MathF.Sign(r[relevant[0]] * r[relevant[1]]) + 1.5f * (c * e + e * f + c * f);
            y[i] = rng.NextUniform() < 1f / (1f + MathF.Exp(-logit));
        }
        Array.Sort(relevant);
        return (x, y, relevant);
    }

    /// <summary>d independent N(0, 1) values (Box-Muller).</summary>
    public static float[] Normals(RandomSource rng, int d)
    {
        var values = new float[d];
        for (int j = 0; j < d; j += 2)
        {
            double u1 = rng.NextDouble(), u2 = rng.NextDouble();
            double radius = Math.Sqrt(-2 * Math.Log(u1));
            values[j] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (j + 1 < d) values[j + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
        }
        return values;
    }

    /// <summary>The breast cancer data (569 rows, 30 named slots, Label 1 = malignant) from the test's Data folder.</summary>
    public static (float[][] X, bool[] Y, string[] Names) BreastCancer()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "breast_cancer.csv"));
        string[] names = lines[0].Split(',')[..^1];
        var x = new float[lines.Length - 1][];
        var y = new bool[lines.Length - 1];
        for (int i = 1; i < lines.Length; i++)
        {
            float[] values = [.. lines[i].Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
            x[i - 1] = values[..^1];
            y[i - 1] = values[^1] == 1f;
        }
        return (x, y, names);
    }
}
