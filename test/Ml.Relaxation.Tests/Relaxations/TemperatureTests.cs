using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

public class TemperatureTests
{
    [Fact]
    public void Constant_temperature_is_constant_and_validated()
    {
        var t = new ConstantTemperature(0.7f);
        t.OnStep(1000); t.OnValidation(3);
        Assert.Equal(0.7f, t.Temperature);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantTemperature(0)).ParamName);
    }

    [Fact]
    public void Annealing_follows_max_of_minimum_and_exponential_decay_updated_every_interval()
    {
        var t = new AnnealedTemperature(initial: 2f, rate: 1e-3, minimum: 0.5f, interval: 100);
        Assert.Equal(2f, t.Temperature);
        t.OnStep(99);
        Assert.Equal(2f, t.Temperature); // not updated before the interval
        t.OnStep(250);
        Assert.Equal(2 * Math.Exp(-1e-3 * 200), t.Temperature, 5);
        t.OnStep(100_000);
        Assert.Equal(0.5f, t.Temperature);
        Assert.Equal(t.At(1234), (float)(2 * Math.Exp(-1e-3 * 1200)), 5);
        Assert.Equal("minimum", Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature(initial: 0.4f)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature(rate: -1)).ParamName);
        Assert.Equal("interval", Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature(interval: 0)).ParamName);
        var defaults = new AnnealedTemperature();
        Assert.Equal((1f, 3e-5, 0.5f, 100), (defaults.Initial, defaults.Rate, defaults.Minimum, defaults.Interval));
    }

    [Fact]
    public void Adaptive_temperature_drops_after_patience_evaluations_without_improvement_and_stops_at_the_minimum()
    {
        var t = new AdaptiveTemperature(initial: 1f, factor: 0.5f, patience: 2, minimum: 0.3f);
        t.OnValidation(10); t.OnValidation(9); // improving
        Assert.Equal(1f, t.Temperature);
        t.OnValidation(9.5); Assert.Equal(1f, t.Temperature);
        t.OnValidation(9.2); Assert.Equal(0.5f, t.Temperature);
        t.OnValidation(8); t.OnValidation(8); t.OnValidation(8);
        Assert.Equal(0.3f, t.Temperature);
        var acc = new AdaptiveTemperature(initial: 1f, patience: 1, higherIsBetter: true);
        acc.OnValidation(0.5); acc.OnValidation(0.6); Assert.Equal(1f, acc.Temperature);
        acc.OnValidation(0.55); Assert.Equal(0.5f, acc.Temperature);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(factor: 1f)).ParamName);
        Assert.Equal("metric", Assert.Throws<ArgumentException>(() => t.OnValidation(double.NaN)).ParamName);
    }

    [Fact]
    public void Learned_temperatures_start_where_asked_stay_in_their_constraints_and_have_the_right_gradient()
    {
        foreach (var t in new[] { LearnedTemperature.Softplus(0.8f, 1e-2, penaltyWeight: 0.1), LearnedTemperature.Bounded(0.8f, 0.2, 3, penaltyWeight: 0.1) })
        {
            Assert.Equal(0.8f, t.Temperature, 5);
            // Loss(tau) = (tau - 2)^2 + penalty; check d/draw by central differences on raw.
            double Total(float raw) { t.Raw = raw; return Math.Pow(t.Temperature - 2, 2) + t.Penalty; }
            float r0 = t.Raw;
            double analytic = t.RawGradient(2 * (t.Temperature - 2));
            double numeric = (Total(r0 + 1e-2f) - Total(r0 - 1e-2f)) / 2e-2;
            Assert.True(Math.Abs(analytic - numeric) < 1e-3 * Math.Max(1, Math.Abs(numeric)), $"{t.Constraint}: {analytic} vs {numeric}");
            t.Raw = -80f; Assert.True(t.Temperature > 0);
            t.Raw = 80f; Assert.True(float.IsFinite(t.Temperature));
        }
        var b = LearnedTemperature.Bounded(1f, 0.5, 2);
        b.Raw = 30f; Assert.True(b.Temperature <= 2f);
        b.Raw = -30f; Assert.True(b.Temperature >= 0.5f);
        var s = LearnedTemperature.Softplus(1f, 0.05);
        s.Raw = -30f; Assert.True(s.Temperature >= 0.05f);
        Assert.Equal("initial", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Bounded(5f, 0.5, 2)).ParamName);
        Assert.Equal("Raw", Assert.Throws<ArgumentOutOfRangeException>(() => s.Raw = float.NaN).ParamName);
    }

    [Fact]
    public void Annealing_checks_each_setting_by_name_and_accepts_its_boundaries()
    {
        Assert.Equal("initial", Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature(initial: 0f)).ParamName);
        Assert.Equal("minimum", Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature(minimum: 0f)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature(initial: 0.4f));
        Assert.Contains("must not exceed the initial temperature", e.Message);
        foreach (var rate in new[] { double.NaN, double.PositiveInfinity, -1e-9 })
            Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature(rate: rate)).ParamName);
        Assert.Contains("decay rate must be a finite number of at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature(rate: -1)).Message);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => new AnnealedTemperature().At(-1)).ParamName);
        // The boundaries are valid: minimum equal to initial, no decay, an update every step.
        var flat = new AnnealedTemperature(initial: 0.7f, rate: 0, minimum: 0.7f, interval: 1);
        flat.OnStep(5000); flat.OnValidation(1);
        Assert.Equal(0.7f, flat.Temperature);
        // Every step: tau(t) = 3 exp(-0.01 t) at t = 7 (1.8652...), and the step's own value, not a neighbour's.
        var every = new AnnealedTemperature(initial: 3f, rate: 0.01, minimum: 0.1f, interval: 1);
        Assert.Equal(3 * Math.Exp(-0.07), every.At(7), 6);
        // Interval 50: step 149 uses t = 100.
        Assert.Equal(3 * Math.Exp(-0.01 * 100), new AnnealedTemperature(3f, 0.01, 0.1f, 50).At(149), 6);
    }

    [Fact]
    public void Adaptive_temperature_checks_each_setting_by_name_and_accepts_its_boundaries()
    {
        Assert.Equal("initial", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(initial: float.NaN)).ParamName);
        Assert.Equal("minimum", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(minimum: -1f)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(initial: 0.5f, minimum: 0.6f));
        Assert.Equal("minimum", e.ParamName);
        Assert.Contains("must not exceed the initial temperature", e.Message);
        foreach (var factor in new[] { 0f, 1f, -0.5f, float.NaN })
            Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(factor: factor)).ParamName);
        Assert.Contains("strictly between 0 and 1", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(factor: 2f)).Message);
        Assert.Contains("minDelta must be a finite number of at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(minDelta: -1)).Message);
        Assert.Contains("The validation metric is NaN", Assert.Throws<ArgumentException>(() => new AdaptiveTemperature().OnValidation(double.NaN)).Message);
        Assert.Equal("patience", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(patience: 0)).ParamName);
        foreach (var delta in new[] { -0.1, double.NaN, double.PositiveInfinity })
            Assert.Equal("minDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveTemperature(minDelta: delta)).ParamName);
        var t = new AdaptiveTemperature(initial: 0.5f, factor: 0.25f, patience: 1, minimum: 0.5f, higherIsBetter: true, minDelta: 0);
        Assert.Equal((0.25f, 1, 0.5f, true, 0.0), (t.Factor, t.Patience, t.Minimum, t.HigherIsBetter, t.MinDelta));
        t.OnStep(10);
        t.OnValidation(1); t.OnValidation(0);
        Assert.Equal(0.5f, t.Temperature); // already at its minimum
    }

    [Fact]
    public void Adaptive_temperature_counts_only_improvements_beyond_min_delta_and_restarts_the_count_after_a_drop()
    {
        // A loss, minDelta 0.5, patience 2: 10 sets the best; 9.6 and 9.5 are not better than 10 - 0.5; the second of
        // them lowers tau to 0.5; 9.4 is an improvement (best 9.4); 9.4 again is not (equal is no improvement).
        var loss = new AdaptiveTemperature(initial: 1f, factor: 0.5f, patience: 2, minimum: 0.01f, minDelta: 0.5);
        loss.OnValidation(10); loss.OnValidation(9.6);
        Assert.Equal(1f, loss.Temperature);
        loss.OnValidation(9.5);
        Assert.Equal(0.5f, loss.Temperature);
        loss.OnValidation(9.4);
        loss.OnValidation(9.4);
        Assert.Equal(0.5f, loss.Temperature); // one stale evaluation since the drop
        loss.OnValidation(9.4);
        Assert.Equal(0.25f, loss.Temperature);
        // Equal values without minDelta are no improvement either: patience 1 drops at the first repeat.
        var same = new AdaptiveTemperature(initial: 1f, factor: 0.5f, patience: 1, minimum: 0.01f);
        same.OnValidation(3); Assert.Equal(1f, same.Temperature);
        same.OnValidation(3); Assert.Equal(0.5f, same.Temperature);
        same.OnValidation(2.9); Assert.Equal(0.5f, same.Temperature);
        // An accuracy, minDelta 0.1: 0.5 then 0.55 is stale (drop), 0.65 an improvement.
        var acc = new AdaptiveTemperature(initial: 1f, factor: 0.5f, patience: 1, minimum: 0.01f, higherIsBetter: true, minDelta: 0.1);
        acc.OnValidation(0.5); acc.OnValidation(0.55);
        Assert.Equal(0.5f, acc.Temperature);
        acc.OnValidation(0.65);
        Assert.Equal(0.5f, acc.Temperature);
        // An equal accuracy is no improvement either.
        var same2 = new AdaptiveTemperature(initial: 1f, factor: 0.5f, patience: 1, minimum: 0.01f, higherIsBetter: true);
        same2.OnValidation(0.7); same2.OnValidation(0.7);
        Assert.Equal(0.5f, same2.Temperature);
        // The count restarts after a drop: patience 2 and a flat metric lowers tau every second evaluation.
        var flat = new AdaptiveTemperature(initial: 1f, factor: 0.5f, patience: 2, minimum: 0.01f);
        var seen = new List<float>();
        for (int i = 0; i < 7; i++) { flat.OnValidation(1); seen.Add(flat.Temperature); }
        Assert.Equal(new[] { 1f, 1f, 0.5f, 0.5f, 0.25f, 0.25f, 0.125f }, seen);
    }

    [Fact]
    public void Learned_temperatures_follow_their_formulas_at_zero_and_check_each_setting_by_name()
    {
        // softplus(0) = log 2, sigmoid(0) = 1/2, sigmoid'(0) = 1/4.
        var s = LearnedTemperature.Softplus(1f, epsilon: 0.05, penaltyWeight: 0.3);
        Assert.Equal((TemperatureConstraint.Softplus, 0.05, 0.0, double.PositiveInfinity, 0.3), (s.Constraint, s.Epsilon, s.Lower, s.Upper, s.PenaltyWeight));
        Assert.Equal(Math.Log(Math.Exp(0.95) - 1), s.Raw, 5); // inverse softplus of 1 - 0.05
        s.Raw = 0f;
        Assert.Equal(Math.Log(2) + 0.05, s.Temperature, 6);
        Assert.Equal(0.3 * (Math.Log(2) + 0.05), s.Penalty, 6);
        Assert.Equal(0.5, s.TemperatureDerivative, 12);
        Assert.Equal((2.0 + 0.3) * 0.5, s.RawGradient(2.0), 12);
        s.Raw = 2f;
        Assert.Equal(1 / (1 + Math.Exp(-2)), s.TemperatureDerivative, 6);

        var b = LearnedTemperature.Bounded(2f, lower: 1, upper: 4, penaltyWeight: 0.2);
        Assert.Equal((TemperatureConstraint.Bounded, 0.0, 1.0, 4.0, 0.2), (b.Constraint, b.Epsilon, b.Lower, b.Upper, b.PenaltyWeight));
        Assert.Equal(Math.Log(1.0 / 3 / (2.0 / 3)), b.Raw, 5); // q = (2 - 1) / (4 - 1)
        b.Raw = 0f;
        Assert.Equal(2.5f, b.Temperature);
        Assert.Equal(0.2 * 2.5, b.Penalty, 6);
        Assert.Equal(3 * 0.25, b.TemperatureDerivative, 12);
        Assert.Equal((-1.0 + 0.2) * 0.75, b.RawGradient(-1.0), 12);
        b.Raw = 1f;
        double sig = 1 / (1 + Math.Exp(-1));
        Assert.Equal(3 * sig * (1 - sig), b.TemperatureDerivative, 6);
        Assert.Equal(1 + 3 * sig, b.Temperature, 6);
        var calls = LearnedTemperature.Bounded(2f, 1, 4);
        calls.OnStep(100); calls.OnValidation(0.5);
        Assert.Equal(2f, calls.Temperature, 6); // the callbacks leave it to the optimizer

        foreach (var w in new[] { -1.0, double.NaN, double.PositiveInfinity })
        {
            Assert.Equal("penaltyWeight", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Softplus(penaltyWeight: w)).ParamName);
            Assert.Equal("penaltyWeight", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Bounded(penaltyWeight: w)).ParamName);
        }
        Assert.Contains("penalty weight must be a finite number of at least 0", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Softplus(penaltyWeight: -1)).Message);
        Assert.Contains("epsilon must be a finite number of at least about 2.9e-39", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Softplus(1f, 0)).Message);
        Assert.Contains("lower bound must be a finite number of at least about 2.9e-39", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Bounded(1f, 0, 5)).Message);
        Assert.Contains("raw temperature parameter must be finite", Assert.Throws<ArgumentOutOfRangeException>(() => b.Raw = float.NaN).Message);
        foreach (var eps in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity, 1e-40 })
            Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Softplus(1f, eps)).ParamName);
        foreach (var init in new[] { 0.5f, 0.25f, float.PositiveInfinity, float.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Softplus(init, 0.5));
            Assert.Equal("initial", e.ParamName);
            Assert.Contains("greater than epsilon", e.Message);
        }
        foreach (var lower in new[] { 0.0, double.NaN, double.PositiveInfinity, 1e-40 })
            Assert.Equal("lower", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Bounded(1f, lower, 5)).ParamName);
        foreach (var upper in new[] { 0.5, 0.1, double.NaN, double.PositiveInfinity, 1e39 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Bounded(0.3f, 0.5, upper));
            Assert.Equal("upper", e.ParamName);
        }
        Assert.Contains("greater than the lower bound", Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Bounded(0.3f, 0.5, 0.5)).Message);
        foreach (var init in new[] { 1f, 4f, 0.5f, float.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => LearnedTemperature.Bounded(init, 1, 4));
            Assert.Equal("initial", e.ParamName);
            Assert.Contains("strictly between 1 and 4", e.Message);
        }
        Assert.Equal("Raw", Assert.Throws<ArgumentOutOfRangeException>(() => b.Raw = float.PositiveInfinity).ParamName);
    }
}
