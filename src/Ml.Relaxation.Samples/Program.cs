namespace Ml.Relaxation.Samples;

/// <summary>
/// Console samples for Ml.Relaxation. With no arguments it runs the main jobs on the data it embeds:
/// <list type="bullet">
/// <item><c>select</c>: learn Hard Concrete (L0) gates on the breast-cancer data, keep k features, train a downstream classifier.</item>
/// <item><c>vae</c>: train a discrete-latent VAE on binarized digits and encode rows to discrete codes.</item>
/// </list>
/// Your own data: <c>select --data file.csv --label Label --k 5</c>, <c>vae --data file.csv --epochs 20</c>
/// (comma-separated with a header row; every non-label column is a feature).
/// </summary>
public static class Program
{
    /// <summary>Entry point: <c>[all|select|vae] [--name value ...]</c>.</summary>
    public static int Main(string[] args)
    {
        try
        {
            var line = CommandLine.Parse(args);
            switch (line.Job)
            {
                case "all":
                    FeatureSelectionSample.Run(line);
                    Console.WriteLine();
                    DiscreteVaeSample.Run(line);
                    break;
                case "select": FeatureSelectionSample.Run(line); break;
                case "vae": DiscreteVaeSample.Run(line); break;
                default:
                    Console.Error.WriteLine($"Unknown job '{line.Job}'. Usage: [all|select|vae] [--data file.csv] [--label Label] [--k 5] [--epochs N]");
                    return 2;
            }
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
