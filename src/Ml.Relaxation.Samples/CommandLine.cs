namespace Ml.Relaxation.Samples;

/// <summary>The sample's arguments: a job name followed by <c>--name value</c> pairs.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    private CommandLine(string job) => Job = job;

    /// <summary>The job to run: <c>all</c> (default), <c>select</c> or <c>vae</c>.</summary>
    public string Job { get; }

    public static CommandLine Parse(string[] args)
    {
        int i = 0;
        string job = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[i++] : "all";
        var line = new CommandLine(job.ToLowerInvariant());
        for (; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected '--name value' pairs after the job name; got '{args[i]}'.");
            line._values[args[i][2..]] = args[i + 1];
        }
        return line;
    }

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var v) ? int.TryParse(v, out int n) ? n : throw new ArgumentException($"--{name} expects an integer; got '{v}'.") : fallback;

    public float Float(string name, float fallback) =>
        _values.TryGetValue(name, out var v)
            ? float.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out float f) ? f : throw new ArgumentException($"--{name} expects a number; got '{v}'.")
            : fallback;
}
