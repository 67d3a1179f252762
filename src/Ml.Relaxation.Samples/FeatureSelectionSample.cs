namespace Ml.Relaxation.Samples;

internal static class FeatureSelectionSample
{
    public static void Run(CommandLine args) => Console.WriteLine("(feature selection sample pending the selector)");
}
