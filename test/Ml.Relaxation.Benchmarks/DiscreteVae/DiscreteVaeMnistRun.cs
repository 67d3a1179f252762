using System.Diagnostics;
using System.Globalization;
using Ml.Relaxation.Engine;
using Ml.Relaxation.Models.DiscreteVae;
using Ml.Relaxation.Relaxations;

namespace Ml.Relaxation.Benchmarks.DiscreteVae;

/// <summary>
/// The discrete VAE on MNIST 10k, set up as <c>shared/peers/torch_vae.py</c>: rows 0-8999 train, 9000-9999 test,
/// binarized at 0.5, 784-512-256-(20 x 10) with a mirrored decoder, batch 100, Adam 1e-3, tau = max(0.5, exp(-3e-5 t))
/// updated every 100 steps, uniform prior. Prints one line per epoch in the peer's format (training time only, and
/// the test negative ELBO estimated as the peer does: a relaxed sample at the current tau), plus the exact discrete
/// negative ELBO and, with IW_SAMPLES &gt; 0, the importance-weighted log-likelihood at the end. Besides wall time it
/// prints the process CPU time of each epoch's training, which a busy shared machine distorts less.
/// <c>dotnet run -c Release --project test/Ml.Relaxation.Benchmarks -- vae-mnist EPOCHS soft|hard [THREADS] [IW_SAMPLES]</c>.
/// </summary>
public static class DiscreteVaeMnistRun
{
    /// <summary>Runs the benchmark with the command-line arguments after <c>vae-mnist</c>.</summary>
    public static void Run(string[] args)
    {
        int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        bool hard = args.Length > 1 && args[1] == "hard";
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        int iwSamples = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        Ml.Relaxation.Parallelism.DegreeOfParallelism.Maximum = threads;

        Matrix all = Mnist10k.LoadBinarized();
        Matrix train = Mnist10k.Rows(all, 0, 9000), test = Mnist10k.Rows(all, 9000, 1000);
        var model = new DiscreteVaeModel(new DiscreteVaeArchitecture
        {
            FeatureCount = 784,
            LatentCount = 20,
            CategoryCount = 10,
            EncoderHiddenSizes = [512, 256],
            Relaxation = hard ? RelaxationMode.StraightThrough : RelaxationMode.Soft,
        }, seed: 0);
        var schedule = new AnnealedTemperature(initial: 1f, rate: 3e-5, minimum: 0.5f, interval: 100);
        var adam = new Adam(model.Parameters, 1e-3f);
        var source = new InMemoryBatchSource(train, null, batchSize: 100, seed: 0);
        Console.WriteLine($"discrete VAE, MNIST 10k, {(hard ? "straight-through" : "soft")}, {epochs} epochs, batch 100, threads {threads}");
        long step = 0;
        double totalTime = 0, totalCpu = 0;
        using var process = Process.GetCurrentProcess();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            process.Refresh();
            TimeSpan cpuStart = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            foreach (Batch batch in source.Batches(epoch))
            {
                schedule.OnStep(step++);
                model.Temperature = schedule.Temperature;
                adam.ZeroGradients();
                model.TrainStep(batch, new TrainingStep(epoch, step, 0));
                adam.Step();
            }
            clock.Stop();
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
            totalTime += clock.Elapsed.TotalSeconds;
            totalCpu += cpu;
            // The peer's tau after the epoch is the one for the next step.
            float tau = schedule.At(step);
            NegativeElbo relaxed = model.EvaluateRelaxedNegativeElbo(test, tau, seed: (ulong)epoch);
            NegativeElbo exact = model.EvaluateNegativeElbo(test, samples: 1, seed: (ulong)epoch);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch + 1} time_s {clock.Elapsed.TotalSeconds:F3} cpu_s {cpu:F3} test_neg_elbo {relaxed.Total:F2} tau {tau:F3} discrete_neg_elbo {exact.Total:F2} (rec {exact.Reconstruction:F2} kl {exact.Kl:F2})"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mean time_s per epoch {totalTime / epochs:F3}, mean cpu_s per epoch {totalCpu / epochs:F3}"));
        if (iwSamples > 0)
        {
            double iw = model.ImportanceWeightedLogLikelihood(test, iwSamples, seed: 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test IW({iwSamples}) log-likelihood {iw:F2} nats"));
        }
    }
}
