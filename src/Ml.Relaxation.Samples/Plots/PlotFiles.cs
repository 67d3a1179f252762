using ScottPlot;
using SkiaSharp;

namespace Ml.Relaxation.Samples.Plots;

/// <summary>Shared look and file output of the samples' plots (PNG through ScottPlot and SkiaSharp, no display needed).</summary>
internal static class PlotFiles
{
    /// <summary>The highlight colour (kept features, training curves) and the muted one.</summary>
    public static readonly Color Accent = Color.FromHex("#1f77b4"), Second = Color.FromHex("#ff7f0e"), Muted = Color.FromHex("#b0b0b0");

    // A sans-serif family that is installed; ScottPlot's own guess can land on a serif face on Linux.
    private static readonly Lazy<string?> SansFamily = new(() =>
    {
        var installed = SKFontManager.Default.FontFamilies.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" }.FirstOrDefault(installed.Contains);
    });

    /// <summary>Applies the shared font and writes <paramref name="plot"/> as a PNG; returns the path.</summary>
    public static string Save(Plot plot, string path, int width, int height)
    {
        if (SansFamily.Value is { } family) plot.Font.Set(family);
        plot.SavePng(path, width, height);
        return path;
    }
}
