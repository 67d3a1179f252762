using System.CommandLine;

namespace Ml.Relaxation.Samples.CommandLine;

/// <summary>The options of every job, the main one included: seed, threads, output folder and JSON output.</summary>
internal sealed class CommonOptions
{
    public Option<int> Seed { get; } = SampleOptions.Seed();

    public Option<int?> Threads { get; } = SampleOptions.Threads();

    public Option<string?> Output { get; } = SampleOptions.Output();

    public Option<bool> Json { get; } = SampleOptions.Json();

    public void AddTo(Command command)
    {
        command.Options.Add(Seed);
        command.Options.Add(Threads);
        command.Options.Add(Output);
        command.Options.Add(Json);
    }

    /// <summary>The values of these options in <paramref name="parse"/>.</summary>
    public JobSettings Read(ParseResult parse) => new(parse.GetValue(Output), parse.GetValue(Json), parse.GetValue(Threads));
}

/// <summary>How a job's run is set up: where it writes, whether standard output is JSON, and the thread limit.</summary>
internal sealed record JobSettings(string? Output, bool Json, int? Threads);
