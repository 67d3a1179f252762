using SkiaSharp;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>Checks that a file is a PNG image that decodes.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Asserts the PNG signature, reads the size from the IHDR chunk, decodes the pixels, and returns the size.</summary>
    public static (int Width, int Height) AssertValid(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing");
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} is too short for a PNG");
        Assert.Equal(Signature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        int width = BigEndian(bytes, 16), height = BigEndian(bytes, 20);
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        // Not a blank image: a plot has more than one colour.
        Assert.True(bitmap.Pixels.Distinct().Skip(1).Any(), $"{path} is a single colour");
        return (width, height);
    }

    private static int BigEndian(byte[] b, int offset) => b[offset] << 24 | b[offset + 1] << 16 | b[offset + 2] << 8 | b[offset + 3];
}
