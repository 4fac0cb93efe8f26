using System.Globalization;
using System.Text.Json;
using AkashML.Bench.Engine;
using AkashML.Inference.Runtime;
using AkashML.Web.Cli;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench engine --model X --reference ortgenai [--streams 1,4,8]</c>: the same workload on our runtime and on the
/// official ONNX Runtime GenAI in this one process run; p25/median/p75 of each and our median over theirs.
/// </summary>
internal static class ReferenceBench
{
    public const string OrtGenAi = "ortgenai";

    public static int Run(VerbArguments arguments, string folder, string? id, string reference, ModelOptions options, bool json)
    {
        if (!string.Equals(reference, OrtGenAi, StringComparison.Ordinal))
        {
            throw new CommandLineException($"--reference must be '{OrtGenAi}' (the official ONNX Runtime GenAI), got '{reference}'");
        }

        if (arguments.Optional("long-prompt") is not null)
        {
            throw new CommandLineException("--reference does not combine with --long-prompt (the official managed API has no chunked prefill to compare)");
        }

        try
        {
            return arguments.Optional("streams") is { } streams
                ? RunStreams(arguments, folder, id, ConcurrencyBench.StreamCounts(streams), options, json)
                : RunSingle(arguments, folder, id, options, json);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new CommandLineException(ex.Message.Split(" (Parameter", 2)[0]);
        }
        catch (ModelLoadException ex)
        {
            throw new CommandLineException(ex.Message);
        }
    }

    private static int RunSingle(VerbArguments arguments, string folder, string? id, ModelOptions options, bool json)
    {
        var result = ReferenceBenchmark.RunSingleStream(
            folder,
            arguments.PositiveInt("prompt-tokens", 128),
            arguments.PositiveInt("gen-tokens", 256),
            arguments.PositiveInt("runs", 5),
            options);
        if (json)
        {
            JsonReport.Write(writer =>
            {
                writer.WriteString("model", id ?? result.Model);
                writer.WriteString("reference", OrtGenAi);
                writer.WriteNumber("prompt_tokens", result.PromptTokens);
                writer.WriteNumber("gen_tokens", result.GeneratedTokens);
                writer.WriteNumber("runs", result.Runs);
                writer.WriteNumber("ours_warmup_runs", result.OursWarmUpRuns);
                writer.WriteNumber("official_warmup_runs", result.OfficialWarmUpRuns);
                WriteFigures(writer, "ours", result.Ours);
                WriteFigures(writer, "official", result.Official);
                writer.WriteNumber("decode_ratio", Math.Round(result.DecodeRatio, 3));
                writer.WriteNumber("prefill_ratio", Math.Round(result.PrefillRatio, 3));
                writer.WriteNumber("peak_rss_mb", Math.Round(result.PeakRssMb, 1));
            });
            return 0;
        }

        Console.WriteLine(Invariant($"model      {id ?? folder}"));
        Console.WriteLine(Invariant($"workload   {result.PromptTokens} prompt + {result.GeneratedTokens} generated tokens, 1 stream, {result.Runs} runs each, alternating, after {result.OursWarmUpRuns} / {result.OfficialWarmUpRuns} warm-up runs; p25 / median / p75"));
        Console.WriteLine("                     ours                         official ORT GenAI           ours/official (medians)");
        Console.WriteLine(Invariant($"prompt tokens/s      {SpreadReport.Format(result.Ours.PrefillTokensPerSecond)}  {SpreadReport.Format(result.Official.PrefillTokensPerSecond)}  {result.PrefillRatio:0.00}x"));
        Console.WriteLine(Invariant($"decode tokens/s      {SpreadReport.Format(result.Ours.DecodeTokensPerSecond)}  {SpreadReport.Format(result.Official.DecodeTokensPerSecond)}  {result.DecodeRatio:0.00}x"));
        Console.WriteLine(Invariant($"time to first token  {SpreadReport.Format(result.Ours.TimeToFirstTokenMs, "0.00")}  {SpreadReport.Format(result.Official.TimeToFirstTokenMs, "0.00")}  ms"));
        Console.WriteLine(Invariant($"peak memory (RSS)    {result.PeakRssMb:0.0} MB (both runtimes in this process)"));
        return 0;
    }

    private static int RunStreams(VerbArguments arguments, string folder, string? id, int[] streams, ModelOptions options, bool json)
    {
        var promptTokens = arguments.PositiveInt("prompt-tokens", 32);
        var generatedTokens = arguments.PositiveInt("gen-tokens", 128);
        var runs = arguments.PositiveInt("runs", 3);
        var maxBatch = arguments.PositiveInt("max-batch", 8);
        var results = ReferenceBenchmark.RunStreams(folder, streams, promptTokens, generatedTokens, runs, maxBatch, options);
        if (json)
        {
            JsonReport.Write(writer =>
            {
                writer.WriteString("model", id ?? folder);
                writer.WriteString("reference", OrtGenAi);
                writer.WriteNumber("prompt_tokens", promptTokens);
                writer.WriteNumber("gen_tokens", generatedTokens);
                writer.WriteNumber("runs", runs);
                writer.WriteNumber("max_batch", maxBatch);
                writer.WriteStartArray("streams");
                foreach (var result in results)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("streams", result.Streams);
                    writer.WriteBoolean("ours_batched", result.OursBatched);
                    SpreadReport.Write(writer, "ours_tokens_per_s", result.Ours);
                    SpreadReport.Write(writer, "official_static_batch_tokens_per_s", result.OfficialStaticBatch);
                    SpreadReport.Write(writer, "official_per_stream_tokens_per_s", result.OfficialPerStream);
                    writer.WriteNumber("ratio", Math.Round(result.Ratio, 3));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
            return 0;
        }

        Console.WriteLine(Invariant($"model     {id ?? folder}"));
        Console.WriteLine(Invariant($"workload  per stream {promptTokens} prompt + {generatedTokens} generated tokens, greedy, {runs} runs each, alternating, max batch {maxBatch}"));
        Console.WriteLine("aggregate generated tokens/s, p25 / median / p75; ratio = our median / the official runtime's better mode");
        Console.WriteLine("streams  ours                           official static batch          official generator per stream  ratio");
        foreach (var result in results)
        {
            Console.WriteLine(Invariant(
                $"{result.Streams,7}  {SpreadReport.Format(result.Ours)}{(result.OursBatched ? " " : "*")}  {SpreadReport.Format(result.OfficialStaticBatch)}  {SpreadReport.Format(result.OfficialPerStream)}  {result.Ratio,5:0.00}x"));
        }

        if (results.Any(r => !r.OursBatched))
        {
            Console.WriteLine("* this model does not batch in our runtime (no GroupQueryAttention shared buffer): a generator per stream");
        }

        return 0;
    }

    private static void WriteFigures(Utf8JsonWriter writer, string name, ReferenceFigures figures)
    {
        writer.WriteStartObject(name);
        SpreadReport.Write(writer, "prefill_tokens_per_s", figures.PrefillTokensPerSecond);
        SpreadReport.Write(writer, "decode_tokens_per_s", figures.DecodeTokensPerSecond);
        SpreadReport.Write(writer, "ttft_ms", figures.TimeToFirstTokenMs);
        writer.WriteEndObject();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
