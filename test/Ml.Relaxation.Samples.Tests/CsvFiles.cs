using System.Globalization;
using System.Text;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>Small CSV files for the tests: two features, one of which decides the label.</summary>
internal static class CsvFiles
{
    /// <summary>
    /// <paramref name="rows"/> rows of <c>signal,noise,Label</c> where the label is <paramref name="label"/> of the
    /// row index and the signal column carries it (the noise column does not).
    /// </summary>
    public static string Labeled(int rows, Func<int, string> label, Func<int, double> signal)
    {
        var text = new StringBuilder("signal,noise,Label\n");
        for (int i = 0; i < rows; i++)
            text.Append(CultureInfo.InvariantCulture, $"{signal(i):R},{(i * 7919 % 13) / 13.0:R},{label(i)}\n");
        return text.ToString();
    }

    /// <summary>Text labels: three animals, the signal is the class index plus a little spread.</summary>
    public static string Animals(int rows = 30) =>
        Labeled(rows, i => new[] { "cat", "dog", "cow" }[i % 3], i => i % 3 + (i % 5) * 0.05);

    /// <summary>A regression label: 2.5 times the signal plus 0.1, never a whole number.</summary>
    public static string Amounts(int rows = 30) =>
        Labeled(rows, i => (2.5 * (i % 10) + 0.13).ToString("R", CultureInfo.InvariantCulture), i => i % 10);

    /// <summary>Rows of four values in [0, 1] and no label, for the VAE.</summary>
    public static string UnitValues(int rows = 24, string? labelColumn = null)
    {
        var text = new StringBuilder(labelColumn is null ? "p0,p1,p2,p3\n" : $"p0,p1,p2,p3,{labelColumn}\n");
        for (int i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i % 2},{(i + 1) % 2},{(i % 4) / 4.0:R},{(i % 3) / 2.0:R}");
            text.Append(labelColumn is null ? "\n" : $",{i % 2}\n");
        }
        return text.ToString();
    }
}
