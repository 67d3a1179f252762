using Ml.Relaxation.Data;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.GatedSelection;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.FeatureSelection;

/// <summary>
/// One fit of the gated model: the two-rate optimizer against Adam's first steps worked out by hand, the head-only
/// warm-up, early stopping and the losses the fit reports.
/// </summary>
public class GatedSelectorTrainerTests
{
    private const int Rows = 40, Slots = 3;

    /// <summary>Slot 0 decides the label (flipped when <paramref name="flip"/>); the others are noise.</summary>
    private static InMemoryBatchSource Source(ulong seed, int batchSize, bool flip = false)
    {
        var rng = new RandomSource(seed);
        var x = new Matrix(Rows, Slots);
        var y = new Matrix(Rows, 1);
        for (int r = 0; r < Rows; r++)
        {
            SelectionData.Normals(rng, Slots).CopyTo(x.Row(r));
            y[r, 0] = (x[r, 0] > 0) != flip ? 1 : 0;
        }
        return new InMemoryBatchSource(x, y, batchSize, seed: 3);
    }

    private static FeatureScaling Identity => new(new float[Slots], Enumerable.Repeat(1f, Slots).ToArray());

    private static readonly GatedSelectorSettings Settings = new() { HiddenSizes = [4], BatchSize = 16, Epochs = 5, L0Strength = 2f, Seed = 7 };

    [Fact]
    public void The_optimizer_steps_the_gates_and_the_head_at_their_own_rates_and_decays_only_the_head()
    {
        // Adam's first steps with a constant gradient g move a parameter by lr sign(g) (bias-corrected moments are g and
        // g^2; epsilon is negligible at |g| = 1); AdamW first multiplies the head's weights by 1 - lr decay.
        var gates = new Parameter("gates", 1, 2);
        var head = new Parameter("head", 1, 1);
        gates.Value[0] = 2f; gates.Value[1] = -1f;
        head.Value[0] = 2f;
        var optimizer = new GateAndHeadOptimizer(gates, [head], gateLearningRate: 0.1f, headLearningRate: 0.01f, headWeightDecay: 0.5f);
        Assert.Equal([gates, head], optimizer.Parameters);
        void Gradients() { gates.Gradient[0] = 1f; gates.Gradient[1] = -1f; head.Gradient[0] = 1f; }

        Gradients();
        optimizer.Step();
        double expectedHead = 2 * (1 - 0.01 * 0.5) - 0.01;
        AssertClose([2 - 0.1, -1 + 0.1], [expectedHead], gates, head);
        Assert.Equal(0.01f, optimizer.LearningRate);

        // a schedule that doubles the head's rate doubles the gates' rate too
        optimizer.LearningRate = 0.02f;
        Assert.Equal(0.02f, optimizer.LearningRate);
        optimizer.Step();
        expectedHead = expectedHead * (1 - 0.02 * 0.5) - 0.02;
        AssertClose([2 - 0.1 - 0.2, -1 + 0.1 + 0.2], [expectedHead], gates, head);

        // frozen gates: the head alone moves
        optimizer.GatesFrozen = true;
        optimizer.Step();
        expectedHead = expectedHead * (1 - 0.02 * 0.5) - 0.02;
        AssertClose([2 - 0.3, -1 + 0.3], [expectedHead], gates, head);

        optimizer.ZeroGradients();
        Assert.Equal([0f, 0f], gates.Gradient);
        Assert.Equal([0f], head.Gradient);
    }

    private static void AssertClose(double[] gates, double[] head, Parameter g, Parameter h)
    {
        for (int i = 0; i < gates.Length; i++) Assert.Equal(gates[i], g.Value[i], 1e-5);
        for (int i = 0; i < head.Length; i++) Assert.Equal(head[i], h.Value[i], 1e-5);
    }

    [Fact]
    public void The_gates_stay_at_their_start_through_the_warm_up_epochs_and_move_after()
    {
        // 0.4 of 5 epochs: epochs 0 and 1 train the head alone. E[L0] at the start is slots x P(z != 0) with
        // P = sigmoid(log_alpha - beta log(-gamma / zeta)), log_alpha = logit(0.7), worked out here.
        var settings = Settings with { GateWarmupFraction = 0.4f, InitialKeepProbability = 0.7f };
        var fit = GatedSelectorTrainer.Train(settings, Identity, Source(1, 16), Rows);
        double p = 1 / (1 + Math.Exp(-(Math.Log(0.7 / 0.3) - 2.0 / 3.0 * Math.Log(0.1 / 1.1))));
        Assert.Equal([0, 1, 2, 3, 4], fit.History.Select(e => e.Epoch));
        Assert.Equal(Slots * p, fit.History[0].ExpectedL0, 1e-5);
        Assert.Equal(Slots * p, fit.History[1].ExpectedL0, 1e-5);
        Assert.True(Math.Abs(fit.History[2].ExpectedL0 - Slots * p) > 1e-3, $"E[L0] after the warm-up: {fit.History[2].ExpectedL0}");
    }

    [Fact]
    public void The_result_reports_the_final_gates_and_the_history_counts_open_gates()
    {
        var fit = GatedSelectorTrainer.Train(Settings, Identity, Source(1, 16), Rows);
        var constants = new Ml.Relaxation.Relaxations.HardConcreteParameters(Settings.Gamma, Settings.Zeta, Settings.Temperature);
        var p = new float[Slots];
        var z = new float[Slots];
        Ml.Relaxation.Relaxations.HardConcrete.ProbabilityNonZero(fit.LogAlpha, p, constants);
        Ml.Relaxation.Relaxations.HardConcrete.TestTimeGate(fit.LogAlpha, z, constants);
        Assert.Equal(p, fit.ProbabilityNonZero);
        Assert.Equal(z, fit.TestTimeGates);
        Assert.Equal(p.Sum(), fit.ExpectedL0, 1e-6);
        Assert.Equal(p.Count(v => v > 0.5f), fit.SelectedCount);
        var last = fit.History[^1];
        Assert.Equal(z.Count(v => v != 0f), last.OpenGates);
        Assert.Equal(p.Sum(), last.ExpectedL0, 1e-5);
        Assert.True(float.IsNaN(last.ValidationLoss));
        Assert.True(last.TrainingLoss > 0f && float.IsFinite(last.TrainingLoss));
        Assert.False(fit.StoppedEarly);
    }

    [Fact]
    public void A_slot_counts_as_selected_only_when_its_gate_is_more_likely_open_than_shut()
    {
        var fit = new GatedFitResult([0f, 0f, 0f, 0f], [0.5f, 0.7f, 0.2f, 0.50001f], new float[4], [], false, 1, 2);
        Assert.Equal(2, fit.SelectedCount); // 0.5 is not more likely open than shut
        Assert.Equal(1.90001f, fit.ExpectedL0, 1e-5f);
    }

    [Fact]
    public void The_head_initializes_hidden_layers_for_relu_and_the_output_layer_for_a_linear_output()
    {
        // He uniform U(-a, a), a = sqrt(6 / fan in), for the ReLU layer (variance 2 / 300 here); Glorot uniform,
        // a = sqrt(6 / (fan in + fan out)), for the output layer (variance 2 / 200); biases 0.
        var head = new PredictorHead(300, [100], 100, batchCapacity: 1, new RandomSource(5));
        Assert.Equal(["head.0.weight", "head.0.bias", "head.1.weight", "head.1.bias"], head.Parameters.Select(p => p.Name));
        AssertUniform(head.Parameters[0].Value, Math.Sqrt(6.0 / 300));
        AssertUniform(head.Parameters[2].Value, Math.Sqrt(6.0 / 200));
        Assert.All(head.Parameters[1].Value, b => Assert.Equal(0f, b));
        Assert.All(head.Parameters[3].Value, b => Assert.Equal(0f, b));
    }

    /// <summary>Every value within (-a, a), the extremes near +-a, and the variance a^2 / 3 within 5% (about 5 standard errors at 10,000 values).</summary>
    private static void AssertUniform(float[] w, double a)
    {
        Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, a));
        Assert.True(w.Max() > 0.99 * a && w.Min() < -0.99 * a, $"range [{w.Min()}, {w.Max()}] for a = {a}");
        double variance = w.Average(v => (double)v * v);
        Assert.InRange(variance, a * a / 3 * 0.95, a * a / 3 * 1.05);
    }

    [Fact]
    public void Without_holdout_rows_the_holdout_loss_is_nan_and_with_the_training_rows_it_is_the_training_loss()
    {
        var none = GatedSelectorTrainer.Train(Settings, Identity, Source(1, 16), Rows);
        Assert.True(double.IsNaN(none.HoldoutTaskLoss));
        Assert.True(none.TrainingTaskLoss > 0 && none.TrainingTaskLoss < Math.Log(2), $"training loss {none.TrainingTaskLoss}");
        var same = GatedSelectorTrainer.Train(Settings, Identity, Source(1, 16), Rows, holdout: Source(1, 7));
        Assert.Equal(none.TrainingTaskLoss, same.TrainingTaskLoss);
        Assert.Equal(none.TrainingTaskLoss, same.HoldoutTaskLoss, 1e-6);
    }

    [Fact]
    public void Validation_rows_without_a_patience_change_nothing_and_with_one_stop_training_early()
    {
        // Validation rows with the opposite label get worse as training fits the training rows.
        var plain = GatedSelectorTrainer.Train(Settings, Identity, Source(1, 16), Rows);
        var validated = GatedSelectorTrainer.Train(Settings, Identity, Source(1, 16), Rows, validation: Source(2, 16, flip: true));
        Assert.Equal(plain.LogAlpha, validated.LogAlpha); // no best-epoch restore without early stopping
        Assert.All(validated.History, e => Assert.True(float.IsFinite(e.ValidationLoss)));

        var patient = Settings with { EarlyStoppingPatience = 1, Epochs = 20 };
        var alone = GatedSelectorTrainer.Train(patient, Identity, Source(1, 16), Rows); // a patience without validation rows is ignored
        Assert.False(alone.StoppedEarly);
        Assert.Equal(20, alone.History.Count);
        var stopped = GatedSelectorTrainer.Train(patient, Identity, Source(1, 16), Rows, validation: Source(2, 16, flip: true));
        Assert.True(stopped.StoppedEarly);
        Assert.True(stopped.History.Count < 20);
    }

    [Fact]
    public void Every_epoch_is_reported_to_the_progress_as_it_ends()
    {
        var seen = new List<GatedSelectionEpoch>();
        var fit = GatedSelectorTrainer.Train(Settings, Identity, Source(1, 16), Rows, progress: new Collect(seen));
        Assert.Equal(fit.History, seen);
    }

    private sealed class Collect(List<GatedSelectionEpoch> into) : IProgress<GatedSelectionEpoch>
    {
        public void Report(GatedSelectionEpoch value) => into.Add(value);
    }
}
