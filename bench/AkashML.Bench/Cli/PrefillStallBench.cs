using System.Globalization;
using AkashML.Bench.Engine;
using AkashML.Inference.Runtime;
using AkashML.Inference.Serving;
using AkashML.Web.Cli;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench engine --model X --streams 4 --long-prompt N [--prefill-chunk 512]</c>: head-of-line blocking — the worst
/// inter-token gap of that many short streams while one N-token prompt is prefilled, with chunked prefill and without.
/// </summary>
internal static class PrefillStallBench
{
    public static int Run(VerbArguments arguments, string folder, string? id, string streamList, ModelOptions options, bool json)
    {
        var shortStreams = ConcurrencyBench.StreamCounts(streamList).Max();
        var runs = arguments.PositiveInt("runs", 3);
        var maxBatch = arguments.PositiveInt("max-batch", 8);
        var longPrompt = arguments.PositiveInt("long-prompt", 2048);
        var chunk = arguments.PositiveInt("prefill-chunk", InferenceOptions.DefaultPrefillChunkTokens);
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
            JsonReport.Write(writer =>
            {
                writer.WriteString("model", id ?? folder);
                writer.WriteNumber("short_streams", result.ShortStreams);
                writer.WriteNumber("long_prompt_tokens", result.LongPromptTokens);
                writer.WriteNumber("prefill_chunk", result.ChunkTokens);
                writer.WriteNumber("runs", runs);
                writer.WriteNumber("worst_gap_chunked_ms", Math.Round(result.WorstGapChunkedMs, 2));
                writer.WriteNumber("worst_gap_unchunked_ms", Math.Round(result.WorstGapUnchunkedMs, 2));
                writer.WriteNumber("long_ttft_chunked_ms", Math.Round(result.LongFirstTokenChunkedMs, 2));
                writer.WriteNumber("long_ttft_unchunked_ms", Math.Round(result.LongFirstTokenUnchunkedMs, 2));
            });
            return 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model     {id ?? folder}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload  {result.ShortStreams} short greedy streams decoding, then one {result.LongPromptTokens}-token prompt; median of {runs} runs, max batch {maxBatch}"));
        Console.WriteLine("prefill            worst short-stream gap  long prompt first token");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chunks of {result.ChunkTokens,-8} {result.WorstGapChunkedMs,19:0.0} ms  {result.LongFirstTokenChunkedMs,20:0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one run            {result.WorstGapUnchunkedMs,19:0.0} ms  {result.LongFirstTokenUnchunkedMs,20:0.0} ms"));
        return 0;
    }
}
