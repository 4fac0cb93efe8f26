using System.Diagnostics;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;

namespace AkashML.Bench.Engine;

/// <summary>
/// The prefix cache on one model, through <see cref="TextModel"/> as the host serves it (batched where the model allows):
/// <list type="number">
/// <item>one request (a captured Claude Code request's prompt, or made-up ids) sent twice to a freshly loaded model: the
/// second one's time to first token against the first's;</item>
/// <item><c>streams</c> greedy streams whose prompts share a <c>prefix</c>-token prefix (16 tokens of their own after it),
/// started together after one request has warmed that prefix: aggregate generated tokens per second and mean time to
/// first token, with the cache and with it off.</item>
/// </list>
/// Every run loads the model afresh (outside the clock) and warms its session with an unrelated prompt first, so the
/// cold request is cold only for the cache.
/// </summary>
public static class PrefixCacheBenchmark
{
    private const int SuffixTokens = 16;

    public static PrefixCacheBenchmarkResult Run(
        string modelFolder,
        int[]? request = null,
        int requestTokens = 2000,
        int prefixTokens = 2000,
        int streams = 8,
        int generatedTokens = 32,
        int runs = 3,
        int maxBatchSize = 8,
        int blockTokens = PrefixCacheOptions.DefaultBlockTokens,
        ModelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(generatedTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixTokens, blockTokens);
        options ??= new ModelOptions();
        int[] warmUp;
        int[] once;
        int[] prefix;
        int[][] suffixes;
        Dictionary<int, double> noEos;
        using (var model = Model.Load(modelFolder, options))
        {
            once = request ?? EngineBenchmark.MakePrompt(model, requestTokens, 7);
            if (once.Length + 2 > model.ContextLength || prefixTokens + SuffixTokens + generatedTokens > model.ContextLength)
            {
                throw new ArgumentOutOfRangeException(nameof(prefixTokens),
                    $"A {Math.Max(once.Length, prefixTokens + SuffixTokens)}-token prompt and its answer do not fit the model's context_length {model.ContextLength}.");
            }

            warmUp = EngineBenchmark.MakePrompt(model, 64, 3);
            prefix = EngineBenchmark.MakePrompt(model, prefixTokens, 11);
            suffixes = [.. Enumerable.Range(0, streams + 1).Select(s => EngineBenchmark.MakePrompt(model, SuffixTokens, 100 + s))];
            noEos = model.EosTokenIds.Distinct().ToDictionary(id => id, _ => -100.0);
        }

        var descriptor = new ModelDescriptor
        {
            Id = Path.GetFileName(Path.TrimEndingDirectorySeparator(modelFolder)),
            DisplayName = "benchmark",
            Path = modelFolder,
            ContextLength = int.MaxValue,
        };
        var cache = new PrefixCacheOptions { BlockTokens = blockTokens };
        GenerationRequest Request(int[] prompt, int tokens) => new() { PromptTokens = prompt, MaxNewTokens = tokens, Temperature = 0, LogitBias = noEos };

        var first = new List<double>();
        var second = new List<double>();
        var cached = 0;
        var withCache = new List<(double Rate, double FirstToken)>();
        var withoutCache = new List<(double Rate, double FirstToken)>();
        var shared = Enumerable.Range(0, streams).Select(s => Request([.. prefix, .. suffixes[s]], generatedTokens)).ToArray();
        var warmPrefix = Request([.. prefix, .. suffixes[streams]], 1);
        for (var run = 0; run < runs; run++)
        {
            using (var model = Load(descriptor, options, maxBatchSize, streams, cache))
            {
                Measure(model, Request(warmUp, 1), cancellationToken);
                first.Add(Measure(model, Request(once, 1), cancellationToken).FirstToken);
                var again = Measure(model, Request(once, 1), cancellationToken);
                second.Add(again.FirstToken);
                cached = again.Cached;
                withCache.Add(Concurrent(model, warmPrefix, shared, cancellationToken));
            }

            using (var model = Load(descriptor, options, maxBatchSize, streams, prefixCache: null))
            {
                Measure(model, Request(warmUp, 1), cancellationToken);
                withoutCache.Add(Concurrent(model, warmPrefix, shared, cancellationToken));
            }
        }

        return new PrefixCacheBenchmarkResult(
            once.Length, Median(first), Median(second), cached, streams, prefixTokens, generatedTokens,
            Median(withCache.Select(r => r.Rate)), Median(withoutCache.Select(r => r.Rate)),
            Median(withCache.Select(r => r.FirstToken)), Median(withoutCache.Select(r => r.FirstToken)));
    }

    private static TextModel Load(ModelDescriptor descriptor, ModelOptions options, int maxBatchSize, int streams, PrefixCacheOptions? prefixCache) =>
        TextModel.Load(descriptor, options, maxConcurrency: streams, maxBatchSize, InferenceOptions.DefaultPrefillChunkTokens, prefixCache);

    /// <summary>One request to its end: time to its first update, and the prompt tokens it reused.</summary>
    private static (double FirstToken, int Cached) Measure(TextModel model, GenerationRequest request, CancellationToken cancellationToken)
    {
        return Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            double? firstToken = null;
            var cached = 0;
            await foreach (var update in model.GenerateAsync(request, cancellationToken))
            {
                firstToken ??= clock.Elapsed.TotalMilliseconds;
                cached = update.CachedPromptTokens;
            }

            return (firstToken ?? clock.Elapsed.TotalMilliseconds, cached);
        }, cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>Warms the shared prefix with one request, then runs every stream at once: generated tokens per second and mean time to first token.</summary>
    private static (double Rate, double FirstToken) Concurrent(TextModel model, GenerationRequest warm, GenerationRequest[] requests, CancellationToken cancellationToken)
    {
        Measure(model, warm, cancellationToken);
        var clock = Stopwatch.StartNew();
        var results = Task.WhenAll(requests.Select(r => Task.Run(() => Measure(model, r, cancellationToken), cancellationToken))).GetAwaiter().GetResult();
        var seconds = clock.Elapsed.TotalSeconds;
        return (requests.Sum(r => r.MaxNewTokens) / seconds, results.Average(r => r.FirstToken));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
