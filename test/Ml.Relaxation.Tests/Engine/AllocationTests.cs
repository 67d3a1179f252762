using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Tests.Reliability;

namespace Ml.Relaxation.Tests.Engine;

public class AllocationTests
{
    [Fact]
    public void A_training_step_allocates_nothing_after_warm_up()
    {
        // Big enough that the products and Adam are split across threads.
        var rng = new RandomSource(80);
        var first = new Linear(300, 256, rng, Initialization.He);
        var second = new Linear(256, 30, rng);
        Parameter prior = new("prior", 1, 30);
        Parameter[] parameters = [.. first.Parameters, .. second.Parameters, prior];
        var adam = new Adam(parameters, weightDecay: 0.01f);
        var sgd = new Sgd(parameters, momentum: 0.9f);
        Matrix x = GradientCheck.Random(100, 300, 81), t = GradientCheck.Random(100, 30, 82, 0f, 1f);
        var labels = new Matrix(100, 1);
        Matrix h = new(100, 256), dh = new(100, 256), o = new(100, 30), d = new(100, 30), dx = new(100, 300);
        void Step()
        {
            adam.ZeroGradients();
            first.Forward(x, h);
            Activations.Relu(h.AsSpan(), h.AsSpan());
            second.Forward(h, o);
            Losses.BinaryCrossEntropyWithLogits(o, t, d);
            Losses.MeanSquaredError(o, t, d, accumulate: true);
            Losses.SoftmaxCrossEntropy(o, labels, d, accumulate: true);
            Losses.CategoricalKlFromUniform(o, 3, 10, d, accumulate: true);
            Losses.CategoricalKl(o, prior.Value, 3, 10, d, prior.Gradient, accumulate: true);
            Activations.Softmax(o.AsSpan(), o.AsSpan(), 10);
            Activations.SoftmaxBackward(o.AsSpan(), d.AsSpan(), d.AsSpan(), 10);
            Activations.Sigmoid(o.AsSpan(), o.AsSpan());
            Activations.SigmoidBackward(o.AsSpan(), d.AsSpan(), d.AsSpan());
            Activations.TanhBackward(o.AsSpan(), d.AsSpan(), d.AsSpan());
            second.Backward(h, d, dh);
            Activations.ReluBackward(h.AsSpan(), dh.AsSpan(), dh.AsSpan());
            first.Backward(x, dh, dx);
            GradientClipping.ClipByGlobalNorm(parameters, 1f);
            adam.Step();
            sgd.Step();
        }
        Allocations.AssertNoneAfterWarmUp(Step);
    }
}
