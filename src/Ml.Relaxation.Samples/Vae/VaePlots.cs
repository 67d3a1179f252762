using Ml.Relaxation.MLNet.DiscreteVae;
using Ml.Relaxation.Samples.Plots;
using ScottPlot;

namespace Ml.Relaxation.Samples.Vae;

/// <summary>The <c>vae</c> job's plots.</summary>
internal static class VaePlots
{
    /// <summary>Held-out images, each followed by its reconstruction (decoded from its most likely codes); row-major side x side images.</summary>
    public static string Reconstructions(float[] originals, float[] reconstructions, int side, string path)
    {
        var images = new List<float[]>();
        foreach (var (original, reconstruction) in Images(originals, side).Zip(Images(reconstructions, side)))
        {
            images.Add(original);
            images.Add(reconstruction);
        }
        var plot = ImageGrid.Create(images, side, columns: 8, groupSize: 2);
        plot.Title("Held-out digits, each followed by its reconstruction from its codes");
        return PlotFiles.Save(plot, path, 800, 480);
    }

    /// <summary>Images decoded from codes drawn from the prior (row-major side x side images).</summary>
    public static string PriorSamples(float[] samples, int side, string path)
    {
        var images = Images(samples, side).ToList();
        var plot = ImageGrid.Create(images, side, columns: 8);
        plot.Title("Samples: codes drawn from the prior, decoded");
        return PlotFiles.Save(plot, path, 640, 680);
    }

    /// <summary>Training and validation negative ELBO per epoch, and the final held-out value.</summary>
    public static string NegativeElbo(IReadOnlyList<DiscreteVaeEpoch> history, double heldOut, string path)
    {
        var plot = new Plot();
        double[] epochs = history.Select(e => (double)(e.Epoch + 1)).ToArray();
        var training = plot.Add.Scatter(epochs, history.Select(e => e.TrainNegativeElbo).ToArray(), PlotFiles.Accent);
        training.LegendText = "training (relaxed samples)";
        if (history.All(e => e.ValidationNegativeElbo is double v && double.IsFinite(v)))
        {
            var validation = plot.Add.Scatter(epochs, history.Select(e => e.ValidationNegativeElbo!.Value).ToArray(), PlotFiles.Second);
            validation.LegendText = "validation (discrete samples)";
        }
        var line = plot.Add.HorizontalLine(heldOut, color: Colors.Gray, pattern: LinePattern.Dashed);
        line.LegendText = FormattableString.Invariant($"held-out, final: {heldOut:F1}");
        plot.XLabel("epoch");
        plot.YLabel("-ELBO (nats per row)");
        plot.Title("Discrete VAE training");
        plot.ShowLegend(Alignment.UpperRight);
        return PlotFiles.Save(plot, path, 900, 500);
    }

    /// <summary>A heat map of the share of held-out rows coded to each category (columns) of each latent (rows).</summary>
    public static string CategoryUsage(IReadOnlyList<double[]> usage, string path)
    {
        int latents = usage.Count, categories = usage[0].Length;
        var cells = new double[latents, categories];
        for (int l = 0; l < latents; l++)
            for (int k = 0; k < categories; k++) cells[l, k] = usage[l][k];
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(cells); // cell (l, k) is centred on x = k, y = latents - 1 - l (row 0 on top)
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, usage.Max(row => row.Max()));
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "share of held-out rows";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, categories).Select(k => (double)k).ToArray(), Enumerable.Range(0, categories).Select(k => k.ToString()).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, latents).Select(l => (double)(latents - 1 - l)).ToArray(), Enumerable.Range(0, latents).Select(l => l.ToString()).ToArray());
        plot.XLabel("category");
        plot.YLabel("latent");
        plot.Title("How often each category of each latent codes a held-out row");
        plot.Axes.Margins(0, 0);
        return PlotFiles.Save(plot, path, 700, 120 + 28 * latents);
    }

    /// <summary>The side x side images held one after another in <paramref name="values"/>.</summary>
    private static IEnumerable<float[]> Images(float[] values, int side) => values.Chunk(side * side);
}
