using System.Globalization;
using System.Text.Json;
using AkashML.Inference.Benchmarks;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;

namespace AkashML.Web.Cli;

/// <summary>
/// <c>bench engine --model DIR|ID [--prompt-tokens 128] [--gen-tokens 256] [--runs 5] [--json]</c>: medians of prompt
/// throughput, decode throughput, time to first token, and the process's peak resident memory. With
/// <c>--streams 1,4,8 [--max-batch 8]</c> it reports aggregate generation tokens/s (over wall time, short prompts) of that
/// many concurrent streams instead, with continuous batching and with a generator per stream. Adding
/// <c>--long-prompt N [--prefill-chunk 512]</c> measures head-of-line blocking instead: the worst inter-token gap of that
/// many short streams while one N-token prompt is prefilled, with chunked prefill and without.
/// </summary>
internal static class BenchCommands
{
    private static readonly string Usage = VerbCatalog.Usage("bench");

    public static Task<int> RunAsync(WebApplication app, VerbArguments arguments)
    {
        if (arguments.Sub == "api")
        {
            return ApiBenchmark.RunAsync(app, arguments);
        }

        if (arguments.Sub == "usage" && arguments.Positional.Count == 0)
        {
            return UsageBench.RunAsync(arguments);
        }

        if (arguments.Sub != "engine" || arguments.Positional.Count != 0)
        {
            throw new CommandLineException(Usage);
        }

        var (folder, id) = ResolveModel(app.Services.GetRequiredService<ModelCatalog>(), arguments.Required("model"));
        var promptTokens = PositiveInt(arguments, "prompt-tokens", 128);
        var generatedTokens = PositiveInt(arguments, "gen-tokens", 256);
        var runs = PositiveInt(arguments, "runs", 5);
        var json = ModelCommands.Flag(arguments, "json");
        var options = ModelCommands.RuntimeOptions(app.Services, id);
        if (arguments.Optional("streams") is { } streams)
        {
            return Task.FromResult(RunConcurrency(arguments, folder, id, streams, options, json));
        }

        EngineBenchmarkResult result;
        try
        {
            result = EngineBenchmark.Run(folder, promptTokens, generatedTokens, runs, options);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new CommandLineException(ex.Message.Split(" (Parameter", 2)[0]);
        }

        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var writer = new Utf8JsonWriter(stdout))
            {
                writer.WriteStartObject();
                writer.WriteString("model", id ?? result.Model);
                writer.WriteNumber("prompt_tokens", result.PromptTokens);
                writer.WriteNumber("gen_tokens", result.GeneratedTokens);
                writer.WriteNumber("runs", result.Runs);
                writer.WriteNumber("prefill_tokens_per_s", Math.Round(result.PrefillTokensPerSecond, 2));
                writer.WriteNumber("decode_tokens_per_s", Math.Round(result.DecodeTokensPerSecond, 2));
                writer.WriteNumber("ttft_ms", Math.Round(result.TimeToFirstTokenMs, 3));
                writer.WriteNumber("peak_rss_mb", Math.Round(result.PeakRssMb, 1));
                writer.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
            return Task.FromResult(0);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model                {id ?? folder}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload             {result.PromptTokens} prompt + {result.GeneratedTokens} generated tokens, median of {result.Runs} runs"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prompt tokens/s      {result.PrefillTokensPerSecond:0.0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decode tokens/s      {result.DecodeTokensPerSecond:0.0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time to first token  {result.TimeToFirstTokenMs:0.00} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak memory (RSS)    {result.PeakRssMb:0.0} MB"));
        return Task.FromResult(0);
    }

    private static int RunConcurrency(VerbArguments arguments, string folder, string? id, string streamList, ModelOptions options, bool json)
    {
        var streams = streamList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new CommandLineException($"--streams must list positive whole numbers, got '{streamList}'"))
            .ToArray();
        if (streams.Length == 0)
        {
            throw new CommandLineException($"--streams must list positive whole numbers, got '{streamList}'");
        }

        var promptTokens = PositiveInt(arguments, "prompt-tokens", 32);
        var generatedTokens = PositiveInt(arguments, "gen-tokens", 128);
        var runs = PositiveInt(arguments, "runs", 3);
        var maxBatch = PositiveInt(arguments, "max-batch", 8);
        if (arguments.Optional("long-prompt") is not null)
        {
            return RunPrefillStall(arguments, folder, id, streams.Max(), runs, maxBatch, options, json);
        }

        IReadOnlyList<ConcurrencyBenchmarkResult> results;
        try
        {
            results = ConcurrencyBenchmark.Run(folder, streams, promptTokens, generatedTokens, runs, maxBatch, options);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or NotSupportedException)
        {
            throw new CommandLineException(ex.Message.Split(" (Parameter", 2)[0]);
        }

        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var writer = new Utf8JsonWriter(stdout))
            {
                writer.WriteStartObject();
                writer.WriteString("model", id ?? folder);
                writer.WriteNumber("prompt_tokens", promptTokens);
                writer.WriteNumber("gen_tokens", generatedTokens);
                writer.WriteNumber("runs", runs);
                writer.WriteNumber("max_batch", maxBatch);
                writer.WriteStartArray("streams");
                foreach (var result in results)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("streams", result.Streams);
                    writer.WriteNumber("batched_tokens_per_s", Math.Round(result.BatchedTokensPerSecond, 2));
                    writer.WriteNumber("unbatched_tokens_per_s", Math.Round(result.UnbatchedTokensPerSecond, 2));
                    writer.WriteNumber("max_batch_observed", result.MaxBatchObserved);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
            return 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model     {id ?? folder}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload  per stream {promptTokens} prompt + {generatedTokens} generated tokens, greedy, median of {runs} runs, max batch {maxBatch}"));
        Console.WriteLine("streams  batched tok/s  unbatched tok/s  speed-up");
        foreach (var result in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Streams,7}  {result.BatchedTokensPerSecond,13:0.0}  {result.UnbatchedTokensPerSecond,15:0.0}  {result.BatchedTokensPerSecond / result.UnbatchedTokensPerSecond,7:0.00}x"));
        }

        return 0;
    }

    private static int RunPrefillStall(VerbArguments arguments, string folder, string? id, int shortStreams, int runs, int maxBatch, ModelOptions options, bool json)
    {
        var longPrompt = PositiveInt(arguments, "long-prompt", 2048);
        var chunk = PositiveInt(arguments, "prefill-chunk", Inference.Serving.InferenceOptions.DefaultPrefillChunkTokens);
        PrefillStallBenchmarkResult result;
        try
        {
            result = PrefillStallBenchmark.Run(folder, shortStreams, longPrompt, chunk, runs, maxBatch, options);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or NotSupportedException)
        {
            throw new CommandLineException(ex.Message.Split(" (Parameter", 2)[0]);
        }

        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var writer = new Utf8JsonWriter(stdout))
            {
                writer.WriteStartObject();
                writer.WriteString("model", id ?? folder);
                writer.WriteNumber("short_streams", result.ShortStreams);
                writer.WriteNumber("long_prompt_tokens", result.LongPromptTokens);
                writer.WriteNumber("prefill_chunk", result.ChunkTokens);
                writer.WriteNumber("runs", runs);
                writer.WriteNumber("worst_gap_chunked_ms", Math.Round(result.WorstGapChunkedMs, 2));
                writer.WriteNumber("worst_gap_unchunked_ms", Math.Round(result.WorstGapUnchunkedMs, 2));
                writer.WriteNumber("long_ttft_chunked_ms", Math.Round(result.LongFirstTokenChunkedMs, 2));
                writer.WriteNumber("long_ttft_unchunked_ms", Math.Round(result.LongFirstTokenUnchunkedMs, 2));
                writer.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
            return 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model     {id ?? folder}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload  {result.ShortStreams} short greedy streams decoding, then one {result.LongPromptTokens}-token prompt; median of {runs} runs, max batch {maxBatch}"));
        Console.WriteLine("prefill            worst short-stream gap  long prompt first token");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chunks of {result.ChunkTokens,-8} {result.WorstGapChunkedMs,19:0.0} ms  {result.LongFirstTokenChunkedMs,20:0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one run            {result.WorstGapUnchunkedMs,19:0.0} ms  {result.LongFirstTokenUnchunkedMs,20:0.0} ms"));
        return 0;
    }

    /// <summary>A folder path wins; otherwise a catalog id.</summary>
    private static (string Folder, string? Id) ResolveModel(ModelCatalog catalog, string model)
    {
        if (Directory.Exists(model))
        {
            return (Path.GetFullPath(model), null);
        }

        return catalog.Find(model) is { } descriptor
            ? (descriptor.Path, descriptor.Id)
            : throw new CommandLineException($"--model '{model}' is neither a folder nor a model id in {catalog.ModelsDirectory} (see `models list`)");
    }

    private static int PositiveInt(VerbArguments arguments, string name, int fallback) =>
        arguments.Optional(name) is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new CommandLineException($"--{name} must be a positive whole number, got '{text}'");
}
