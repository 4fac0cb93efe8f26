using System.Globalization;
using AkashML.Bench.Engine;
using AkashML.Inference.Runtime;
using AkashML.Web.Cli;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench engine --model X --streams 1,4,8 [--max-batch 8]</c>: aggregate generation tokens/s (over wall time, short
/// prompts) of that many concurrent streams, with continuous batching and with a generator per stream.
/// </summary>
internal static class ConcurrencyBench
{
    public static int Run(VerbArguments arguments, string folder, string? id, string streamList, ModelOptions options, bool json)
    {
        var streams = StreamCounts(streamList);
        var promptTokens = arguments.PositiveInt("prompt-tokens", 32);
        var generatedTokens = arguments.PositiveInt("gen-tokens", 128);
        var runs = arguments.PositiveInt("runs", 3);
        var maxBatch = arguments.PositiveInt("max-batch", 8);
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
            JsonReport.Write(writer =>
            {
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
            });
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

    /// <summary>The <c>--streams</c> list: positive whole numbers, comma-separated.</summary>
    public static int[] StreamCounts(string streamList)
    {
        var streams = streamList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new CommandLineException($"--streams must list positive whole numbers, got '{streamList}'"))
            .ToArray();
        return streams.Length > 0 ? streams : throw new CommandLineException($"--streams must list positive whole numbers, got '{streamList}'");
    }
}
