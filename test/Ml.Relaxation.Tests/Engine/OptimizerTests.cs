using Ml.Relaxation.Engine;
using Ml.Relaxation.Parallelism;

namespace Ml.Relaxation.Tests.Engine;

public class OptimizerTests
{
    private static Parameter Make(params float[] values)
    {
        var p = new Parameter("p", 1, values.Length);
        values.CopyTo(p.Value, 0);
        return p;
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_the_learning_rate_against_its_gradient_sign()
    {
        // After one step m^ = g and v^ = g^2, so the update is lr g / (|g| + eps) = lr sign(g) for |g| >> eps.
        var p = Make(new float[11]);
        float[] g = [0.5f, -2f, 3e-3f, -7f, 1f, 1f, -1f, 0.25f, 100f, -0.1f, 2f];
        g.CopyTo(p.Gradient, 0);
        var adam = new Adam([p], learningRate: 0.01f);
        adam.Step();
        for (int i = 0; i < g.Length; i++) Assert.Equal(-0.01f * MathF.Sign(g[i]), p.Value[i], 5);
    }

    [Fact]
    public void Adam_matches_the_published_update_over_several_steps()
    {
        float[] grads = [0.3f, -1.2f, 0.7f, 0.05f];
        var p = Make(new float[9]);
        var adam = new Adam([p], learningRate: 0.1f, beta1: 0.8f, beta2: 0.9f, epsilon: 1e-3f);
        double x = 0, m = 0, v = 0;
        for (int t = 1; t <= grads.Length; t++)
        {
            Array.Fill(p.Gradient, grads[t - 1]);
            adam.Step();
            m = 0.8 * m + 0.2 * grads[t - 1];
            v = 0.9 * v + 0.1 * grads[t - 1] * grads[t - 1];
            double mHat = m / (1 - Math.Pow(0.8, t)), vHat = v / (1 - Math.Pow(0.9, t));
            x -= 0.1 * mHat / (Math.Sqrt(vHat) + 1e-3);
            Assert.All(p.Value, value => Assert.Equal(x, value, 5)); // vector lanes and the scalar tail agree
        }
    }

    [Fact]
    public void Adam_follows_a_three_step_trajectory_worked_out_by_hand()
    {
        // beta1 = 1/2, beta2 = 3/4, lr = 1/2, eps = 1/4 (large, so where it enters matters), gradients 1, -1, 2:
        //   t = 1: m = 1/2,   v = 1/4,       m^ = 1,    v^ = 1:         x = 0 - (1/2)(1)/(1 + 1/4)              = -0.4
        //   t = 2: m = -1/4,  v = 7/16,      m^ = -1/3, v^ = 1:         x = -0.4 + (1/2)(1/3)/(5/4)              = -0.2666667
        //   t = 3: m = 7/8,   v = 85/64,     m^ = 1,    v^ = 85/37:     x = -0.2666667 - (1/2)/(sqrt(85/37) + 1/4) = -0.5498431
        // (m^ = m / (1 - beta1^t), v^ = v / (1 - beta2^t)). Epsilon added to sqrt(v) instead of sqrt(v^), or no bias
        // correction at all, gives -1/3 at the first step.
        double[] expected = [-0.4, -0.26666667, -0.54984308];
        float[] grads = [1f, -1f, 2f];
        var p = Make(new float[11]); // a vector of 8 and a scalar tail of 3
        var adam = new Adam([p], learningRate: 0.5f, beta1: 0.5f, beta2: 0.75f, epsilon: 0.25f);
        for (int t = 0; t < 3; t++)
        {
            Array.Fill(p.Gradient, grads[t]);
            adam.Step();
            Assert.All(p.Value, value => Assert.Equal(expected[t], value, 6));
        }
    }

    [Fact]
    public void Adam_weight_decay_is_decoupled_from_the_gradient()
    {
        var p = Make(2f, -4f);
        var adamW = new Adam([p], learningRate: 0.1f, weightDecay: 0.5f);
        adamW.Step(); // zero gradient: only the decay acts, p *= 1 - lr wd
        Assert.Equal(new[] { 2f * 0.95f, -4f * 0.95f }, p.Value);
    }

    [Fact]
    public void Sgd_with_momentum_follows_the_heavy_ball_recursion()
    {
        var p = Make(1f);
        var sgd = new Sgd([p], learningRate: 0.1f, momentum: 0.9f);
        p.Gradient[0] = 1f;
        sgd.Step(); // v = 1, p = 0.9
        sgd.Step(); // v = 1.9, p = 0.71
        Assert.Equal(0.71f, p.Value[0], 6);
        sgd.ZeroGradients();
        Assert.Equal(0f, p.Gradient[0]);
        sgd.Step(); // v = 1.71, p = 0.539
        Assert.Equal(0.539f, p.Value[0], 6);
    }

    [Fact]
    public void Clipping_scales_to_the_global_norm_only_when_above_it()
    {
        Parameter a = Make(0f), b = Make(0f, 0f);
        a.Gradient[0] = 3f;
        b.Gradient[0] = 0f;
        b.Gradient[1] = 4f;
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm([a, b], 10f));
        Assert.Equal(3f, a.Gradient[0]);
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm([a, b], 1f));
        Assert.Equal(0.6f, a.Gradient[0], 6);
        Assert.Equal(0.8f, b.Gradient[1], 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([a], 0f));
    }

    [Fact]
    public void Bad_settings_are_rejected_naming_the_argument()
    {
        var p = Make(1f);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1f)).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], learningRate: -1f)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], momentum: 1f)).ParamName);
    }

    [Fact]
    public void Adam_split_across_threads_is_bit_identical_to_the_serial_update()
    {
        float[]? first = null;
        foreach (int threads in new[] { 1, 3, 4 })
        {
            using (DegreeOfParallelism.Override(threads))
            {
                // Odd lengths put part boundaries inside parameters and leave scalar tails.
                Parameter a = new("a", 301, 331), b = new("b", 1, 13), c = new("c", 257, 259);
                var adam = new Adam([a, b, c], learningRate: 0.01f, weightDecay: 0.1f);
                foreach (Parameter p in new[] { a, b, c })
                {
                    GradientCheck.Random(1, p.Value.Length, 70).AsSpan().CopyTo(p.Value);
                    GradientCheck.Random(1, p.Value.Length, 71).AsSpan().CopyTo(p.Gradient);
                }
                adam.Step();
                adam.Step();
                float[] all = [.. a.Value, .. b.Value, .. c.Value];
                if (first is null) first = all;
                else Assert.Equal(first, all);
            }
        }
    }
}
