using System.Globalization;
using System.Runtime.CompilerServices;
using Ml.Relaxation.MLNet;
using PublicApiGenerator;

namespace Ml.Relaxation.Tests.PublicApi;

/// <summary>
/// The library's public surface is a decision (<c>docs/design.md</c>, "Public surface"): this test fails on any change to
/// it, added or removed, until the approved file is updated on purpose.
/// </summary>
public class PublicApiTests
{
    /// <summary>Set to 1 to rewrite the approved file with the current surface (then review and commit its diff).</summary>
    public const string UpdateVariable = "ML_RELAXATION_UPDATE_PUBLIC_API";

    private const string ApprovedFileName = "Ml.Relaxation.approved.txt";

    [Fact]
    public void Public_api_of_Ml_Relaxation_matches_the_approved_file()
    {
        string actual = CurrentApi();
        string approvedInSource = Path.Combine(SourceFolder(), ApprovedFileName);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(approvedInSource, actual);
            return;
        }

        // The copy next to the test assembly (the build copies it), so the test does not depend on where the sources are.
        string approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", ApprovedFileName);
        string approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : "";
        if (approved == actual) return;

        string[] expectedLines = approved.Split('\n'), actualLines = actual.Split('\n');
        var removed = expectedLines.Except(actualLines).Take(20).Select(l => "- " + l.Trim());
        var added = actualLines.Except(expectedLines).Take(20).Select(l => "+ " + l.Trim());
        Assert.Fail(
            $"The public API of Ml.Relaxation differs from test/Ml.Relaxation.Tests/PublicApi/{ApprovedFileName}.\n"
            + "If the change is deliberate, rewrite the file and commit it with the change:\n"
            + $"  {UpdateVariable}=1 dotnet test test/Ml.Relaxation.Tests -c Release --filter FullyQualifiedName~PublicApiTests\n"
            + "and say why in docs/design.md (\"Public surface\") when it adds or removes a type.\n"
            + "First differing lines (up to 20 each):\n" + string.Join('\n', removed.Concat(added)));
    }

    /// <summary>
    /// The surface as C#-like text, sorted by namespace, type and member (PublicApiGenerator's order), without the
    /// assembly's attributes (they carry build details such as the version), with '\n' line ends, and default values
    /// written in the invariant culture whatever the machine's.
    /// </summary>
    private static string CurrentApi()
    {
        CultureInfo culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            return Normalize(typeof(RelaxationCatalog).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimEnd('\n') + "\n";

    private static string SourceFolder([CallerFilePath] string thisFile = "") => Path.GetDirectoryName(thisFile)!;
}
