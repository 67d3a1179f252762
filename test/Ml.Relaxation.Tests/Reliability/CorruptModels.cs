namespace Ml.Relaxation.Tests.Reliability;

/// <summary>
/// Corrupt or truncated model files (an ML.NET zip, ONNX bytes) must fail with a clear error.
/// </summary>
/// <remarks>
/// <code>
/// byte[] zip = ...;  // ctx.Model.Save(model, schema, stream)
/// CorruptModels.AssertFailClearly(zip, bytes => new MLContext().Model.Load(new MemoryStream(bytes), out _));
/// byte[] onnx = ...;
/// CorruptModels.AssertFailClearly(onnx, bytes => new InferenceSession(bytes).Dispose());
/// </code>
/// Truncations (empty, 1 byte, 10%, 50%, 90%, all but the last byte) must throw one of the clear exception types
/// (by default <see cref="InvalidDataException"/>, <see cref="IOException"/>, <see cref="FormatException"/>,
/// <see cref="InvalidOperationException"/>, <see cref="ArgumentException"/> and ONNX Runtime's
/// <c>OnnxRuntimeException</c>) with a non-empty message. Overwritten regions (64 bytes zeroed or bit-flipped at
/// quarter points) may load (e.g. a damaged weight is still a weight) but must never fail otherwise than clearly.
/// A <see cref="System.Reflection.TargetInvocationException"/> is judged by the exception it wraps (ML.NET's loaders
/// are created by reflection).
/// </remarks>
public static class CorruptModels
{
    private static readonly Type[] DefaultClearTypes =
    [
        typeof(InvalidDataException), typeof(IOException), typeof(FormatException), typeof(InvalidOperationException),
        typeof(ArgumentException), typeof(Microsoft.ML.OnnxRuntime.OnnxRuntimeException),
    ];

    /// <summary>The truncated variants of <paramref name="model"/>, each must fail to load.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Truncations(byte[] model)
    {
        foreach (var (name, length) in new[]
                 {
                     ("empty", 0), ("1 byte", 1), ("10%", model.Length / 10), ("50%", model.Length / 2),
                     ("90%", model.Length * 9 / 10), ("all but the last byte", model.Length - 1),
                 })
            yield return ($"truncated to {name} ({length} of {model.Length} bytes)", model[..Math.Max(0, length)]);
    }

    /// <summary>Variants of <paramref name="model"/> with 64 bytes zeroed or bit-flipped at 1/4, 1/2 and 3/4 of its length.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Overwrites(byte[] model)
    {
        foreach (int quarter in new[] { 1, 2, 3 })
        {
            int at = model.Length * quarter / 4;
            int n = Math.Min(64, model.Length - at);
            var zeroed = (byte[])model.Clone();
            Array.Clear(zeroed, at, n);
            yield return ($"64 bytes zeroed at {at}", zeroed);
            var flipped = (byte[])model.Clone();
            for (int i = at; i < at + n; i++) flipped[i] ^= 0xFF;
            yield return ($"64 bytes bit-flipped at {at}", flipped);
        }
    }

    /// <summary>Fails unless every truncation of <paramref name="model"/> fails clearly and no overwrite fails unclearly.</summary>
    /// <param name="model">A valid model file.</param>
    /// <param name="load">Loads (and, for a lazy loader, uses) a model from bytes.</param>
    /// <param name="clearTypes">Exception types that count as clear; the defaults when empty (subclasses count).</param>
    public static void AssertFailClearly(byte[] model, Action<byte[]> load, params Type[] clearTypes)
    {
        var types = clearTypes.Length == 0 ? DefaultClearTypes : clearTypes;
        load(model); // the intact model must load, or the test proves nothing
        var failures = new List<string>();
        foreach (var (name, bytes) in Truncations(model))
        {
            var e = Catch(load, bytes);
            if (e is null) failures.Add($"{name}: loaded without error");
            else if (!IsClear(e, types)) failures.Add($"{name}: {Describe(e)}");
        }
        foreach (var (name, bytes) in Overwrites(model))
        {
            var e = Catch(load, bytes);
            if (e is not null && !IsClear(e, types)) failures.Add($"{name}: {Describe(e)}");
        }
        Assert.True(failures.Count == 0, "Corrupt models did not fail clearly:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
    }

    private static Exception? Catch(Action<byte[]> load, byte[] bytes)
    {
        try
        {
            load(bytes);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static string Describe(Exception e) =>
        e.InnerException is null ? $"{e.GetType().Name}: {e.Message}" : $"{e.GetType().Name}: {e.Message} -> {Describe(e.InnerException)}";

    /// <summary>
    /// Judges the exception a reflection wrapper carries: ML.NET creates loaders by reflection, so a damaged entry's
    /// InvalidDataException arrives wrapped in a TargetInvocationException (seen with ML.NET 5.0.1 on a zeroed region).
    /// </summary>
    private static bool IsClear(Exception e, Type[] types) =>
        e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? IsClear(inner, types) : IsClearItself(e, types);

    private static bool IsClearItself(Exception e, Type[] types) =>
        types.Any(t => t.IsInstanceOfType(e)) && !string.IsNullOrWhiteSpace(e.Message)
        && e is not (NullReferenceException or IndexOutOfRangeException or ArgumentNullException);
}
