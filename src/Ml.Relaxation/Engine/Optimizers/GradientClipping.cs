namespace Ml.Relaxation.Engine;

/// <summary>Gradient clipping.</summary>
internal static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / ||g||), where ||g|| is the L2 norm of all gradients together, and
    /// returns ||g|| before clipping. The norm is summed in double in parameter order, so it is deterministic.
    /// </summary>
    public static float ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "Expected a maximum norm > 0.");
        double sum = 0;
        for (int i = 0; i < parameters.Count; i++)
            foreach (float g in parameters[i].Gradient) sum += (double)g * g;
        float norm = (float)Math.Sqrt(sum);
        if (norm > maxNorm)
        {
            float scale = maxNorm / norm;
            for (int i = 0; i < parameters.Count; i++)
            {
                Span<float> g = parameters[i].Gradient;
                for (int j = 0; j < g.Length; j++) g[j] *= scale;
            }
        }
        return norm;
    }
}
