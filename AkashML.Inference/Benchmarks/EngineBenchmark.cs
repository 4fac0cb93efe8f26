using System.Diagnostics;
using System.Globalization;
using AkashML.Inference.Generation;
using AkashML.Inference.Runtime;

namespace AkashML.Inference.Benchmarks;

/// <summary>
/// Measures one model folder: prompt (prefill) throughput, decode throughput, time to first token and peak resident
/// memory. Each run builds a fresh generator, feeds a fixed pseudo-random prompt and decodes exactly the requested
/// number of tokens (EOS is banned through min_length so every run does the same work). One warm-up run is not counted.
/// </summary>
public static class EngineBenchmark
{
    public static EngineBenchmarkResult Run(
        string modelFolder,
        int promptTokens = 128,
        int generatedTokens = 256,
        int runs = 5,
        ModelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(promptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(generatedTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);

        using var model = Model.Load(modelFolder, options);
        var total = promptTokens + generatedTokens;
        if (total > model.ContextLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(generatedTokens),
                $"prompt + generated tokens = {total} exceed the model's context_length {model.ContextLength}.");
        }

        var prompt = MakePrompt(model, promptTokens);
        var prefill = new List<double>();
        var decode = new List<double>();
        var ttft = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var parameters = new GeneratorParams(model)
            {
                BatchSize = 1,
                NumBeams = 1,
                NumReturnSequences = 1,
                DoSample = false,
                MaxLength = total,
                MinLength = total,
                RepetitionPenalty = 1,
            };
            using var generator = new Generator(model, parameters);
            var clock = Stopwatch.StartNew();
            generator.AppendTokens(prompt, cancellationToken);
            var prefillSeconds = clock.Elapsed.TotalSeconds;
            generator.GenerateNextToken(cancellationToken);
            var firstTokenSeconds = clock.Elapsed.TotalSeconds;
            var decodeStart = clock.Elapsed.TotalSeconds;
            var decoded = 0;
            while (!generator.IsDone)
            {
                generator.GenerateNextToken(cancellationToken);
                decoded++;
            }

            var decodeSeconds = clock.Elapsed.TotalSeconds - decodeStart;
            if (run == 0)
            {
                continue; // warm-up: arena growth, first-run kernel selection
            }

            prefill.Add(promptTokens / prefillSeconds);
            ttft.Add(firstTokenSeconds * 1000);
            if (decoded > 0)
            {
                decode.Add(decoded / decodeSeconds);
            }
        }

        return new EngineBenchmarkResult(
            Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Folder)),
            promptTokens,
            generatedTokens,
            runs,
            Median(prefill),
            decode.Count > 0 ? Median(decode) : 0,
            Median(ttft),
            PeakRssMb());
    }

    /// <summary>VmHWM from /proc/self/status (Linux); elsewhere the process's peak working set.</summary>
    public static double PeakRssMb()
    {
        const string StatusFile = "/proc/self/status";
        if (File.Exists(StatusFile))
        {
            foreach (var line in File.ReadLines(StatusFile))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var parts = line["VmHWM:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var kb))
                    {
                        return kb / 1024.0;
                    }
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    internal static int[] MakePrompt(Model model, int length, int seed = 1234)
    {
        // Deterministic ids that avoid EOS and pad, so the prompt has no padding and never ends early.
        var random = new Random(seed);
        var prompt = new int[length];
        for (var i = 0; i < length; i++)
        {
            int id;
            do
            {
                id = random.Next(model.VocabSize);
            }
            while (id == model.PadTokenId || model.EosTokenIds.Contains(id));
            prompt[i] = id;
        }

        return prompt;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
