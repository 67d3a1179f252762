using Ml.Relaxation.Engine;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Benchmarks.Engine;

/// <summary>
/// One training step of the discrete VAE of Jang et al. (2017) built from engine parts, the same network and loss as
/// <c>shared/peers/torch_vae.py</c>: encoder 784-512-256-(20 x 10) with ReLU, Gumbel-Softmax sample (soft, tau 1),
/// decoder 200-256-512-784 with ReLU, loss = BCE-with-logits reconstruction summed over pixels + KL(q || uniform),
/// both averaged over the batch of 100; then backward and one Adam update (lr 1e-3).
/// </summary>
internal sealed class JangVaeStep
{
    /// <summary>Latents.</summary>
    public const int L = 20;

    /// <summary>Categories per latent.</summary>
    public const int K = 10;

    private readonly Linear[] _layers;
    private readonly Matrix _x;
    private readonly Matrix _h1, _h2, _logits, _z, _d1, _d2, _xl;
    private readonly Matrix _dh1, _dh2, _dLogits, _dz, _dd1, _dd2, _dxl;
    private readonly RandomSource _noise = new(7, 1);
    private const float Tau = 1f;

    /// <summary>Builds the network with seeded weights and a batch of binarized pseudo-images.</summary>
    public JangVaeStep(int batch = 100, ulong seed = 1)
    {
        var rng = new RandomSource(seed);
        int[] sizes = [784, 512, 256, L * K, 256, 512, 784];
        _layers = new Linear[6];
        for (int i = 0; i < 6; i++) _layers[i] = new Linear(sizes[i], sizes[i + 1], rng, i == 2 || i == 5 ? Initialization.Glorot : Initialization.He, $"layer{i}");
        Parameters = _layers.SelectMany(l => l.Parameters).ToArray();
        Optimizer = new Adam(Parameters, 1e-3f);
        _x = new Matrix(batch, 784);
        rng.NextUniforms(_x.AsSpan());
        Span<float> x = _x.AsSpan();
        for (int i = 0; i < x.Length; i++) x[i] = x[i] < 0.2f ? 1f : 0f; // about as sparse as binarized MNIST
        (_h1, _dh1) = (new Matrix(batch, 512), new Matrix(batch, 512));
        (_h2, _dh2) = (new Matrix(batch, 256), new Matrix(batch, 256));
        (_logits, _dLogits) = (new Matrix(batch, L * K), new Matrix(batch, L * K));
        (_z, _dz) = (new Matrix(batch, L * K), new Matrix(batch, L * K));
        (_d1, _dd1) = (new Matrix(batch, 256), new Matrix(batch, 256));
        (_d2, _dd2) = (new Matrix(batch, 512), new Matrix(batch, 512));
        (_xl, _dxl) = (new Matrix(batch, 784), new Matrix(batch, 784));
    }

    /// <summary>All weights and biases.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The optimizer.</summary>
    public Adam Optimizer { get; }

    /// <summary>Forward pass; returns the negative ELBO of the batch.</summary>
    public float Forward()
    {
        _layers[0].Forward(_x, _h1);
        Activations.Relu(_h1.AsSpan(), _h1.AsSpan());
        _layers[1].Forward(_h1, _h2);
        Activations.Relu(_h2.AsSpan(), _h2.AsSpan());
        _layers[2].Forward(_h2, _logits);
        GumbelSoftmax.Sample(_noise, _logits.AsSpan(), K, Tau, _z.AsSpan());
        _layers[3].Forward(_z, _d1);
        Activations.Relu(_d1.AsSpan(), _d1.AsSpan());
        _layers[4].Forward(_d1, _d2);
        Activations.Relu(_d2.AsSpan(), _d2.AsSpan());
        _layers[5].Forward(_d2, _xl);
        float reconstruction = Losses.BinaryCrossEntropyWithLogits(_xl, _x, _dxl);
        return reconstruction + Losses.CategoricalKlFromUniform(_logits, L, K);
    }

    /// <summary>Backward pass (after <see cref="Forward"/>): gradients of every parameter, added.</summary>
    public void Backward()
    {
        _layers[5].Backward(_d2, _dxl, _dd2);
        Activations.ReluBackward(_d2.AsSpan(), _dd2.AsSpan(), _dd2.AsSpan());
        _layers[4].Backward(_d1, _dd2, _dd1);
        Activations.ReluBackward(_d1.AsSpan(), _dd1.AsSpan(), _dd1.AsSpan());
        _layers[3].Backward(_z, _dd1, _dz);
        GumbelSoftmax.Backward(_z.AsSpan(), _dz.AsSpan(), K, Tau, _dLogits.AsSpan());
        Losses.CategoricalKlFromUniform(_logits, L, K, _dLogits, accumulate: true);
        _layers[2].Backward(_h2, _dLogits, _dh2);
        Activations.ReluBackward(_h2.AsSpan(), _dh2.AsSpan(), _dh2.AsSpan());
        _layers[1].Backward(_h1, _dh2, _dh1);
        Activations.ReluBackward(_h1.AsSpan(), _dh1.AsSpan(), _dh1.AsSpan());
        _layers[0].Backward(_x, _dh1, null);
    }

    /// <summary>Zero gradients, forward, backward, Adam: one training step. Returns the loss.</summary>
    public float Step()
    {
        Optimizer.ZeroGradients();
        float loss = Forward();
        Backward();
        Optimizer.Step();
        return loss;
    }
}
