using Ml.Relaxation.Samples.Datasets;
using Ml.Relaxation.Samples.Output;

namespace Ml.Relaxation.Samples.Tests;

/// <summary>The held-out split and the run folders.</summary>
public sealed class HoldOutTests
{
    private static FeatureTable Table(float[] labels, LearningTask task) => new()
    {
        Source = "t",
        FeatureNames = ["x"],
        Rows = [.. labels.Select((_, i) => new float[] { i })],
        Label = new LabelColumn("Label", task, labels, task == LearningTask.Regression ? null : ["a", "b", "c"], null),
    };

    [Fact]
    public void Classes_are_split_one_by_one_so_a_rare_class_reaches_both_parts()
    {
        // 18 rows of class 0 and 2 of class 1: an unstratified 20% split would often miss class 1.
        float[] labels = [.. Enumerable.Range(0, 20).Select(i => i < 18 ? 0f : 1f)];
        var (train, test) = HoldOut.Split(Table(labels, LearningTask.Binary), 0.2, seed: 3);
        Assert.Equal(Enumerable.Range(0, 20), train.Concat(test).Order());
        Assert.Contains(test, r => labels[r] == 1f);
        Assert.Contains(train, r => labels[r] == 1f);
        Assert.Equal(5, test.Length); // round(18 * 0.2) = 4, and round(2 * 0.2) = 0 raised to one row of the rare class
    }

    [Fact]
    public void The_split_depends_on_the_seed_only()
    {
        float[] labels = [.. Enumerable.Range(0, 50).Select(i => (float)(i % 7))];
        var table = Table(labels, LearningTask.Regression);
        Assert.Equal(HoldOut.Split(table, 0.2, 1).Test, HoldOut.Split(table, 0.2, 1).Test);
        Assert.NotEqual(HoldOut.Split(table, 0.2, 1).Test, HoldOut.Split(table, 0.2, 2).Test);
        Assert.Equal(10, HoldOut.Split(table, 0.2, 1).Test.Length);
    }

    [Fact]
    public void A_taken_run_folder_name_gets_the_next_suffix()
    {
        string root = Path.Combine(Path.GetTempPath(), "ml-relaxation-samples-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            var now = new DateTime(2026, 1, 5, 14, 22, 33);
            var first = RunFolder.Claim(null, root, "vae", now);
            var second = RunFolder.Claim(null, root, "vae", now);
            Assert.Equal("vae-20260105-142233", Path.GetFileName(first.Path));
            Assert.Equal("vae-20260105-142233-2", Path.GetFileName(second.Path));
            Assert.True(File.Exists(first.LogPath));
            var sub = first.Sub("select");
            Assert.Equal(first.LogPath, sub.LogPath);
            Assert.Equal(Path.Combine(root, "explicit"), RunFolder.Claim("explicit", root, "vae", now).Path);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
