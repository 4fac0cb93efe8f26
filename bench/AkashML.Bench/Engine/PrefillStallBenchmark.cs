using System.Diagnostics;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;

namespace AkashML.Bench.Engine;

/// <summary>
/// Head-of-line blocking by a long prompt under continuous batching: some short greedy streams decode, then one request
/// with a long prompt arrives; the figure is the short streams' worst inter-token gap from that moment until the long
/// request's first token, once with chunked prefill and once with the whole prompt in one run. The short streams decode in
/// every shared step, so their gap is the longest time the scheduler's step counter stood still, sampled by a thread of
/// its own (readers of the streams can lag and drain a backlog during a stall, hiding it). One warm-up run per
/// configuration is not counted.
/// </summary>
public static class PrefillStallBenchmark
{
    public static PrefillStallBenchmarkResult Run(
        string modelFolder,
        int shortStreams = 4,
        int longPromptTokens = 2048,
        int chunkTokens = InferenceOptions.DefaultPrefillChunkTokens,
        int runs = 3,
        int maxBatchSize = 8,
        ModelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(shortStreams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        if (longPromptTokens <= chunkTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(longPromptTokens), $"The long prompt ({longPromptTokens} tokens) must be longer than the prefill chunk ({chunkTokens}).");
        }

        if (maxBatchSize < shortStreams + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBatchSize), $"A batch of {maxBatchSize} has no slot left for the long prompt beside {shortStreams} short streams.");
        }

        options ??= new ModelOptions();
        const int ShortPromptTokens = 16;
        int[] longPrompt;
        int[][] shortPrompts;
        Dictionary<int, double> noEos;
        int shortTokens;
        using (var model = Model.Load(modelFolder, options))
        {
            if (longPromptTokens + 2 > model.ContextLength)
            {
                throw new ArgumentOutOfRangeException(nameof(longPromptTokens), $"A {longPromptTokens}-token prompt does not fit the model's context_length {model.ContextLength}.");
            }

            longPrompt = EngineBenchmark.MakePrompt(model, longPromptTokens, 99);
            shortPrompts = [.. Enumerable.Range(0, shortStreams).Select(s => EngineBenchmark.MakePrompt(model, ShortPromptTokens, 1234 + s))];
            noEos = model.EosTokenIds.Distinct().ToDictionary(id => id, _ => -100.0);

            // The short streams run until cancelled; this only has to outlast the long prefill.
            shortTokens = model.ContextLength - ShortPromptTokens;
        }

        var descriptor = new ModelDescriptor
        {
            Id = Path.GetFileName(Path.TrimEndingDirectorySeparator(modelFolder)),
            DisplayName = "benchmark",
            Path = modelFolder,
            ContextLength = int.MaxValue,
        };
        var shortRequests = shortPrompts.Select(p => new GenerationRequest { PromptTokens = p, MaxNewTokens = shortTokens, Temperature = 0, LogitBias = noEos }).ToArray();
        var longRequest = new GenerationRequest { PromptTokens = longPrompt, MaxNewTokens = 1, Temperature = 0, LogitBias = noEos };
        var chunked = Measure(descriptor, options, maxBatchSize, chunkTokens, shortRequests, longRequest, runs, cancellationToken);
        var whole = Measure(descriptor, options, maxBatchSize, 0, shortRequests, longRequest, runs, cancellationToken);
        return new PrefillStallBenchmarkResult(shortStreams, longPromptTokens, chunkTokens, chunked.Gap, whole.Gap, chunked.FirstToken, whole.FirstToken);
    }

    private static (double Gap, double FirstToken) Measure(
        ModelDescriptor descriptor, ModelOptions options, int maxBatchSize, int chunkTokens, GenerationRequest[] shortRequests, GenerationRequest longRequest, int runs, CancellationToken cancellationToken)
    {
        using var model = TextModel.Load(descriptor, options, maxConcurrency: shortRequests.Length + 1, maxBatchSize, chunkTokens);
        if (model.Batching is null)
        {
            throw new NotSupportedException($"The model '{descriptor.Path}' cannot be batched (it needs GroupQueryAttention with a shared past/present buffer).");
        }

        var gaps = new List<double>();
        var firstTokens = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var (gap, firstToken) = MeasureOnce(model, shortRequests, longRequest, cancellationToken);
            if (run > 0)
            {
                gaps.Add(gap);
                firstTokens.Add(firstToken);
            }
        }

        return (Median(gaps), Median(firstTokens));
    }

    private static (double Gap, double FirstToken) MeasureOnce(TextModel model, GenerationRequest[] shortRequests, GenerationRequest longRequest, CancellationToken cancellationToken)
    {
        using var stopShort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tokens = new int[shortRequests.Length];
        var running = shortRequests.Select((r, i) => Task.Run(() => ShortStreamAsync(model, r, i, tokens, stopShort.Token), CancellationToken.None)).ToArray();

        // Let every short stream get going (a few tokens each) before the long prompt arrives.
        while (Enumerable.Range(0, tokens.Length).Any(i => Volatile.Read(ref tokens[i]) < 4))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (running.FirstOrDefault(t => t.IsCompleted) is { } ended)
            {
                ended.GetAwaiter().GetResult();
                throw new InvalidOperationException("A short stream ended before the long prompt arrived.");
            }

            Thread.Sleep(1);
        }

        using var watcher = new StepWatcher(model);
        var clock = Stopwatch.StartNew();
        Task.Run(async () =>
        {
            await foreach (var update in model.GenerateAsync(longRequest, cancellationToken))
            {
                break;
            }
        }, cancellationToken).GetAwaiter().GetResult();
        var firstToken = clock.Elapsed.TotalMilliseconds;
        var gap = watcher.Stop();

        stopShort.Cancel();
        Task.WaitAll(running, CancellationToken.None);
        return (gap, firstToken);
    }

    private static async Task ShortStreamAsync(TextModel model, GenerationRequest request, int index, int[] tokens, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in model.GenerateAsync(request, cancellationToken))
            {
                Interlocked.Increment(ref tokens[index]);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
