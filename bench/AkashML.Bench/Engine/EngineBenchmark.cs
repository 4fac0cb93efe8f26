using System.Diagnostics;
using System.Globalization;
using AkashML.Inference.Generation;
using AkashML.Inference.Runtime;

namespace AkashML.Bench.Engine;

/// <summary>
/// Measures one model folder: prompt (prefill) throughput, decode throughput, time to first token and peak resident
/// memory. Each run builds a fresh generator, feeds a fixed pseudo-random prompt and decodes exactly the requested
/// number of tokens (EOS is banned through min_length so every run does the same work). Warm-up runs until the run time
/// settles (<see cref="WarmUp"/>) are not counted; the figures are p25 / median / p75 of the measured runs.
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
        var warmUpRuns = WarmUp.UntilSettled(() => RunOnce(model, prompt, total, cancellationToken).TotalSeconds);
        var measured = new List<MeasuredRun>();
        for (var run = 0; run < runs; run++)
        {
            measured.Add(RunOnce(model, prompt, total, cancellationToken));
        }

        var decoding = measured.Where(r => r.Decoded > 0).ToList();
        return new EngineBenchmarkResult(
            Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Folder)),
            promptTokens,
            generatedTokens,
            runs,
            warmUpRuns,
            Spread.Of(measured.Select(r => promptTokens / r.PrefillSeconds).ToArray()),
            Spread.Of(decoding.Select(r => r.Decoded / r.DecodeSeconds).ToArray()),
            Spread.Of(measured.Select(r => r.FirstTokenSeconds * 1000).ToArray()),
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

    /// <summary>A fresh generator: the prompt, the first token, then greedy decoding up to <paramref name="total"/> tokens.</summary>
    internal static MeasuredRun RunOnce(Model model, int[] prompt, int total, CancellationToken cancellationToken)
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
        var decoded = 0;
        while (!generator.IsDone)
        {
            generator.GenerateNextToken(cancellationToken);
            decoded++;
        }

        var totalSeconds = clock.Elapsed.TotalSeconds;
        return new MeasuredRun(prefillSeconds, firstTokenSeconds, decoded, totalSeconds - firstTokenSeconds, totalSeconds);
    }

    internal readonly record struct MeasuredRun(double PrefillSeconds, double FirstTokenSeconds, int Decoded, double DecodeSeconds, double TotalSeconds);
}
