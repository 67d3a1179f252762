using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Tests.Relaxations;

public class ProbabilitiesTests
{
    [Fact]
    public void Categorical_logits_are_log_p_with_a_zero_probability_masked()
    {
        var logits = new float[4];
        Probabilities.ToLogits(new[] { 0.5f, 0.25f, 1f, 0f }, logits);
        Assert.Equal(new[] { -0.693147f, -1.386294f, 0f, float.NegativeInfinity }, logits, (a, b) => a == b || Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void Bernoulli_logits_are_the_log_odds_with_certain_events_infinite()
    {
        var logits = new float[5];
        Probabilities.ToBernoulliLogits(new[] { 0.5f, 0.25f, 0.8f, 0f, 1f }, logits);
        // log(0.25 / 0.75) = -log 3, log(0.8 / 0.2) = log 4.
        Assert.Equal(new[] { 0f, -1.098612f, 1.386294f, float.NegativeInfinity, float.PositiveInfinity }, logits,
            (a, b) => a == b || Math.Abs(a - b) < 1e-6f);
    }

    [Theory]
    [InlineData(-0.01f)]
    [InlineData(1.01f)]
    [InlineData(float.NaN)]
    public void A_probability_outside_the_unit_interval_is_rejected_by_index(float bad)
    {
        foreach (var convert in new Action<float[], float[]>[] { (p, l) => Probabilities.ToLogits(p, l), (p, l) => Probabilities.ToBernoulliLogits(p, l) })
        {
            var logits = new float[3];
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => convert(new[] { 0.5f, 0.5f, bad }, logits));
            Assert.Equal("probabilities", e.ParamName);
            Assert.Contains("Probability 2 must lie in [0, 1]", e.Message);
            Assert.Equal("logits", Assert.Throws<ArgumentException>(() => convert(new[] { 0.5f, 0.5f }, logits)).ParamName);
        }
    }
}
