using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The plain C# model: gradients against finite differences, determinism, penalty behaviour.</summary>
public class GatedSelectorModelTests
{
    private const int Rows = 8, Slots = 6;

    public static TheoryData<LabelTask, int[]> Heads => new()
    {
        { LabelTask.BinaryClassification, [] },
        { LabelTask.BinaryClassification, [5, 4] },
        { LabelTask.MulticlassClassification, [5] },
        { LabelTask.Regression, [5] },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Gradients_match_central_finite_differences(LabelTask task, int[] hidden)
    {
        var settings = new GatedSelectorSettings
        {
            Task = task, ClassCount = 3, HiddenSizes = hidden, BatchSize = Rows, L0Strength = 1f, InitialKeepProbability = 0.6f, Seed = 3,
        };
        var (features, targets) = SelectionData.Batch(task, Rows, Slots);
        var scaling = new FeatureScaling([0.5f, 0, 0, 1, 0, -1], [1, 2, 0.5f, 1, 1, 3], targetMean: 0.2f, targetStd: 1.5f);
        var model = new GatedSelectorModel(settings, scaling, trainingRows: 10); // penalty weight 0.1: large enough to matter
        var rng = new RandomSource(11);
        foreach (var p in model.Parameters) // move log_alpha off its constant start so gates differ
            for (int i = 0; i < p.Value.Length; i++) p.Value[i] += 0.3f * (rng.NextUniform() - 0.5f);

        foreach (var p in model.Parameters) p.ZeroGradient();
        model.Loss(features, targets, new RandomSource(5), computeGradients: true);
        const float h = 2e-3f;
        int checkedCount = 0;
        foreach (var p in model.Parameters)
        {
            float[] analytic = (float[])p.Gradient.Clone();
            for (int i = 0; i < p.Value.Length; i++)
            {
                float saved = p.Value[i];
                p.Value[i] = saved + h;
                double up = model.Loss(features, targets, new RandomSource(5), computeGradients: false);
                p.Value[i] = saved - h;
                double down = model.Loss(features, targets, new RandomSource(5), computeGradients: false);
                p.Value[i] = saved;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"{p.Name}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > Slots);
    }

    [Fact]
    public void Log_alpha_gradient_includes_the_L0_penalty_exactly()
    {
        // With all-zero features the task cannot depend on the gates, so d loss / d log_alpha is the penalty's alone:
        // (lambda / N) P (1 - P), with P = sigmoid(log_alpha - beta log(-gamma / zeta)), computed here independently.
        var settings = new GatedSelectorSettings { HiddenSizes = [], BatchSize = Rows, L0Strength = 3f, InitialKeepProbability = 0.7f };
        var model = new GatedSelectorModel(settings, new FeatureScaling(new float[Slots], new float[Slots]), trainingRows: 6);
        var (features, targets) = SelectionData.Batch(LabelTask.BinaryClassification, Rows, Slots);
        model.Loss(features, targets, new RandomSource(1), computeGradients: true);
        double logAlpha = Math.Log(0.7 / 0.3);
        double p = 1 / (1 + Math.Exp(-(logAlpha - 2.0 / 3.0 * Math.Log(0.1 / 1.1))));
        foreach (float g in model.LogAlpha.Gradient) Assert.Equal(3.0 / 6 * p * (1 - p), g, 1e-6);
    }

    [Fact]
    public void Training_is_bit_identical_for_a_seed_at_any_thread_count()
    {
        float[] Run(int threads)
        {
            using var scope = DegreeOfParallelism.Override(threads);
            var (x, y, _) = SelectionData.LinearAndXor(300, 40, seed: 4);
            var features = new Matrix(300, 40);
            var targets = new Matrix(300, 1);
            for (int i = 0; i < 300; i++) { x[i].CopyTo(features.Row(i)); targets[i, 0] = y[i] ? 1 : 0; }
            var source = new InMemoryBatchSource(features, targets, batchSize: 64, seed: 9);
            var settings = new GatedSelectorSettings { HiddenSizes = [16], Epochs = 5, BatchSize = 64, Seed = 2 };
            var scaling = new FeatureScaling(new float[40], Enumerable.Repeat(1f, 40).ToArray());
            return [.. GatedSelectorTrainer.Train(settings, scaling, source, 300).LogAlpha];
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void Evaluation_is_the_mean_over_rows_whatever_the_batches_and_reports_the_gates()
    {
        // 8 rows in batches of 3, 3 and 2 against one batch of 8: a mean over batches not weighted by their rows differs.
        var settings = new GatedSelectorSettings { HiddenSizes = [3], BatchSize = Rows, L0Strength = 1f, Seed = 4 };
        var model = new GatedSelectorModel(settings, new FeatureScaling(new float[Slots], Enumerable.Repeat(1f, Slots).ToArray()), trainingRows: Rows);
        model.LogAlpha.Value[1] = -5f; // a shut gate: test-time gate 0
        var (features, targets) = SelectionData.Batch(LabelTask.BinaryClassification, Rows, Slots);
        var whole = new Dictionary<string, double>();
        double all = model.Evaluate(new InMemoryBatchSource(features, targets, Rows, shuffle: false), whole);
        double parts = model.Evaluate(new InMemoryBatchSource(features, targets, 3, shuffle: false), new Dictionary<string, double>());
        Assert.Equal(all, parts, 1e-6);
        Assert.True(all > 0);
        Assert.Equal(model.ProbabilityNonZero().Sum(), whole["expected_l0"], 1e-5);
        Assert.Equal(Slots - 1, whole["open_gates"]);
        var empty = new InMemoryBatchSource(features, targets, 3, seed: 0, shuffle: false, rows: [], columns: null);
        Assert.True(double.IsNaN(model.Evaluate(empty, new Dictionary<string, double>())));
    }

    [Fact]
    public void Batches_and_models_of_the_wrong_shape_name_the_argument()
    {
        var settings = new GatedSelectorSettings { HiddenSizes = [], BatchSize = 4 };
        var scaling = new FeatureScaling(new float[Slots], new float[Slots]);
        var model = new GatedSelectorModel(settings, scaling, trainingRows: 10);
        string Name(Action run) => Assert.ThrowsAny<ArgumentException>(run).ParamName!;
        void Bad(Action run, string name, string message)
        {
            var e = Assert.ThrowsAny<ArgumentException>(run);
            Assert.Equal(name, e.ParamName);
            Assert.Contains(message, e.Message);
        }
        Bad(() => model.Loss(new Matrix(5, Slots), new Matrix(5, 1), new RandomSource(1), false), "features", "at most 4 rows per batch, got 5");
        Bad(() => model.Loss(new Matrix(4, Slots + 1), new Matrix(4, 1), new RandomSource(1), false), "features", $"{Slots} feature columns, got {Slots + 1}");
        Bad(() => model.Loss(new Matrix(4, Slots), new Matrix(3, 1), new RandomSource(1), false), "targets", "[4 x 1] targets, got [3 x 1]");
        Bad(() => model.Loss(new Matrix(4, Slots), new Matrix(4, 2), new RandomSource(1), false), "targets", "[4 x 1] targets, got [4 x 2]");
        Assert.True(float.IsFinite(model.Loss(new Matrix(4, Slots), new Matrix(4, 1), new RandomSource(1), false))); // at capacity
        Assert.Equal("batch", Name(() => model.TrainStep(null!, default)));
        Assert.Equal("source", Name(() => model.Evaluate(null!, new Dictionary<string, double>())));
        Assert.Equal("settings", Name(() => new GatedSelectorModel(null!, scaling, 10)));
        Assert.Equal("scaling", Name(() => new GatedSelectorModel(settings, null!, 10)));
        Assert.Equal("trainingRows", Name(() => new GatedSelectorModel(settings, scaling, 0)));
        Assert.Equal("Epochs", Name(() => new GatedSelectorModel(settings with { Epochs = 0 }, scaling, 10)));
    }

    [Fact]
    public void The_loss_without_gradients_is_the_task_loss_plus_lambda_over_n_times_expected_l0()
    {
        // Constant slots map to 0, so the gated input is 0 whatever the gates and the linear head outputs its bias, 0 at
        // the start: the task loss is ln 2 per row. The penalty is (lambda / N) x slots x P(z != 0).
        var settings = new GatedSelectorSettings { HiddenSizes = [], BatchSize = Rows, L0Strength = 3f, InitialKeepProbability = 0.7f };
        var model = new GatedSelectorModel(settings, new FeatureScaling(new float[Slots], new float[Slots]), trainingRows: 6);
        var (features, targets) = SelectionData.Batch(LabelTask.BinaryClassification, Rows, Slots);
        double p = 1 / (1 + Math.Exp(-(Math.Log(0.7 / 0.3) - 2.0 / 3.0 * Math.Log(0.1 / 1.1))));
        double expected = Math.Log(2) + 3.0 / 6 * Slots * p;
        Assert.Equal(0.5f, model.PenaltyScale);
        Assert.Equal(expected, model.Loss(features, targets, new RandomSource(1), computeGradients: false), 1e-5);
        Assert.Equal(expected, model.Loss(features, targets, new RandomSource(1), computeGradients: true), 1e-5);
        Assert.Equal(Slots * p, model.ExpectedL0(), 1e-5);
    }
}
