namespace Ml.Relaxation.Samples;

/// <summary>Console samples for Ml.Relaxation.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        Console.WriteLine("Ml.Relaxation samples: content arrives with the estimators.");
        return 0;
    }
}
