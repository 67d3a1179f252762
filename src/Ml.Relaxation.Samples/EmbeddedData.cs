using System.IO.Compression;
using System.Reflection;

namespace Ml.Relaxation.Samples;

/// <summary>The data sets embedded in this program (see <c>Data/README.md</c> for provenance and licences).</summary>
internal static class EmbeddedData
{
    /// <summary>Copies an embedded resource to a temporary file (ML.NET's text loader reads files) and returns its path.</summary>
    public static string ExtractToTempFile(string name)
    {
        string path = Path.Combine(Path.GetTempPath(), "ml-relaxation-samples-" + name);
        using var stream = Open(name);
        using var file = File.Create(path);
        stream.CopyTo(file);
        return path;
    }

    /// <summary>
    /// The embedded 2,000 MNIST digits, binarized at 0.5 (pixel &gt;= 128), each a row of 784 values in {0, 1},
    /// with their labels.
    /// </summary>
    public static (float[][] Images, byte[] Labels) BinarizedDigits()
    {
        byte[] images = ReadGzip("mnist2k-images-idx3-ubyte.gz");
        byte[] labels = ReadGzip("mnist2k-labels-idx1-ubyte.gz");
        int count = ReadBigEndian(images, 4), pixels = ReadBigEndian(images, 8) * ReadBigEndian(images, 12);
        var rows = new float[count][];
        for (int r = 0; r < count; r++)
        {
            rows[r] = new float[pixels];
            for (int p = 0; p < pixels; p++) rows[r][p] = images[16 + r * pixels + p] >= 128 ? 1f : 0f;
        }
        return (rows, labels[8..(8 + count)]);
    }

    private static Stream Open(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing.");

    private static byte[] ReadGzip(string name)
    {
        using var gzip = new GZipStream(Open(name), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    private static int ReadBigEndian(byte[] bytes, int offset) =>
        bytes[offset] << 24 | bytes[offset + 1] << 16 | bytes[offset + 2] << 8 | bytes[offset + 3];
}
