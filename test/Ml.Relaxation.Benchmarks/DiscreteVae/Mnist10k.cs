using System.Buffers.Binary;
using System.IO.Compression;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Benchmarks.DiscreteVae;

/// <summary>
/// The 10,000-digit MNIST subset of <c>shared/data</c> (IDX format, gzipped), binarized at 0.5 (pixel &gt;= 128) as
/// the PyTorch peer does (<c>x / 255 &gt; 0.5</c>). Read at run time: a benchmark, not a test.
/// </summary>
internal static class Mnist10k
{
    public const string ImagesFile = "mnist10k-images-idx3-ubyte.gz";

    /// <summary>All 10,000 images as [10000 x 784] of 0 and 1.</summary>
    public static Matrix LoadBinarized(string? dataDirectory = null)
    {
        string path = Path.Combine(dataDirectory ?? FindDataDirectory(), ImagesFile);
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gz.CopyTo(buffer);
        byte[] bytes = buffer.ToArray();
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x803) throw new InvalidDataException($"{path} is not an IDX image file.");
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int pixels = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)) * BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        var x = new Matrix(count, pixels);
        Span<float> data = x.AsSpan();
        for (int i = 0; i < data.Length; i++) data[i] = bytes[16 + i] >= 128 ? 1f : 0f;
        return x;
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a new matrix.</summary>
    public static Matrix Rows(Matrix x, int start, int count)
    {
        var part = new Matrix(count, x.Cols);
        x.Data.AsSpan(start * x.Cols, count * x.Cols).CopyTo(part.AsSpan());
        return part;
    }

    /// <summary><c>shared/data</c> beside the repository: searched upwards from the working directory, or <c>ML_RELAXATION_DATA</c>.</summary>
    public static string FindDataDirectory()
    {
        if (Environment.GetEnvironmentVariable("ML_RELAXATION_DATA") is { Length: > 0 } fromEnvironment) return fromEnvironment;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            foreach (string candidate in new[] { Path.Combine(dir.FullName, "shared", "data"), Path.Combine(dir.FullName, "..", "shared", "data") })
                if (File.Exists(Path.Combine(candidate, ImagesFile))) return Path.GetFullPath(candidate);
        }
        throw new FileNotFoundException($"Could not find shared/data/{ImagesFile}; set ML_RELAXATION_DATA to its folder.");
    }
}
