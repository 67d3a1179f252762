using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Samples.Plots;
using ScottPlot;

namespace Ml.Relaxation.Samples.Selection;

/// <summary>The <c>select</c> job's plots.</summary>
internal static class SelectPlots
{
    /// <summary>At most this many features are drawn (the highest scores; the summary lists all).</summary>
    public const int MaxBars = 40;

    /// <summary>Each feature's score as a horizontal bar, highest at the top, kept features highlighted.</summary>
    public static string FeatureScores(IReadOnlyList<FeatureScore> scores, int k, string scoreName, string source, string path)
    {
        var shown = scores.Take(MaxBars).ToList();
        int n = shown.Count;
        var plot = new Plot();
        var bars = plot.Add.Bars(shown.Select((s, i) => new Bar
        {
            Position = n - 1 - i,
            Value = s.Score,
            FillColor = s.Kept ? PlotFiles.Accent : PlotFiles.Muted,
            LineWidth = 0,
        }).ToList());
        bars.Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToArray(), shown.Select(s => s.Name).ToArray());
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Margins(left: 0, right: 0.05, bottom: 0.01, top: 0.01);
        plot.XLabel(scoreName);
        plot.Title(scores.Count > n
            ? $"Gated selector on {source}: top {n} of {scores.Count} features (kept {k} in blue)"
            : $"Gated selector on {source}: kept {k} of {scores.Count} features (blue)");
        plot.HideGrid();
        return PlotFiles.Save(plot, path, 900, 90 + 22 * n);
    }

    /// <summary>Training and validation loss (left axis) and gates open (right axis) per epoch.</summary>
    public static string Training(IReadOnlyList<GatedSelectionEpoch> history, string path)
    {
        var plot = new Plot();
        double[] epochs = history.Select(e => (double)(e.Epoch + 1)).ToArray();
        var training = plot.Add.Scatter(epochs, history.Select(e => (double)e.TrainingLoss).ToArray(), PlotFiles.Accent);
        training.LegendText = "training loss (task + L0 penalty)";
        if (history.Any(e => float.IsFinite(e.ValidationLoss)))
        {
            var validation = plot.Add.Scatter(epochs, history.Select(e => (double)e.ValidationLoss).ToArray(), PlotFiles.Second);
            validation.LegendText = "validation loss (task)";
        }
        var gates = plot.Add.Scatter(epochs, history.Select(e => (double)e.OpenGates).ToArray(), Colors.Gray);
        gates.LinePattern = LinePattern.Dashed;
        gates.Axes.YAxis = plot.Axes.Right;
        gates.LegendText = "gates open (right axis)";
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = "gates open";
        plot.Title("Gated selector training");
        plot.ShowLegend(Alignment.UpperRight);
        return PlotFiles.Save(plot, path, 900, 500);
    }
}
