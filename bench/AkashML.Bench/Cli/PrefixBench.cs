using System.Globalization;
using System.Text.Json.Nodes;
using AkashML.Bench.Engine;
using AkashML.Inference.Catalog;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;
using AkashML.Web.Api.Anthropic;
using AkashML.Web.Cli;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench prefix --model X [--request FILE]</c>: the prefix cache's gain (see <see cref="PrefixCacheBenchmark"/>).
/// <c>--request</c> takes an Anthropic Messages body (what Claude Code sends, captured with a logging proxy or from the
/// retention page), rendered with the model's chat template as the Anthropic route renders it; without it the request is
/// <c>--request-tokens</c> made-up ids.
/// </summary>
internal static class PrefixBench
{
    public static int Run(VerbArguments arguments, string folder, string? id, ModelOptions options)
    {
        var json = arguments.Switch("json");
        var request = arguments.Optional("request") is { } file ? Render(folder, options, file) : null;
        PrefixCacheBenchmarkResult result;
        try
        {
            result = PrefixCacheBenchmark.Run(folder, request,
                requestTokens: arguments.PositiveInt("request-tokens", 2000),
                prefixTokens: arguments.PositiveInt("prefix-tokens", 2000),
                streams: arguments.PositiveInt("streams", 8),
                generatedTokens: arguments.PositiveInt("gen-tokens", 32),
                runs: arguments.PositiveInt("runs", 3),
                maxBatchSize: arguments.PositiveInt("max-batch", 8),
                blockTokens: arguments.PositiveInt("block", PrefixCacheOptions.DefaultBlockTokens),
                options: options);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new CommandLineException(ex.Message.Split(" (Parameter", 2)[0]);
        }

        if (json)
        {
            JsonReport.Write(writer =>
            {
                writer.WriteString("model", id ?? folder);
                writer.WriteString("request", request is null ? "made-up" : "file");
                writer.WriteNumber("request_tokens", result.RequestTokens);
                writer.WriteNumber("ttft_first_ms", Math.Round(result.FirstTimeToFirstTokenMs, 2));
                writer.WriteNumber("ttft_second_ms", Math.Round(result.SecondTimeToFirstTokenMs, 2));
                writer.WriteNumber("ttft_second_to_first", Math.Round(result.SecondToFirstRatio, 4));
                writer.WriteNumber("second_cached_tokens", result.SecondCachedTokens);
                writer.WriteNumber("streams", result.Streams);
                writer.WriteNumber("prefix_tokens", result.PrefixTokens);
                writer.WriteNumber("gen_tokens", result.GeneratedTokens);
                writer.WriteNumber("cached_tokens_per_s", Math.Round(result.CachedTokensPerSecond, 2));
                writer.WriteNumber("uncached_tokens_per_s", Math.Round(result.UncachedTokensPerSecond, 2));
                writer.WriteNumber("cached_mean_ttft_ms", Math.Round(result.CachedMeanTimeToFirstTokenMs, 2));
                writer.WriteNumber("uncached_mean_ttft_ms", Math.Round(result.UncachedMeanTimeToFirstTokenMs, 2));
            });
            return 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model          {id ?? folder}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"request        {(request is null ? "made-up ids" : "from file")}, {result.RequestTokens} prompt tokens, sent twice"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ttft           first {result.FirstTimeToFirstTokenMs:0.0} ms, second {result.SecondTimeToFirstTokenMs:0.0} ms ({result.SecondToFirstRatio:P1}, {result.SecondCachedTokens} tokens cached)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"shared prefix  {result.Streams} streams, {result.PrefixTokens}-token prefix, {result.GeneratedTokens} tokens each"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"with cache     {result.CachedTokensPerSecond,8:0.0} tokens/s, mean ttft {result.CachedMeanTimeToFirstTokenMs:0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"without cache  {result.UncachedTokensPerSecond,8:0.0} tokens/s, mean ttft {result.UncachedMeanTimeToFirstTokenMs:0.0} ms"));
        return 0;
    }

    /// <summary>The prompt ids of an Anthropic Messages body, rendered as the Anthropic route renders it.</summary>
    private static int[] Render(string folder, ModelOptions options, string file)
    {
        JsonObject body;
        try
        {
            body = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new CommandLineException($"--request {file} is not a JSON object.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new CommandLineException($"--request {file}: {ex.Message}");
        }

        var descriptor = new ModelDescriptor { Id = "benchmark", DisplayName = "benchmark", Path = folder, ContextLength = int.MaxValue };
        using var model = TextModel.Load(descriptor, options, maxConcurrency: 1);
        var messages = AnthropicMessages.ToTemplateMessages(body["system"], body["messages"]);
        var tools = model.SupportsTools ? AnthropicMessages.ToTemplateTools(body["tools"]) : null;
        return [.. model.EncodePrompt(model.RenderChat(messages, tools, addGenerationPrompt: true), isRenderedChat: true)];
    }
}
