namespace Ml.Relaxation.Samples.Tests;

/// <summary>Help, unknown options and disallowed values: usage errors (exit 2) come from the parser, before any work.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly SamplesTool _tool = new();

    public void Dispose() => _tool.Dispose();

    [Fact]
    public void Help_lists_the_commands_and_every_option_of_each()
    {
        var root = _tool.Run("--help");
        Assert.Equal(0, root.ExitCode);
        foreach (string text in new[] { "select", "vae", "--epochs", "--seed", "--threads", "--output", "--json" })
            Assert.Contains(text, root.Stdout);

        var select = _tool.Run("select", "--help");
        Assert.Equal(0, select.ExitCode);
        foreach (string text in new[] { "--data", "--dataset", "breast-cancer|diabetes|mnist|wine", "--label", "--task", "binary|multiclass|regression",
                     "--k", "--lambda", "--epochs", "--seed", "--threads", "--skip-missing", "--output", "--json" })
            Assert.Contains(text, select.Stdout);

        var vae = _tool.Run("vae", "-h");
        Assert.Equal(0, vae.ExitCode);
        foreach (string text in new[] { "--data", "--dataset", "--label", "--latents", "--categories", "--hard", "--epochs", "--skip-missing", "--output", "--json" })
            Assert.Contains(text, vae.Stdout);
        Assert.Empty(_tool.RunFolders());
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error_that_names_it()
    {
        var result = _tool.Run("select", "--kk", "3");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'--kk'", result.Stderr);
        Assert.Contains("select --help", result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Empty(_tool.RunFolders());
    }

    [Fact]
    public void An_unknown_dataset_is_a_usage_error_that_lists_the_allowed_ones()
    {
        var result = _tool.Run("select", "--dataset", "iris");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'iris'", result.Stderr);
        foreach (string name in new[] { "breast-cancer", "wine", "diabetes", "mnist" }) Assert.Contains(name, result.Stderr);
        Assert.Equal(2, _tool.Run("vae", "--dataset", "wine").ExitCode); // the VAE models images
        Assert.Equal(2, _tool.Run("bogus").ExitCode);
    }

    [Theory]
    [InlineData("select", "--k", "0", "--k expects a whole number of at least 1; got '0'")]
    [InlineData("select", "--k", "2.5", "--k expects a whole number")]
    [InlineData("select", "--lambda", "-1", "--lambda expects a number greater than 0")]
    [InlineData("select", "--epochs", "x", "--epochs expects a whole number")]
    [InlineData("select", "--data", "x.csv", "--task", "ranking", "'ranking'")]
    [InlineData("vae", "--categories", "1", "--categories expects a whole number of at least 2")]
    [InlineData("vae", "--threads", "0", "--threads expects a whole number of at least 1")]
    public void A_bad_value_is_a_usage_error_that_names_the_option(params string[] argsThenMessage)
    {
        var result = _tool.Run(argsThenMessage[..^1]);
        string message = argsThenMessage[^1];
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public void Options_that_do_not_go_together_are_usage_errors()
    {
        var both = _tool.Run("select", "--data", "x.csv", "--dataset", "wine");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("either --data or --dataset", both.Stderr);
        var label = _tool.Run("select", "--label", "y");
        Assert.Equal(2, label.ExitCode);
        Assert.Contains("--label applies to --data only", label.Stderr);
        Assert.Equal(2, _tool.Run("select", "--task", "binary").ExitCode);
    }
}
