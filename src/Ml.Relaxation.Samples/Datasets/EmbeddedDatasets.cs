using System.IO.Compression;
using System.Reflection;

namespace Ml.Relaxation.Samples.Datasets;

/// <summary>The data sets embedded in this program (see <c>Data/README.md</c> for provenance and licences).</summary>
internal static class EmbeddedDatasets
{
    /// <summary>The <c>--dataset</c> values of <c>select</c>.</summary>
    public static readonly string[] ForSelection = ["breast-cancer", "wine", "diabetes", "mnist"];

    /// <summary>The <c>--dataset</c> values of <c>vae</c> (it models values in [0, 1], so images).</summary>
    public static readonly string[] ForVae = ["mnist"];

    /// <summary>An embedded data set with its label, for <c>select</c>.</summary>
    public static FeatureTable Labeled(string name) => name switch
    {
        "breast-cancer" => Csv("breast_cancer.csv", name, LearningTask.Binary),
        "wine" => Csv("wine.csv", name, LearningTask.Multiclass),
        "diabetes" => Csv("diabetes.csv", name, LearningTask.Regression),
        "mnist" => Digits(binarize: false),
        _ => throw new InputError($"Unknown data set '{name}'; choose one of {string.Join(", ", ForSelection)}."),
    };

    /// <summary>
    /// The 2,000 embedded MNIST digits, one 28 x 28 image a row with pixels scaled to [0, 1] (binarized at 0.5, pixel
    /// &gt;= 128, when <paramref name="binarize"/>), labelled 0-9 as classes.
    /// </summary>
    public static FeatureTable Digits(bool binarize)
    {
        byte[] images = ReadGzip("mnist2k-images-idx3-ubyte.gz");
        byte[] labels = ReadGzip("mnist2k-labels-idx1-ubyte.gz");
        int count = ReadBigEndian(images, 4), side = ReadBigEndian(images, 8), pixels = side * ReadBigEndian(images, 12);
        var rows = new float[count][];
        for (int r = 0; r < count; r++)
        {
            rows[r] = new float[pixels];
            for (int p = 0; p < pixels; p++)
            {
                byte v = images[16 + r * pixels + p];
                rows[r][p] = binarize ? (v >= 128 ? 1f : 0f) : v / 255f;
            }
        }
        var names = Enumerable.Range(0, pixels).Select(p => $"pixel {p / side},{p % side}").ToArray();
        var label = new LabelColumn("digit", LearningTask.Multiclass, labels[8..(8 + count)].Select(b => (float)b).ToArray(),
            Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(), null);
        return new FeatureTable { Source = $"embedded mnist ({count} digits{(binarize ? ", binarized at 0.5" : "")})", FeatureNames = names, Rows = rows, Label = label };
    }

    private static FeatureTable Csv(string resource, string name, LearningTask task)
    {
        using var reader = new StreamReader(Open(resource));
        var table = TableReader.WithLabel(CsvText.Read(reader, resource), "Label", task, skipMissing: false);
        return new FeatureTable { Source = $"embedded {name} ({table.Rows.Length} rows)", FeatureNames = table.FeatureNames, Rows = table.Rows, Label = table.Label };
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
