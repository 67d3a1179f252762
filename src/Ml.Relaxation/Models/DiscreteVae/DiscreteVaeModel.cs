using Ml.Relaxation.Engine;
using Ml.Relaxation.Numerics;
using Ml.Relaxation.Randomness;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Models.DiscreteVae;

/// <summary>
/// A variational autoencoder with discrete latents (Jang et al. 2017; Maddison et al. 2017): an MLP encoder maps a
/// row x to logits of L categorical latents of K categories (or of L bits), a relaxed sample of them (Gumbel-Softmax
/// or Binary Concrete, soft or straight-through) feeds an MLP decoder, and training minimizes the negative ELBO
/// E_q[-log p(x | z)] + KL(q(z | x) || p(z)) with the KL in closed form.
/// </summary>
/// <remarks>
/// Train it with <see cref="TrainingLoop"/> (it is an <see cref="ITrainableModel"/>) and set <see cref="Temperature"/>
/// from a schedule in <see cref="TrainingOptions.OnStep"/>, or give it a <see cref="Relaxations.LearnedTemperature"/>
/// to learn tau with the other parameters. The same seed and the same batches give bit-identical
/// parameters at any thread count. Instances are not thread-safe: the methods share work buffers.
/// </remarks>
internal sealed partial class DiscreteVaeModel : ITrainableModel
{
    /// <summary>Rows processed at a time by the evaluation and inference methods.</summary>
    private const int ChunkRows = 256;

    private readonly Mlp _encoder;
    private readonly Mlp _decoder;
    private readonly Parameter? _prior;
    private readonly Parameter? _rawTemperature;
    private readonly RandomSource _noise;
    private float _temperature = 1f;
    private Workspace _work = new(0, 0, 0, 0);

    /// <summary>Creates a model with weights drawn from <paramref name="seed"/>.</summary>
    /// <param name="architecture">Sizes and distributions; validated here.</param>
    /// <param name="seed">Seed of the initial weights and of the training noise.</param>
    /// <param name="learnedTemperature">When given, tau is learned: its unconstrained parameter joins
    /// <see cref="Parameters"/> (starting at the schedule's <see cref="LearnedTemperature.Raw"/>), the gradient of the
    /// objective with respect to tau (plus the schedule's penalty) trains it, and <see cref="Temperature"/> reads it.</param>
    public DiscreteVaeModel(DiscreteVaeArchitecture architecture, ulong seed = 0, LearnedTemperature? learnedTemperature = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        architecture.Validate();
        Architecture = architecture;
        Seed = seed;
        var root = new RandomSource(seed);
        int logits = architecture.LatentWidth;
        _encoder = new Mlp([architecture.FeatureCount, .. architecture.EncoderHiddenSizes, logits], root.Derive(1), "encoder");
        _decoder = new Mlp([logits, .. architecture.EffectiveDecoderHiddenSizes, architecture.FeatureCount], root.Derive(2), "decoder");
        _noise = root.Derive(3);
        if (architecture.Prior == LatentPrior.Learned)
            _prior = new Parameter("prior.logits", 1, LatentCount * CategoryCount);
        if (learnedTemperature is not null)
        {
            LearnedTemperature = learnedTemperature;
            _rawTemperature = new Parameter("temperature.raw", 1, 1);
            _rawTemperature.Value[0] = learnedTemperature.Raw;
        }
        Parameter[] extra = [.. new[] { _prior, _rawTemperature }.OfType<Parameter>()];
        Parameters = [.. _encoder.Parameters, .. _decoder.Parameters, .. extra];
    }

    /// <summary>The architecture this model was built with.</summary>
    public DiscreteVaeArchitecture Architecture { get; }

    /// <summary>The seed of the initial weights and of the training noise.</summary>
    public ulong Seed { get; }

    /// <summary>Width D of a data row.</summary>
    public int FeatureCount => Architecture.FeatureCount;

    /// <summary>Number of latent variables L.</summary>
    public int LatentCount => Architecture.LatentCount;

    /// <summary>Categories per latent K (2 for Bernoulli latents).</summary>
    public int CategoryCount => Architecture.EffectiveCategoryCount;

    /// <summary>Whether the latents are bits (Bernoulli) rather than categories.</summary>
    public bool HasBernoulliLatents => Architecture.Latents == LatentDistribution.Bernoulli;

    /// <summary>The learned temperature's schedule, or null when tau is set from outside.</summary>
    public LearnedTemperature? LearnedTemperature { get; }

    /// <summary>
    /// The temperature tau of the relaxation used by <see cref="TrainStep"/>; finite and greater than 0. Starts at 1.
    /// With a <see cref="LearnedTemperature"/> it is read from the learned parameter and cannot be set.
    /// </summary>
    public float Temperature
    {
        get
        {
            if (LearnedTemperature is null) return _temperature;
            LearnedTemperature.Raw = _rawTemperature!.Value[0];
            return LearnedTemperature.Temperature;
        }
        set
        {
            if (LearnedTemperature is not null)
                throw new InvalidOperationException("This model learns its temperature; it cannot be set.");
            if (!(value > 0f) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Expected a finite temperature greater than 0.");
            _temperature = value;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Encoder layers, input first (for export).</summary>
    internal IReadOnlyList<Linear> EncoderLayers => _encoder.Layers;

    /// <summary>Decoder layers, latent first (for export).</summary>
    internal IReadOnlyList<Linear> DecoderLayers => _decoder.Layers;

    /// <summary>The training noise stream; tests set its position to replay the same noise.</summary>
    internal RandomSource TrainingNoise => _noise;

    /// <summary>Where the training noise stream stands.</summary>
    internal ulong NoisePosition
    {
        get => _noise.Position;
        set => _noise.Position = value;
    }

    /// <summary>Writes the prior's probabilities, [L x K] row-major.</summary>
    public void PriorProbabilities(Span<float> probabilities)
    {
        CheckLength(probabilities.Length, LatentCount * CategoryCount, nameof(probabilities));
        float[] buffer = new float[LatentCount * CategoryCount];
        PriorLogProbabilities(buffer);
        for (int i = 0; i < buffer.Length; i++) probabilities[i] = MathF.Exp(buffer[i]);
    }

    /// <summary>log p(z_l = k) for every latent and category, [L*K].</summary>
    private void PriorLogProbabilities(Span<float> logP)
    {
        int k = CategoryCount;
        if (_prior is null)
        {
            logP.Fill(-MathF.Log(k));
            return;
        }
        Activations.LogSoftmax(_prior.Value.AsSpan(0, LatentCount * k), logP[..(LatentCount * k)], k);
    }

    /// <summary>log q(z_l = k | x) of one row from its encoder logits (L*K, or L for bits), [L*K].</summary>
    private void PosteriorLogProbabilities(ReadOnlySpan<float> logits, Span<float> logQ)
    {
        int k = CategoryCount;
        if (HasBernoulliLatents)
        {
            for (int l = 0; l < LatentCount; l++)
            {
                // log P(0) = log sigmoid(-a) = -softplus(a); log P(1) = -softplus(-a).
                logQ[2 * l] = -ScalarMath.Softplus(logits[l]);
                logQ[2 * l + 1] = -ScalarMath.Softplus(-logits[l]);
            }
            return;
        }
        Activations.LogSoftmax(logits[..(LatentCount * k)], logQ[..(LatentCount * k)], k);
    }

    /// <summary>The decoder input for discrete codes: one-hot rows for categories, the bit itself for Bernoulli latents.</summary>
    private void WriteDecoderInput(ReadOnlySpan<int> codes, Matrix z)
    {
        z.Clear();
        int k = CategoryCount;
        for (int r = 0; r < z.Rows; r++)
        {
            Span<float> row = z.Row(r);
            for (int l = 0; l < LatentCount; l++)
            {
                int c = codes[r * LatentCount + l];
                if (HasBernoulliLatents) row[l] = c;
                else row[l * k + c] = 1f;
            }
        }
    }

    private Workspace Work(int rows)
    {
        if (_work.Capacity < rows) _work = new Workspace(rows, FeatureCount, Architecture.LatentWidth, LatentCount * CategoryCount);
        _work.SetRows(rows);
        return _work;
    }

    private static void CheckLength(int actual, long expected, string paramName)
    {
        if (actual != expected) throw new ArgumentException($"Expected length {expected}, got {actual}.", paramName);
    }

    /// <summary>Buffers for one batch or chunk of rows.</summary>
    private sealed class Workspace
    {
        public Workspace(int capacity, int features, int latentWidth, int grid)
        {
            Capacity = capacity;
            Input = new Matrix(capacity, features);
            Soft = new Matrix(capacity, latentWidth);
            Latent = new Matrix(capacity, latentWidth);
            DLatent = new Matrix(capacity, latentWidth);
            DLogits = new Matrix(capacity, latentWidth);
            DOutput = new Matrix(capacity, features);
            Pairs = new Matrix(capacity, grid);
            PairGradient = new Matrix(capacity, grid);
            Codes = new int[capacity * grid];
            _matrices = [Input, Soft, Latent, DLatent, DLogits, DOutput, Pairs, PairGradient];
        }

        private readonly Matrix[] _matrices;

        public int Capacity { get; }
        public Matrix Input { get; }
        public Matrix Soft { get; }
        public Matrix Latent { get; }
        public Matrix DLatent { get; }
        public Matrix DLogits { get; }
        public Matrix DOutput { get; }
        public Matrix Pairs { get; }
        public Matrix PairGradient { get; }
        public int[] Codes { get; }

        public void SetRows(int rows)
        {
            foreach (Matrix m in _matrices) m.SetRows(rows);
        }
    }
}
