using System.Diagnostics;
using Microsoft.ML;
using Ml.Relaxation.MLNet;
using Ml.Relaxation.MLNet.FeatureSelection;
using Xunit.Abstractions;

namespace Ml.Relaxation.Tests.FeatureSelection;

public class ExploreTests(ITestOutputHelper output)
{
    [Fact]
    public void Explore()
    {
        string spec = Environment.GetEnvironmentVariable("EXPLORE") ?? "";
        if (spec == "") return;
        var kv = spec.Split(';').Select(s => s.Split('=')).ToDictionary(a => a[0], a => a[1]);
        float Get(string k, float d) => kv.TryGetValue(k, out var v) ? float.Parse(v) : d;
        GatedFeatureSelectorOptions Options(int seed) => new()
        {
            MaximumFeatureCount = (int)Get("k", 5), Seed = seed, Epochs = (int)Get("epochs", 50), L0Strength = Get("lambda", 2f),
            GateLearningRate = Get("glr", 0.01f), LearningRate = Get("lr", 0.001f), HiddenSizes = Get("h", 32) == 0 ? [] : [(int)Get("h", 32)],
            InitialKeepProbability = Get("p", 0.9f), BatchSize = (int)Get("b", 128), GateWarmupFraction = Get("w", 0.2f),
        };
        if (kv.ContainsKey("bc"))
        {
            for (int seed = 0; seed < (int)Get("seeds", 3); seed++)
            {
                var ml = new MLContext(1);
                var (x, y, names) = SelectionData.BreastCancer();
                var split = ml.Data.TrainTestSplit(SelectionData.View(ml, x, y, names), testFraction: 0.2, seed: 1);
                var pipe = ml.Relaxation().SelectFeaturesWithGates(Options(seed)).Append(ml.Transforms.NormalizeMinMax("Features"))
                    .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
                var model = pipe.Fit(split.TrainSet);
                var auc = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet)).AreaUnderRocCurve;
                var t = ((IEnumerable<ITransformer>)model).OfType<GatedFeatureSelectorTransformer>().Single();
                output.WriteLine($"bc seed {seed}: AUC {auc:F4} [{string.Join(",", t.KeptSlotNames)}] open {t.History[^1].OpenGates} EL0 {t.ExpectedL0:F1}");
            }
            return;
        }
        for (int seed = 0; seed < (int)Get("seeds", 3); seed++)
        {
            var ml = new MLContext(seed);
            var (x, y, rel) = SelectionData.LinearAndXor((int)Get("n", 1000), (int)Get("d", 200), (ulong)seed);
            var data = SelectionData.View(ml, x, y);
            var opts = Options(seed);
            var sw = Stopwatch.StartNew();
            var t = ml.Relaxation().SelectFeaturesWithGates(opts).Fit(data);
            var la = t.LogAlpha;
            var order = Enumerable.Range(0, la.Count).OrderByDescending(j => la[j]).ToArray();
            output.WriteLine($"seed {seed}: {sw.ElapsedMilliseconds} ms relevant [{string.Join(",", rel)}] kept [{string.Join(",", t.KeptSlotIndices)}] " +
                $"top8 la [{string.Join(", ", order.Take(8).Select(j => $"{j}:{la[j]:F2}"))}] open {t.History[^1].OpenGates} EL0 {t.ExpectedL0:F1}");
            if (kv.ContainsKey("hist")) foreach (var e in t.History.Where((e, i) => i % 10 == 9)) output.WriteLine($"   {e}");
        }
    }
}
