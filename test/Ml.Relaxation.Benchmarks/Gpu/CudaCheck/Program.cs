using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Ml.Relaxation.Onnx.Runtime;

// Usage: CudaCheck DIRECTORY [rounds]
// DIRECTORY holds what `Ml.Relaxation.Benchmarks deploy-export` wrote: selector.onnx and encoder.onnx, 4,096 input rows
// each and ML.NET's outputs for them. For the CPU and then CUDA (no fallback: a CUDA failure is reported, not hidden),
// the checker scores every row, compares with ML.NET (max |difference|, tolerance 1e-5; the encoder's codes must be
// identical) and measures rows/s on batches of 1, 64 and 4,096 (median of the rounds).
string directory = args.Length > 0 ? args[0] : throw new ArgumentException("Usage: CudaCheck DIRECTORY [rounds]");
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
const float Tolerance = 1e-5f;
bool allPassed = true;

foreach (var (name, width, output) in new[] { ("selector", 500, "Score.output"), ("encoder", 784, "Probabilities") })
{
    byte[] model = File.ReadAllBytes(Path.Combine(directory, name + ".onnx"));
    float[] input = Read<float>(Path.Combine(directory, name + ".input.f32"));
    float[] expected = Read<float>(Path.Combine(directory, name + ".expected.f32"));
    string codesFile = Path.Combine(directory, name + ".codes.i64");
    long[]? codes = File.Exists(codesFile) ? Read<long>(codesFile) : null;
    int rows = input.Length / width;
    Console.WriteLine($"\n{name}: {rows} rows x {width}");
    Console.WriteLine("provider | max |ONNX - ML.NET| | codes | rows/s batch 1 | batch 64 | batch 4096");
    foreach (OnnxExecutionProvider provider in new[] { OnnxExecutionProvider.Cpu, OnnxExecutionProvider.Cuda })
    {
        OnnxScorer scorer;
        try
        {
            scorer = new OnnxScorer(model, new OnnxScorerOptions { ExecutionProvider = provider, FallbackToCpu = false });
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"{provider,-8} | unavailable: {e.Message}");
            allPassed = false;
            continue;
        }
        using (scorer)
        {
            OnnxInput[] Inputs(float[] values, int batch) => scorer.Inputs.Any(i => i.Name == "Label")
                ? [OnnxInput.Of("Features", values), OnnxInput.Of("Label", new bool[batch])]
                : [OnnxInput.Of("Features", values)];
            OnnxScores all = scorer.Score(rows, Inputs(input, rows), null);
            float[] actual = all.Get<float>(output);
            float maxDifference = 0;
            for (int i = 0; i < expected.Length; i++) maxDifference = Math.Max(maxDifference, Math.Abs(actual[i] - expected[i]));
            string codeCheck = codes is null ? "-" : all.Get<long>("Codes").SequenceEqual(codes) ? "identical" : "DIFFER";
            bool passed = maxDifference <= Tolerance && codeCheck != "DIFFER";
            allPassed &= passed;
            var speeds = new List<string>();
            foreach (int batch in new[] { 1, 64, 4096 })
            {
                float[] slice = input[..(batch * width)];
                OnnxInput[] inputs = Inputs(slice, batch);
                var perRound = new List<double>();
                for (int round = 0; round < rounds; round++)
                {
                    scorer.Score(batch, inputs, [output]);
                    long calls = 0;
                    var watch = Stopwatch.StartNew();
                    do
                    {
                        scorer.Score(batch, inputs, [output]);
                        calls++;
                    }
                    while (watch.Elapsed.TotalSeconds < 0.3);
                    perRound.Add(calls * batch / watch.Elapsed.TotalSeconds);
                }
                perRound.Sort();
                speeds.Add(perRound[perRound.Count / 2].ToString("N0", CultureInfo.InvariantCulture));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{scorer.ExecutionProvider,-8} | {maxDifference:E2} {(passed ? "ok" : "FAIL")} | {codeCheck} | {string.Join(" | ", speeds)}"));
        }
    }
}
Console.WriteLine(allPassed ? "\nALL PASSED" : "\nSOME CHECKS FAILED");
return allPassed ? 0 : 1;

static T[] Read<T>(string path) where T : unmanaged => MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(path)).ToArray();
