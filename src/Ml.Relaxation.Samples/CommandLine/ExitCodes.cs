namespace Ml.Relaxation.Samples.CommandLine;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>The job ran.</summary>
    public const int Success = 0;

    /// <summary>The data or an argument's value cannot be used (one line on standard error says what to change).</summary>
    public const int DataError = 1;

    /// <summary>The command line does not parse: an unknown command or option, a malformed or disallowed value.</summary>
    public const int Usage = 2;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
