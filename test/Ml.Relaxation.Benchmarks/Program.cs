using BenchmarkDotNet.Running;
using Ml.Relaxation.Benchmarks.Engine;

namespace Ml.Relaxation.Benchmarks;

/// <summary>Runs the benchmarks: <c>dotnet run -c Release --project test/Ml.Relaxation.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point; arguments go to BenchmarkDotNet's switcher (<c>engine-quick [threads]</c> runs a quick timer instead; <c>vae-mnist EPOCHS soft|hard [threads] [iw-samples]</c> the discrete VAE on MNIST; <c>selector-quality [madelon|tabular|all] [threads] [peer] [seed=N]</c> or <c>selector-quality csv=PATH task=binary|multiclass|regression k=K [threads=N]</c>, <c>selector-quick [epochs] [repeats] [threads]</c> and <c>selector-scale [rows] [features] [epochs]</c> the gated feature selector; <c>relax-cpu [threads]</c> wall and CPU time of the relaxation target kernels; <c>matmul-pingpong [threads]</c> our side of <c>Engine/matmul_interleaved.py</c>; <c>kernel-peak</c> the GEMM kernel against the FMA peak; <c>deploy-throughput [rounds] [threads]</c> scoring rows/s of ML.NET Transform, PredictionEngine and the ONNX scorer; <c>deploy-export DIR</c> the models and references that <c>Gpu/cuda-check.sh</c> carries to a GPU machine).</summary>
    public static void Main(string[] args)
    {
        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
        if (args.Length > 0 && args[0] == "selector-quick")
        {
            FeatureSelection.SelectorQuickTimer.Run(epochs: Arg(1, 100), repeats: Arg(2, 5), threads: Arg(3, 2));
            return;
        }
        if (args.Length > 1 && args[0] == "selector-quality" && args[1].StartsWith("csv=", StringComparison.Ordinal))
        {
            // selector-quality csv=PATH task=binary|multiclass|regression k=K [threads=N]
            var named = args.Skip(1).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            FeatureSelection.SelectorQualityRun.Csv(named["csv"], named["task"], int.Parse(named["k"], System.Globalization.CultureInfo.InvariantCulture),
                named.TryGetValue("threads", out var t) ? int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : 2);
            return;
        }
        if (args.Length > 0 && args[0] == "selector-quality")
        {
            bool peer = args.Length > 3 && args[3] == "peer";
            int seed = args.Skip(3).FirstOrDefault(a => a.StartsWith("seed=", StringComparison.Ordinal)) is string s ? int.Parse(s[5..], System.Globalization.CultureInfo.InvariantCulture) : 1;
            FeatureSelection.SelectorQualityRun.Run(args.Length > 1 ? args[1] : "all", Arg(2, 2), peer, seed);
            return;
        }
        if (args.Length > 0 && args[0] == "selector-scale")
        {
            FeatureSelection.SelectorScaleRun.Run(rows: Arg(1, 2_000_000), features: Arg(2, 100), epochs: Arg(3, 2));
            return;
        }
        if (args.Length > 0 && args[0] == "engine-quick")
        {
            EngineQuickTimer.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2);
            return;
        }
        if (args.Length > 0 && args[0] == "matmul-pingpong")
        {
            MatMulPingPong.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2);
            return;
        }
        if (args.Length > 0 && args[0] == "kernel-peak")
        {
            KernelPeak.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
            return;
        }
        if (args.Length > 0 && args[0] == "engine-handoff")
        {
            EngineQuickTimer.HandOff(5);
            return;
        }
        if (args.Length > 0 && args[0] == "relax-cpu")
        {
            Relaxations.RelaxationCpuTimer.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2, args.Length > 2 && args[2] == "all");
            return;
        }
        if (args.Length > 0 && args[0] == "deploy-throughput")
        {
            Deployment.ThroughputRun.Run(rounds: Arg(1, 3), threads: args.Length > 2 ? Arg(2, 0) : null);
            return;
        }
        if (args.Length > 1 && args[0] == "deploy-export")
        {
            Deployment.ThroughputRun.Export(args[1]);
            return;
        }
        if (args.Length > 0 && args[0] == "vae-mnist")
        {
            DiscreteVae.DiscreteVaeMnistRun.Run(args[1..]);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
