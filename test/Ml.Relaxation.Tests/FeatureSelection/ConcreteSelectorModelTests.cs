using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>The Concrete selector model: gradients, the loss by hand, the temperature schedule, the choice of slots.</summary>
public class ConcreteSelectorModelTests
{
    private const int Rows = 8, Slots = 6, Units = 3;

    public static TheoryData<LabelTask, int[], float> Heads => new()
    {
        { LabelTask.BinaryClassification, [], 0.7f },
        { LabelTask.BinaryClassification, [5, 4], 2f },
        { LabelTask.MulticlassClassification, [5], 0.7f },
        { LabelTask.Regression, [5], 3f },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Gradients_match_central_finite_differences(LabelTask task, int[] hidden, float temperature)
    {
        var settings = new GatedSelectorSettings { Task = task, ClassCount = 3, HiddenSizes = hidden, BatchSize = Rows, Seed = 3 };
        var (features, targets) = SelectionData.Batch(task, Rows, Slots);
        var scaling = new FeatureScaling([0.5f, 0, 0, 1, 0, -1], [1, 2, 0.5f, 1, 1, 3], targetMean: 0.2f, targetStd: 1.5f);
        var model = new ConcreteSelectorModel(settings, scaling, Units, totalSteps: 100);
        var rng = new RandomSource(11);
        // spread the logits so the units' weights differ markedly
        for (int i = 0; i < model.Logits.Value.Length; i++) model.Logits.Value[i] = 2f * (rng.NextUniform() - 0.5f);

        foreach (var p in model.Parameters) p.ZeroGradient();
        model.Loss(features, targets, new RandomSource(5), temperature, computeGradients: true);
        const float h = 2e-3f;
        int checkedLogits = 0;
        foreach (var p in model.Parameters)
        {
            float[] analytic = (float[])p.Gradient.Clone();
            for (int i = 0; i < p.Value.Length; i++)
            {
                float saved = p.Value[i];
                p.Value[i] = saved + h;
                double up = model.Loss(features, targets, new RandomSource(5), temperature, computeGradients: false);
                p.Value[i] = saved - h;
                double down = model.Loss(features, targets, new RandomSource(5), temperature, computeGradients: false);
                p.Value[i] = saved;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"{p.Name}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}");
                if (p == model.Logits && Math.Abs(numeric) > 1e-3) checkedLogits++;
            }
        }
        Assert.True(checkedLogits > Slots, $"only {checkedLogits} logits had a gradient to check");
    }

    [Fact]
    public void The_loss_is_the_head_on_features_times_each_units_gumbel_softmax_weights()
    {
        // Computed here in double from the uniforms: w_i = softmax((logits_i - log(-log u_i)) / T), s_i = x . w_i, then the
        // linear head's logit W s + b and the binary cross-entropy.
        var settings = new GatedSelectorSettings { HiddenSizes = [], BatchSize = Rows, Seed = 8 };
        var (features, targets) = SelectionData.Batch(LabelTask.BinaryClassification, Rows, Slots);
        var scaling = new FeatureScaling(new float[Slots], Enumerable.Repeat(1f, Slots).ToArray());
        var model = new ConcreteSelectorModel(settings, scaling, Units, totalSteps: 10);
        var rng = new RandomSource(2);
        for (int i = 0; i < model.Logits.Value.Length; i++) model.Logits.Value[i] = 3f * (rng.NextUniform() - 0.5f);
        const float t = 0.8f;
        var u = new float[Units * Slots];
        new RandomSource(5).NextUniforms(u);
        var w = new double[Units, Slots];
        for (int i = 0; i < Units; i++)
        {
            double[] z = [.. Enumerable.Range(0, Slots).Select(j => (model.Logits.ValueMatrix[i, j] - Math.Log(-Math.Log(u[i * Slots + j]))) / t)];
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            for (int j = 0; j < Slots; j++) w[i, j] = Math.Exp(z[j] - max) / sum;
        }
        float[] headWeight = model.HeadParameters[0].Value, headBias = model.HeadParameters[1].Value;
        double expected = 0;
        for (int r = 0; r < Rows; r++)
        {
            double logit = headBias[0];
            for (int i = 0; i < Units; i++)
            {
                double s = 0;
                for (int j = 0; j < Slots; j++) s += features[r, j] * w[i, j];
                logit += headWeight[i] * s;
            }
            double p = 1 / (1 + Math.Exp(-logit));
            expected -= targets[r, 0] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }
        expected /= Rows;
        Assert.Equal(expected, model.Loss(features, targets, new RandomSource(5), t, computeGradients: false), 1e-5);
    }

    [Fact]
    public void The_temperature_falls_geometrically_from_10_to_a_hundredth_and_stays()
    {
        var model = new ConcreteSelectorModel(new GatedSelectorSettings { HiddenSizes = [] }, new FeatureScaling(new float[Slots], new float[Slots]), Units, totalSteps: 200);
        Assert.Equal(10f, model.Temperature(0), 1e-6f);
        Assert.Equal(Math.Sqrt(10 * 0.01), model.Temperature(100), 1e-5);
        Assert.Equal(10 * Math.Pow(0.001, 0.25), model.Temperature(50), 1e-5);
        Assert.Equal(0.01f, model.Temperature(200), 1e-7f);
        Assert.Equal(0.01f, model.Temperature(500), 1e-7f);
    }

    [Fact]
    public void Each_unit_selects_its_largest_logit_the_lower_index_on_ties()
    {
        var model = new ConcreteSelectorModel(new GatedSelectorSettings { HiddenSizes = [] }, new FeatureScaling(new float[4], new float[4]), 3, totalSteps: 1);
        float[][] logits = [[0, 2, 1, 2], [5, -1, 0, 0], [0, 0, 0, 0.5f]];
        for (int i = 0; i < 3; i++) logits[i].CopyTo(model.Logits.ValueMatrix.Row(i));
        Assert.Equal([1, 0, 3], model.SelectedSlots());
    }

    [Fact]
    public void Fixed_slots_fit_the_head_alone_on_the_given_columns()
    {
        var settings = new GatedSelectorSettings { HiddenSizes = [], BatchSize = Rows, Seed = 4 };
        var (features, targets) = SelectionData.Batch(LabelTask.BinaryClassification, Rows, Slots);
        var scaling = new FeatureScaling(new float[Slots], Enumerable.Repeat(1f, Slots).ToArray());
        var model = new ConcreteSelectorModel(settings, scaling, Slots, totalSteps: 1, fixedSlots: true);
        Assert.DoesNotContain(model.Logits, model.Parameters);
        Assert.Equal([.. Enumerable.Range(0, Slots)], model.SelectedSlots());
        // the logit is W x + b on the raw columns: whatever the noise and temperature
        float[] w = model.HeadParameters[0].Value, b = model.HeadParameters[1].Value;
        double expected = 0;
        for (int r = 0; r < Rows; r++)
        {
            double logit = b[0];
            for (int j = 0; j < Slots; j++) logit += w[j] * features[r, j];
            double p = 1 / (1 + Math.Exp(-logit));
            expected -= targets[r, 0] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }
        expected /= Rows;
        Assert.Equal(expected, model.Loss(features, targets, new RandomSource(1), 5f, computeGradients: true), 1e-5);
        Assert.All(model.Parameters, p => Assert.Contains(p.Gradient, g => g != 0));
        Assert.Equal(expected, model.Evaluate(new InMemoryBatchSource(features, targets, 3, shuffle: false), new Dictionary<string, double>()), 1e-5);
        Assert.Throws<ArgumentException>(() => new ConcreteSelectorModel(settings, scaling, Slots - 1, 1, fixedSlots: true));
    }

    [Fact]
    public void Evaluation_puts_each_unit_on_its_largest_logit_whatever_the_last_draw()
    {
        // A draw at a high temperature leaves soft weights behind; evaluation must use one-hot weights on each unit's
        // argmax (found here by a plain loop): the logit is b + sum_i W_i x[slot_i].
        var settings = new GatedSelectorSettings { HiddenSizes = [], BatchSize = Rows, Seed = 6 };
        var (features, targets) = SelectionData.Batch(LabelTask.BinaryClassification, Rows, Slots);
        var scaling = new FeatureScaling(new float[Slots], Enumerable.Repeat(1f, Slots).ToArray());
        var model = new ConcreteSelectorModel(settings, scaling, Units, totalSteps: 10);
        var rng = new RandomSource(4);
        for (int i = 0; i < model.Logits.Value.Length; i++) model.Logits.Value[i] = 3f * (rng.NextUniform() - 0.5f);
        // the draw on other rows (doubled): evaluation must not reuse the rows or the weights that this draw left
        var doubled = new Matrix(Rows, Slots);
        for (int i = 0; i < doubled.AsSpan().Length; i++) doubled.AsSpan()[i] = 2f * features.AsSpan()[i];
        model.Loss(doubled, targets, new RandomSource(5), 5f, computeGradients: false);
        var slot = new int[Units];
        for (int i = 0; i < Units; i++)
            for (int j = 1; j < Slots; j++)
                if (model.Logits.ValueMatrix[i, j] > model.Logits.ValueMatrix[i, slot[i]]) slot[i] = j;
        float[] w = model.HeadParameters[0].Value, b = model.HeadParameters[1].Value;
        double expected = 0;
        for (int r = 0; r < Rows; r++)
        {
            double logit = b[0];
            for (int i = 0; i < Units; i++) logit += w[i] * features[r, slot[i]];
            double p = 1 / (1 + Math.Exp(-logit));
            expected -= targets[r, 0] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }
        expected /= Rows;
        Assert.Equal(expected, model.Evaluate(new InMemoryBatchSource(features, targets, 3, shuffle: false), new Dictionary<string, double>()), 1e-5);
    }

    [Fact]
    public void The_regression_loss_is_half_the_squared_error_against_standardized_targets()
    {
        // Fixed slots and a linear head: the output is b + sum_j W_j (x_j - mean_j) / std_j, and the loss the mean of
        // 0.5 (output - (t - target mean) / target std)^2, computed here in double.
        var settings = new GatedSelectorSettings { Task = LabelTask.Regression, HiddenSizes = [], BatchSize = Rows, Seed = 9 };
        var (features, targets) = SelectionData.Batch(LabelTask.Regression, Rows, Slots);
        float[] mean = [0.5f, 0, -0.2f, 1, 0, -1], std = [1, 2, 0.5f, 1, 4, 3];
        var model = new ConcreteSelectorModel(settings, new FeatureScaling(mean, std, targetMean: 0.7f, targetStd: 2.5f), Slots, totalSteps: 1,
            fixedSlots: true);
        model.HeadParameters[1].Value[0] = 0.3f;
        float[] w = model.HeadParameters[0].Value;
        double expected = 0;
        for (int r = 0; r < Rows; r++)
        {
            double output = 0.3;
            for (int j = 0; j < Slots; j++) output += w[j] * (features[r, j] - mean[j]) / std[j];
            double error = output - (targets[r, 0] - 0.7) / 2.5;
            expected += 0.5 * error * error;
        }
        expected /= Rows;
        Assert.Equal(expected, model.Loss(features, targets, new RandomSource(1), 1f, computeGradients: false), 1e-5);
        Assert.Equal(expected, model.Evaluate(new InMemoryBatchSource(features, targets, 3, shuffle: false), new Dictionary<string, double>()), 1e-5);
    }

    [Fact]
    public void A_loss_without_gradients_leaves_every_gradient_untouched()
    {
        var (features, targets) = SelectionData.Batch(LabelTask.Regression, Rows, Slots);
        var scaling = new FeatureScaling(new float[Slots], Enumerable.Repeat(1f, Slots).ToArray());
        foreach (bool fixedSlots in new[] { false, true })
        {
            var settings = new GatedSelectorSettings { Task = LabelTask.Regression, HiddenSizes = [4], BatchSize = Rows };
            var model = new ConcreteSelectorModel(settings, scaling, fixedSlots ? Slots : Units, totalSteps: 10, fixedSlots);
            // a loss with gradients first, so that the head's buffers hold a gradient that a second pass could reuse
            model.Loss(features, targets, new RandomSource(4), 1f, computeGradients: true);
            foreach (var p in model.Parameters) p.ZeroGradient();
            model.Logits.ZeroGradient();
            float loss = model.Loss(features, targets, new RandomSource(5), 1f, computeGradients: false);
            Assert.True(loss > 0);
            Assert.All(model.Parameters, p => Assert.All(p.Gradient, g => Assert.Equal(0f, g)));
            Assert.All(model.Logits.Gradient, g => Assert.Equal(0f, g));
        }
    }

    [Fact]
    public void The_units_start_all_but_uniform_and_apart()
    {
        // Logits within +-0.005 of 0 (weights within 1% of uniform at any temperature of at least 1), on both sides of 0,
        // and no two units alike.
        const int units = 4, slots = 50;
        var model = new ConcreteSelectorModel(new GatedSelectorSettings { HiddenSizes = [], Seed = 12 },
            new FeatureScaling(new float[slots], new float[slots]), units, totalSteps: 1);
        float[] logits = model.Logits.Value;
        Assert.All(logits, v => Assert.InRange(v, -0.005f, 0.005f));
        Assert.True(logits.Min() < -0.004f && logits.Max() > 0.004f, $"logits from {logits.Min()} to {logits.Max()}");
        for (int a = 0; a < units; a++)
            for (int b = a + 1; b < units; b++)
                Assert.False(model.Logits.ValueMatrix.Row(a).SequenceEqual(model.Logits.ValueMatrix.Row(b)), $"units {a} and {b} start alike");
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Trained_units_choose_complementary_slots_not_two_copies(ulong seed)
    {
        // Slots 0 and 1 are near copies of a, slot 2 is b, the rest noise; the label needs a and b. With two units a
        // pair of copies explains half the label, so the units end on one copy of a and on b.
        const int n = 400, d = 6;
        var rng = new RandomSource(seed, stream: 9);
        var features = new Matrix(n, d);
        var targets = new Matrix(n, 1);
        for (int r = 0; r < n; r++)
        {
            float[] z = SelectionData.Normals(rng, d + 2);
            float a = z[0], b = z[1];
            features[r, 0] = a + 0.1f * z[2];
            features[r, 1] = a + 0.1f * z[3];
            features[r, 2] = b;
            for (int j = 3; j < d; j++) features[r, j] = z[j + 2];
            targets[r, 0] = a + b > 0 ? 1 : 0;
        }
        var settings = new GatedSelectorSettings { HiddenSizes = [8], BatchSize = 64, Seed = seed };
        var scaling = new FeatureScaling(new float[d], Enumerable.Repeat(1f, d).ToArray());
        const int epochs = 150;
        long steps = epochs * ((n + 63) / 64);
        var model = new ConcreteSelectorModel(settings, scaling, units: 2, totalSteps: steps);
        var optimizer = new GateAndHeadOptimizer(model.Logits, model.HeadParameters, 0.05f, settings.LearningRate, settings.HeadWeightDecay);
        TrainingLoop.Run(model, new InMemoryBatchSource(features, targets, 64, seed), null, new TrainingOptions { Epochs = epochs, Optimizer = optimizer });
        int[] picked = [.. model.SelectedSlots().Order()];
        Assert.True(picked is [0, 2] or [1, 2], $"picked {string.Join(", ", picked)}");
    }

    [Fact]
    public void Bad_arguments_name_themselves()
    {
        var settings = new GatedSelectorSettings { HiddenSizes = [] };
        var scaling = new FeatureScaling(new float[Slots], new float[Slots]);
        string Name(Action run) => Assert.ThrowsAny<ArgumentException>(run).ParamName!;
        void Bad(Action run, string name, string message)
        {
            var e = Assert.ThrowsAny<ArgumentException>(run);
            Assert.Equal(name, e.ParamName);
            Assert.Contains(message, e.Message);
        }
        Bad(() => new ConcreteSelectorModel(settings, scaling, 0, 1), "units", $"from 1 to {Slots} units");
        Bad(() => new ConcreteSelectorModel(settings, scaling, Slots + 1, 1), "units", $"from 1 to {Slots} units");
        Bad(() => new ConcreteSelectorModel(settings, scaling, Slots - 1, 1, fixedSlots: true), "units", $"one unit per slot ({Slots}), got {Slots - 1}");
        Assert.Equal("totalSteps", Name(() => new ConcreteSelectorModel(settings, scaling, 1, 0)));
        Assert.Equal("settings", Name(() => new ConcreteSelectorModel(null!, scaling, 1, 1)));
        Assert.Equal("scaling", Name(() => new ConcreteSelectorModel(settings, null!, 1, 1)));
        Assert.Equal("Epochs", Name(() => new ConcreteSelectorModel(settings with { Epochs = 0 }, scaling, 1, 1)));
        var model = new ConcreteSelectorModel(settings with { BatchSize = 4 }, scaling, 1, 1);
        Assert.Equal("features", Name(() => model.Loss(new Matrix(5, Slots), new Matrix(5, 1), new RandomSource(1), 1f, false)));
        Assert.Equal("targets", Name(() => model.Loss(new Matrix(4, Slots), new Matrix(3, 1), new RandomSource(1), 1f, false)));
        Assert.Equal("batch", Name(() => model.TrainStep(null!, default)));
        Assert.Equal("source", Name(() => model.Evaluate(null!, new Dictionary<string, double>())));
    }
}
