namespace Ml.Relaxation.Models.GatedSelection;

/// <summary>The final, deterministic choice of kept slots and their gate values from the learned log_alpha.</summary>
public static class GateSelection
{
    /// <summary>
    /// With <paramref name="maximumCount"/> k: the k slots of highest <paramref name="ranking"/> (ties to the lower
    /// index), each slot at most once. Without k: every slot whose test-time gate is not 0, or, if every gate closed,
    /// the single slot of highest ranking so the output is never empty. Every other gate is exactly 0.
    /// Kept slots get 1 or their test-time gate (see <see cref="KeptGateValue"/>); with
    /// <see cref="KeptGateValue.TestTimeGate"/> a top-k slot whose test-time gate is 0 is dropped, so at most k remain.
    /// </summary>
    /// <returns>The kept slot indices, ascending, and the gate per slot.</returns>
    /// <param name="ranking">Per-slot importance, higher is better (e.g. log_alpha or an average P(z != 0)).</param>
    /// <param name="testTimeGates">Per-slot test-time gates.</param>
    /// <param name="maximumCount">k, or null.</param>
    /// <param name="keptGateValue">The value of kept gates.</param>
    public static (int[] KeptSlots, float[] Gates) Select(
        ReadOnlySpan<float> ranking, ReadOnlySpan<float> testTimeGates, int? maximumCount, KeptGateValue keptGateValue)
    {
        if (testTimeGates.Length != ranking.Length)
            throw new ArgumentException($"Expected {ranking.Length} test-time gates, got {testTimeGates.Length}.", nameof(testTimeGates));
        if (ranking.IsEmpty) throw new ArgumentException("Expected at least one slot.", nameof(ranking));
        int d = ranking.Length;
        int[] order = Rank(ranking);
        var chosen = new List<int>();
        if (maximumCount is int k)
        {
            if (k < 1 || k > d) throw new ArgumentOutOfRangeException(nameof(maximumCount), k, $"Expected k from 1 to {d}.");
            chosen.AddRange(order.Take(k));
        }
        else
        {
            for (int j = 0; j < d; j++) if (testTimeGates[j] != 0f) chosen.Add(j);
            if (chosen.Count == 0) chosen.Add(order[0]);
        }

        var gates = new float[d];
        foreach (int j in chosen)
            gates[j] = keptGateValue == KeptGateValue.One ? 1f : testTimeGates[j];
        if (keptGateValue == KeptGateValue.TestTimeGate && chosen.All(j => gates[j] == 0f))
            gates[chosen[0]] = 1f; // every chosen gate closed: keep the best slot unscaled rather than output nothing
        int[] kept = [.. Enumerable.Range(0, d).Where(j => gates[j] != 0f)];
        return (kept, gates);
    }

    private static int[] Rank(ReadOnlySpan<float> ranking)
    {
        float[] values = ranking.ToArray();
        int[] order = [.. Enumerable.Range(0, values.Length)];
        // stable: equal log_alpha keeps the lower index first
        Array.Sort(order, (a, b) => values[b].CompareTo(values[a]) is int c && c != 0 ? c : a.CompareTo(b));
        return order;
    }
}
