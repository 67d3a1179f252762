using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ml.Relaxation.Engine;

namespace Ml.Relaxation.Benchmarks.Engine;

/// <summary>
/// How close the GEMM micro-kernel comes to the machine's FMA peak: the 6 x 16 tile on packed panels that sit in L1,
/// against a loop of 12 independent FMA chains (no loads) on one core and on both at once.
/// Run as <c>Ml.Relaxation.Benchmarks kernel-peak [repeats]</c>; best of 31 samples of about 4 ms each.
/// </summary>
public static unsafe class KernelPeak
{
    private const int Kc = 256, Tiles = 100, FmaSteps = 1_000_000;

    /// <summary>Prints GFLOP/s of the kernel and of the FMA chains.</summary>
    public static void Run(int repeats = 1)
    {
        for (int i = 0; i < repeats; i++) RunOnce();
    }

    private static void RunOnce()
    {
        if (!GemmKernel.UsesFma)
        {
            Console.WriteLine("no AVX2/FMA on this machine");
            return;
        }
        float[] panels = GC.AllocateUninitializedArray<float>(Kc * (GemmKernel.Mr + GemmKernel.Nr) + 16, pinned: true);
        float[] tile = GC.AllocateUninitializedArray<float>(GemmKernel.Mr * GemmKernel.Nr + 16, pinned: true);
        for (int i = 0; i < panels.Length; i++) panels[i] = 0.001f * (i % 7);
        nint a = Aligned(panels), c = Aligned(tile);
        // kc 100 as well: the 784x100x512 product's tiles are that short, so the per-tile cost (call, C writes) shows.
        double kernel = TileBest(Kc, a, c), shortKernel = TileBest(100, a, c);
        double chains = Best(() => FmaChains());
        double chainFlops = FmaSteps * 12.0 * 8 * 2;
        var both = Stopwatch.StartNew();
        var other = new Thread(() => { for (int i = 0; i < 100; i++) FmaChains(); });
        other.Start();
        for (int i = 0; i < 100; i++) FmaChains();
        other.Join();
        double twoCores = 2 * 100 * chainFlops / both.Elapsed.TotalSeconds;
        Console.WriteLine($"6x16 kernel, panels in L1: kc {Kc} {Tiles * 2.0 * GemmKernel.Mr * GemmKernel.Nr * Kc / kernel / 1e9:F1} GFLOP/s, " +
            $"kc 100 {Tiles * 2.0 * GemmKernel.Mr * GemmKernel.Nr * 100 / shortKernel / 1e9:F1} GFLOP/s");
        Console.WriteLine($"12 FMA chains, one core: {chainFlops / chains / 1e9:F1} GFLOP/s; both cores at once: {twoCores / 1e9:F1} GFLOP/s");
    }

    /// <summary>Best seconds for <see cref="Tiles"/> tiles of depth <paramref name="kc"/> on the panels at <paramref name="a"/>.</summary>
    private static double TileBest(int kc, nint a, nint c) => Best(() =>
    {
        for (int r = 0; r < Tiles; r++)
            GemmKernel.Tile(kc, (float*)a, (float*)a + Kc * GemmKernel.Mr, (float*)c, GemmKernel.Nr, false, fma: true);
    });

    private static nint Aligned(float[] pinned) => ((nint)Unsafe.AsPointer(ref pinned[0]) + 63) & ~(nint)63;

    private static float s_sink;

    private static void FmaChains()
    {
        var x = Vector256.Create(1.0000001f);
        var y = Vector256.Create(0.9999999f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < FmaSteps; i++)
        {
            a0 = Fma.MultiplyAdd(a0, y, x); a1 = Fma.MultiplyAdd(a1, y, x); a2 = Fma.MultiplyAdd(a2, y, x);
            a3 = Fma.MultiplyAdd(a3, y, x); a4 = Fma.MultiplyAdd(a4, y, x); a5 = Fma.MultiplyAdd(a5, y, x);
            a6 = Fma.MultiplyAdd(a6, y, x); a7 = Fma.MultiplyAdd(a7, y, x); a8 = Fma.MultiplyAdd(a8, y, x);
            a9 = Fma.MultiplyAdd(a9, y, x); a10 = Fma.MultiplyAdd(a10, y, x); a11 = Fma.MultiplyAdd(a11, y, x);
        }
        s_sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).GetElement(0);
    }

    /// <summary>Best seconds per call over 31 samples of about 4 ms: the kernel's own speed, past the VM's noise.</summary>
    private static double Best(Action f)
    {
        for (int i = 0; i < 5; i++) f();
        double best = double.MaxValue;
        for (int r = 0; r < 31; r++)
        {
            var sw = Stopwatch.StartNew();
            int reps = 0;
            while (sw.Elapsed.TotalMilliseconds < 4) { f(); reps++; }
            best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
        }
        return best;
    }
}
