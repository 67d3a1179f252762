using Ml.Relaxation.Engine;
using Ml.Relaxation.Parallelism;
using Ml.Relaxation.Randomness;

namespace Ml.Relaxation.Tests.Engine;

public class TrainingLoopTests
{
    private static (Matrix X, Matrix Y) Xor()
    {
        var x = new Matrix(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }, 4, 2);
        var y = new Matrix(new float[] { 0, 1, 1, 0 }, 4, 1);
        return (x, y);
    }

    [Fact]
    public void A_tiny_mlp_learns_xor()
    {
        var (x, y) = Xor();
        var model = new TinyMlp(2, 8, 1, 4, seed: 1, binary: true);
        var data = new InMemoryBatchSource(x, y, batchSize: 4, seed: 2);
        TrainingHistory history = TrainingLoop.Run(model, data, data, new TrainingOptions { Epochs = 500, LearningRate = 0.05f });
        EpochReport last = history.Epochs[^1];
        Assert.Equal(1.0, last.Metrics["accuracy"]);
        Assert.True(last.ValidationMetric < 0.05, $"final BCE {last.ValidationMetric}");
        Assert.True(history.Epochs[0].TrainLoss > 0.5, "XOR is not linearly separable: the untrained loss should be near log 2");
    }

    [Fact]
    public void A_linear_regression_recovers_known_weights()
    {
        // y = x W + b + noise with noise sd 0.01 over 2000 rows: least squares pins W to about 0.01/sqrt(2000) ~ 2e-4.
        const int n = 2000, d = 5;
        float[] w = [1.5f, -2f, 0.5f, 0f, 3f];
        const float b = -0.7f;
        Matrix x = GradientCheck.Random(n, d, 40);
        Matrix noise = GradientCheck.Random(n, 1, 41, -0.0173f, 0.0173f); // U(-a, a) with sd a/sqrt(3) = 0.01
        var y = new Matrix(n, 1);
        for (int r = 0; r < n; r++)
        {
            float s = b + noise[r, 0];
            for (int c = 0; c < d; c++) s += x[r, c] * w[c];
            y[r, 0] = s;
        }
        var layer = new Linear(d, 1, new RandomSource(42));
        var model = new LinearRegression(layer, 50);
        TrainingLoop.Run(model, new InMemoryBatchSource(x, y, 50, seed: 43), null,
            new TrainingOptions { Epochs = 60, Optimizer = new Sgd(layer.Parameters, 0.1f, momentum: 0.9f) });
        for (int c = 0; c < d; c++) Assert.Equal(w[c], layer.Weight.Value[c], 2);
        Assert.Equal(b, layer.Bias.Value[0], 2);
    }

    private sealed class LinearRegression(Linear layer, int capacity) : ITrainableModel
    {
        private readonly Matrix _y = new(capacity, 1), _dy = new(capacity, 1);

        public IReadOnlyList<Parameter> Parameters => layer.Parameters;

        public float TrainStep(Batch batch, TrainingStep step)
        {
            _y.SetRows(batch.Rows);
            _dy.SetRows(batch.Rows);
            layer.Forward(batch.Features, _y);
            float loss = Losses.MeanSquaredError(_y, batch.Targets, _dy);
            layer.Backward(batch.Features, _dy, null);
            return loss;
        }

        public double Evaluate(IBatchSource source, IDictionary<string, double> metrics) => throw new NotSupportedException();
    }

    [Fact]
    public void Training_is_bit_identical_at_any_thread_count()
    {
        // Shapes large enough that every product is split across threads.
        Matrix x = GradientCheck.Random(256, 64, 50);
        Matrix y = GradientCheck.Random(256, 3, 51, 0f, 1f);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using (DegreeOfParallelism.Override(threads))
            {
                var model = new TinyMlp(64, 256, 3, 64, seed: 52, binary: true);
                TrainingLoop.Run(model, new InMemoryBatchSource(x, y, 64, seed: 53), null, new TrainingOptions { Epochs = 3 });
                float[] all = model.Parameters.SelectMany(p => p.Value).ToArray();
                if (first is null) first = all;
                else Assert.Equal(first, all);
            }
        }
    }

    [Fact]
    public void An_mlp_with_its_loss_passes_a_finite_difference_check_end_to_end()
    {
        var model = new TinyMlp(6, 7, 3, 5, seed: 60, binary: true);
        Matrix x = GradientCheck.Random(5, 6, 61), y = GradientCheck.Random(5, 3, 62, 0f, 1f);
        var batch = new Batch(5, 6, 3);
        x.AsSpan().CopyTo(batch.Features.AsSpan());
        y.AsSpan().CopyTo(batch.Targets.AsSpan());
        model.TrainStep(batch, default);
        foreach (Parameter p in model.Parameters)
            GradientCheck.Check(p.Value, p.Gradient, () => model.Loss(batch.Features, batch.Targets, null), p.Name);
    }

    /// <summary>A model whose validation metric is scripted per epoch and whose single weight counts the steps.</summary>
    private sealed class Scripted(double[] metrics) : ITrainableModel
    {
        private readonly Parameter _w = new("w", 1, 1);
        private int _evaluations;

        public IReadOnlyList<Parameter> Parameters => [_w];

        public List<TrainingStep> Steps { get; } = [];

        public float TrainStep(Batch batch, TrainingStep step)
        {
            Steps.Add(step);
            _w.Gradient[0] = -1f; // SGD with lr 1 adds 1 per step
            return 1f;
        }

        public double Evaluate(IBatchSource source, IDictionary<string, double> extra)
        {
            extra["weight"] = _w.Value[0];
            return metrics[_evaluations++];
        }
    }

    private static InMemoryBatchSource TwoBatches() => new(new Matrix(4, 1), null, 2);

    [Fact]
    public void Early_stopping_stops_after_patience_and_restores_the_best_parameters()
    {
        var model = new Scripted([5, 3, 4, 3.5, 1, 0]);
        var reports = new List<EpochReport>();
        var options = new TrainingOptions
        {
            Epochs = 6, EarlyStoppingPatience = 2, Progress = new SyncProgress(reports.Add),
            Optimizer = new Sgd(model.Parameters, 1f),
        };
        TrainingHistory history = TrainingLoop.Run(model, TwoBatches(), TwoBatches(), options);
        Assert.True(history.StoppedEarly);
        Assert.Equal(4, history.Epochs.Count); // best at epoch 1, then 2 epochs without improvement
        Assert.Equal(1, history.BestEpoch);
        Assert.Equal(4f, model.Parameters[0].Value[0]); // two epochs of two steps each
        Assert.Equal(new[] { true, true, false, false }, history.Epochs.Select(e => e.IsBest));
        Assert.Equal(history.Epochs, reports);
        Assert.Equal(8.0, reports[^1].Metrics["weight"]);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), model.Steps.Select(s => s.Step));
        Assert.Equal(new[] { 0, 1, 0, 1 }, model.Steps.Take(4).Select(s => s.BatchInEpoch));
    }

    [Fact]
    public void The_step_hook_runs_before_every_step_in_order()
    {
        var model = new Scripted(new double[3]);
        var seen = new List<TrainingStep>();
        TrainingLoop.Run(model, TwoBatches(), null, new TrainingOptions { Epochs = 3, OnStep = seen.Add });
        Assert.Equal(model.Steps, seen);
        Assert.Equal(new[] { 0, 0, 1, 1, 2, 2 }, seen.Select(s => s.Epoch));
    }

    [Fact]
    public void Cancellation_throws_before_the_next_batch()
    {
        var model = new Scripted(new double[5]);
        using var cts = new CancellationTokenSource();
        var options = new TrainingOptions { Epochs = 5, OnStep = s => { if (s.Step == 2) cts.Cancel(); } };
        Assert.Throws<OperationCanceledException>(() => TrainingLoop.Run(model, TwoBatches(), null, options, cts.Token));
        Assert.Equal(3, model.Steps.Count);
    }

    [Fact]
    public void Bad_options_are_rejected_naming_the_setting()
    {
        var model = new Scripted(new double[1]);
        Assert.Equal("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() =>
            TrainingLoop.Run(model, TwoBatches(), null, new TrainingOptions { Epochs = 0 })).ParamName);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Run(model, TwoBatches(), null, new TrainingOptions { EarlyStoppingPatience = 2 })).ParamName);
    }

    [Fact]
    public void Early_stopping_tracker_respects_direction_and_min_delta()
    {
        var lower = new EarlyStopping(2, minDelta: 0.1);
        Assert.True(lower.Update(1.0));
        Assert.False(lower.Update(0.95)); // not better by more than 0.1
        Assert.True(lower.Update(0.8));
        Assert.False(lower.Update(double.NaN));
        Assert.False(lower.ShouldStop);
        Assert.False(lower.Update(0.9));
        Assert.True(lower.ShouldStop);
        var higher = new EarlyStopping(1, higherIsBetter: true);
        Assert.True(higher.Update(0.5));
        Assert.True(higher.Update(0.6));
        Assert.False(higher.Update(0.55));
        Assert.True(higher.ShouldStop);
    }

    /// <summary>Progress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
