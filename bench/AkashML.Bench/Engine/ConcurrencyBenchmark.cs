using System.Diagnostics;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;

namespace AkashML.Bench.Engine;

/// <summary>
/// Serves N concurrent streams through <see cref="TextModel"/> twice, with continuous batching and with a generator per
/// stream, and reports aggregate generation tokens/s: every stream's generated tokens over the wall time from starting
/// them all to the last one's end (prompts are short, so this is mostly decode). Wall time, not first-token time, because
/// per-request workers can starve readers of threads, which would make first tokens look late and throughput high.
/// Every stream gets its own fixed prompt and decodes exactly the requested number of tokens (EOS is biased away).
/// Each configuration warms up until its run time settles (<see cref="WarmUp"/>).
/// </summary>
public static class ConcurrencyBenchmark
{
    public static IReadOnlyList<ConcurrencyBenchmarkResult> Run(
        string modelFolder,
        IReadOnlyList<int> streams,
        int promptTokens = 32,
        int generatedTokens = 128,
        int runs = 3,
        int maxBatchSize = 8,
        ModelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentOutOfRangeException.ThrowIfLessThan(promptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(generatedTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 2);
        if (streams.Count == 0 || streams.Any(s => s < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(streams), "Stream counts must be positive.");
        }

        options ??= new ModelOptions();
        var most = streams.Max();
        int[][] prompts;
        Dictionary<int, double> noEos;
        using (var model = Model.Load(modelFolder, options))
        {
            if (promptTokens + generatedTokens > model.ContextLength)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(generatedTokens),
                    $"prompt + generated tokens = {promptTokens + generatedTokens} exceed the model's context_length {model.ContextLength}.");
            }

            prompts = [.. Enumerable.Range(0, most).Select(s => EngineBenchmark.MakePrompt(model, promptTokens, 1234 + s))];
            noEos = model.EosTokenIds.Distinct().ToDictionary(id => id, _ => -100.0);
        }

        var descriptor = new ModelDescriptor
        {
            Id = Path.GetFileName(Path.TrimEndingDirectorySeparator(modelFolder)),
            DisplayName = "benchmark",
            Path = modelFolder,
            ContextLength = int.MaxValue,
        };
        using var batched = TextModel.Load(descriptor, options, maxConcurrency: most, maxBatchSize);
        using var unbatched = TextModel.Load(descriptor, options, maxConcurrency: most, maxBatchSize: 1);
        if (batched.Batching is null)
        {
            throw new NotSupportedException($"The model '{modelFolder}' cannot be batched (it needs GroupQueryAttention with a shared past/present buffer).");
        }

        var results = new List<ConcurrencyBenchmarkResult>();
        foreach (var count in streams)
        {
            var requests = prompts.Take(count)
                .Select(p => new GenerationRequest { PromptTokens = p, MaxNewTokens = generatedTokens, Temperature = 0, LogitBias = noEos })
                .ToArray();
            var withBatching = Measure(batched, requests, runs, cancellationToken);
            var without = Measure(unbatched, requests, runs, cancellationToken);
            results.Add(new ConcurrencyBenchmarkResult(count, withBatching, without, batched.Batching!.MaxBatchObserved));
        }

        return results;
    }

    private static double Measure(TextModel model, GenerationRequest[] requests, int runs, CancellationToken cancellationToken)
    {
        // Slot and arena growth, first-run kernel selection and the JIT's tiering settle first.
        WarmUp.UntilSettledTimed(() => MeasureOnce(model, requests, cancellationToken));
        var rates = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            rates.Add(MeasureOnce(model, requests, cancellationToken));
        }

        return Spread.Of(rates).Median;
    }

    /// <summary>One run of every request at once: generated tokens over the wall time until the last stream ends.</summary>
    internal static double MeasureOnce(TextModel model, GenerationRequest[] requests, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var streams = requests.Select(r => Task.Run(() => StreamAsync(model, r, clock, cancellationToken), cancellationToken)).ToArray();
        Task.WaitAll(streams, cancellationToken);
        var end = streams.Max(s => s.Result.End);
        return streams.Sum(s => s.Result.Tokens) / Math.Max(end, 1e-9);
    }

    private static async Task<(double End, int Tokens)> StreamAsync(TextModel model, GenerationRequest request, Stopwatch clock, CancellationToken cancellationToken)
    {
        var tokens = 0;
        await foreach (var update in model.GenerateAsync(request, cancellationToken))
        {
            tokens = update.CompletionTokens;
        }

        return (clock.Elapsed.TotalSeconds, tokens);
    }
}
