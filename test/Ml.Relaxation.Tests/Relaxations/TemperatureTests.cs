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
}
