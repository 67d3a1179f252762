namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>The deterministic ranking of slots by their stability scores, and the choice of kept slots from it.</summary>
internal static class GateSelection
{
    /// <summary>
    /// Slot indices best first: higher selection frequency, then higher mean keep probability (which separates slots
    /// that were selected equally often, e.g. never), then the lower index.
    /// </summary>
    public static int[] Rank(ReadOnlySpan<float> frequency, ReadOnlySpan<float> keepProbability)
    {
        if (keepProbability.Length != frequency.Length)
            throw new ArgumentException($"Expected {frequency.Length} keep probabilities, got {keepProbability.Length}.", nameof(keepProbability));
        float[] f = frequency.ToArray(), p = keepProbability.ToArray();
        int[] order = [.. Enumerable.Range(0, f.Length)];
        Array.Sort(order, (a, b) =>
        {
            int c = f[b].CompareTo(f[a]);
            if (c == 0) c = p[b].CompareTo(p[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        return order;
    }

    /// <summary>
    /// Slot indices best first for a joint k-subset: higher subset frequency (the share of Concrete selector fits that
    /// picked the slot), then the order of <see cref="Rank"/>.
    /// </summary>
    public static int[] RankBySubset(ReadOnlySpan<float> subsetFrequency, ReadOnlySpan<float> frequency, ReadOnlySpan<float> keepProbability)
    {
        if (subsetFrequency.Length != frequency.Length)
            throw new ArgumentException($"Expected {frequency.Length} subset frequencies, got {subsetFrequency.Length}.", nameof(subsetFrequency));
        int[] byScore = Rank(frequency, keepProbability);
        var position = new int[byScore.Length];
        for (int i = 0; i < byScore.Length; i++) position[byScore[i]] = i;
        float[] s = subsetFrequency.ToArray();
        int[] order = [.. byScore];
        Array.Sort(order, (a, b) =>
        {
            int c = s[b].CompareTo(s[a]);
            return c != 0 ? c : position[a].CompareTo(position[b]);
        });
        return order;
    }

    /// <summary>
    /// With <paramref name="maximumCount"/> k: exactly the first k slots of <paramref name="ranking"/>. Without: every
    /// slot whose frequency is at least <paramref name="threshold"/>, or the first slot of the ranking if none is, so the
    /// output is never empty.
    /// </summary>
    /// <returns>The kept slot indices, ascending.</returns>
    public static int[] Select(IReadOnlyList<int> ranking, ReadOnlySpan<float> frequency, int? maximumCount, float threshold)
    {
        if (ranking.Count != frequency.Length)
            throw new ArgumentException($"Expected a ranking of {frequency.Length} slots, got {ranking.Count}.", nameof(ranking));
        if (ranking.Count == 0) throw new ArgumentException("Expected at least one slot.", nameof(ranking));
        List<int> kept;
        if (maximumCount is int k)
        {
            if (k < 1 || k > ranking.Count)
                throw new ArgumentOutOfRangeException(nameof(maximumCount), k, $"Expected k from 1 to the slot count {ranking.Count}.");
            kept = [.. ranking.Take(k)];
        }
        else
        {
            kept = [];
            foreach (int j in ranking)
                if (frequency[j] >= threshold) kept.Add(j);
            if (kept.Count == 0) kept.Add(ranking[0]);
        }
        kept.Sort();
        return [.. kept];
    }
}
