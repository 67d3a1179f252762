using ScottPlot;

namespace Ml.Relaxation.Samples.Plots;

/// <summary>Draws rows of pixel values in [0, 1] as a grid of square images (dark ink on white).</summary>
internal static class ImageGrid
{
    /// <summary>
    /// A plot of <paramref name="images"/> laid out left to right, top to bottom, <paramref name="columns"/> a row,
    /// with a one-pixel gap between images and a wider one after every <paramref name="groupSize"/> images of a row.
    /// </summary>
    public static Plot Create(IReadOnlyList<float[]> images, int side, int columns, int groupSize = 1)
    {
        int rows = (images.Count + columns - 1) / columns;
        int groups = (columns + groupSize - 1) / groupSize;
        int width = columns * side + (columns - 1) + (groups - 1) * side / 4;
        int height = rows * side + (rows - 1);
        var cells = new double[height, width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) cells[y, x] = double.NaN;
        for (int i = 0; i < images.Count; i++)
        {
            int row = i / columns, column = i % columns;
            int top = row * (side + 1), left = column * (side + 1) + column / groupSize * (side / 4);
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++) cells[top + y, left + x] = 1 - images[i][y * side + x]; // ink is dark
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.NaNCellColor = Colors.White;
        plot.HideAxesAndGrid();
        plot.Axes.Margins(0, 0);
        return plot;
    }
}
