using System.Globalization;
using AkashML.Bench.Engine;
using AkashML.Bench.Soak;
using AkashML.Inference.Catalog;
using AkashML.Web.Cli;

namespace AkashML.Bench.Cli;

/// <summary>
/// The <c>bench</c> verb. <c>bench engine --model DIR|ID [--prompt-tokens 128] [--gen-tokens 256] [--runs 5] [--json]</c>:
/// p25 / median / p75 of prompt throughput, decode throughput, time to first token (after a warm-up that runs until
/// the run time settles), and the process's peak resident memory; with
/// <c>--streams</c> see <see cref="ConcurrencyBench"/>, with <c>--long-prompt</c> too see <see cref="PrefillStallBench"/>,
/// with <c>--reference ortgenai</c> (single stream or <c>--streams</c>) see <see cref="ReferenceBench"/>; <c>bench tokenizer</c>
/// see <see cref="TokenizerBench"/>, <c>bench binding</c> <see cref="BindingBench"/>, <c>bench prefix</c> <see cref="PrefixBench"/>,
/// <c>bench claude-code</c> <see cref="ClaudeCodeBench"/>, <c>bench soak</c> <see cref="SoakBench"/>.
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

        if (arguments.Sub == "soak" && arguments.Positional.Count == 0)
        {
            return SoakBench.RunAsync(app, arguments);
        }

        if (arguments.Sub == "claude-code" && arguments.Positional.Count == 0)
        {
            return ClaudeCodeBench.RunAsync(app, arguments);
        }

        if (arguments.Sub == "usage" && arguments.Positional.Count == 0)
        {
            return UsageBench.RunAsync(arguments);
        }

        if (arguments.Sub == "tokenizer" && arguments.Positional.Count == 0)
        {
            return Task.FromResult(TokenizerBench.Run(arguments));
        }

        if (arguments.Sub == "binding" && arguments.Positional.Count == 0)
        {
            var (binding, _) = ResolveModel(app.Services.GetRequiredService<ModelCatalog>(), arguments.Required("model"));
            return Task.FromResult(BindingBench.Run(arguments, binding));
        }

        if (arguments.Sub == "prefix" && arguments.Positional.Count == 0)
        {
            var (prefixFolder, prefixId) = ResolveModel(app.Services.GetRequiredService<ModelCatalog>(), arguments.Required("model"));
            return Task.FromResult(PrefixBench.Run(arguments, prefixFolder, prefixId, ModelCommands.RuntimeOptions(app.Services, prefixId)));
        }

        if (arguments.Sub != "engine" || arguments.Positional.Count != 0)
        {
            throw new CommandLineException(Usage);
        }

        var (folder, id) = ResolveModel(app.Services.GetRequiredService<ModelCatalog>(), arguments.Required("model"));
        var json = arguments.Switch("json");
        var options = ModelCommands.RuntimeOptions(app.Services, id);
        if (arguments.Optional("reference") is { } reference)
        {
            return Task.FromResult(ReferenceBench.Run(arguments, folder, id, reference, options, json));
        }

        if (arguments.Optional("streams") is { } streams)
        {
            return Task.FromResult(arguments.Optional("long-prompt") is null
                ? ConcurrencyBench.Run(arguments, folder, id, streams, options, json)
                : PrefillStallBench.Run(arguments, folder, id, streams, options, json));
        }

        var promptTokens = arguments.PositiveInt("prompt-tokens", 128);
        var generatedTokens = arguments.PositiveInt("gen-tokens", 256);
        var runs = arguments.PositiveInt("runs", 5);

        EngineBenchmarkResult result;
        try
        {
            result = EngineBenchmark.Run(folder, promptTokens, generatedTokens, runs, options);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new CommandLineException(ex.Message.Split(" (Parameter", 2)[0]);
        }

        // After the decode runs, so the 512 MiB of copy buffers do not disturb them.
        var traffic = DecodeWeightTraffic.Measure(folder);
        var bandwidth = MemoryBandwidth.Measure();
        var weightBytesPerSecond = traffic.PerToken * result.DecodeTokensPerSecond.Median;
        if (json)
        {
            JsonReport.Write(writer =>
            {
                writer.WriteString("model", id ?? result.Model);
                writer.WriteNumber("prompt_tokens", result.PromptTokens);
                writer.WriteNumber("gen_tokens", result.GeneratedTokens);
                writer.WriteNumber("runs", result.Runs);
                writer.WriteNumber("warmup_runs", result.WarmUpRuns);
                SpreadReport.Write(writer, "prefill_tokens_per_s", result.PrefillTokensPerSecond);
                SpreadReport.Write(writer, "decode_tokens_per_s", result.DecodeTokensPerSecond);
                SpreadReport.Write(writer, "ttft_ms", result.TimeToFirstTokenMs);
                writer.WriteNumber("peak_rss_mb", Math.Round(result.PeakRssMb, 1));
                writer.WriteNumber("weight_bytes_per_token", traffic.PerToken);
                writer.WriteNumber("weight_bytes_total", traffic.Total);
                writer.WriteNumber("weight_bytes_per_s", Math.Round(weightBytesPerSecond));
                writer.WriteNumber("memory_copy_bytes_per_s", Math.Round(bandwidth.CopyBytesPerSecond));
                writer.WriteNumber("memory_read_bytes_per_s", Math.Round(bandwidth.ReadBytesPerSecond));
                writer.WriteNumber("fraction_of_copy_bandwidth", Math.Round(weightBytesPerSecond / bandwidth.CopyBytesPerSecond, 4));
                writer.WriteNumber("fraction_of_read_bandwidth", Math.Round(weightBytesPerSecond / bandwidth.ReadBytesPerSecond, 4));
            });
            return Task.FromResult(0);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model                {id ?? folder}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload             {result.PromptTokens} prompt + {result.GeneratedTokens} generated tokens, {result.Runs} runs after {result.WarmUpRuns} warm-up runs; p25 / median / p75"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prompt tokens/s      {SpreadReport.Format(result.PrefillTokensPerSecond)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decode tokens/s      {SpreadReport.Format(result.DecodeTokensPerSecond)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"time to first token  {SpreadReport.Format(result.TimeToFirstTokenMs, "0.00")} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak memory (RSS)    {result.PeakRssMb:0.0} MB"));
        var cache = bandwidth.LastLevelCacheBytes is { } llc ? ", last-level cache " + ModelCommands.FormatBytes(llc) : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"weights per token    {traffic.PerToken / 1e6:0.00} MB read (of {traffic.Total / 1e6:0.00} MB; token- and position-indexed tables count one row)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"weight traffic       {weightBytesPerSecond / 1e9:0.00} GB/s at the median decode rate"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory bandwidth     copy {bandwidth.CopyBytesPerSecond / 1e9:0.00} GB/s, read {bandwidth.ReadBytesPerSecond / 1e9:0.00} GB/s (medians, {ModelCommands.FormatBytes(bandwidth.BufferBytes)} buffers{cache})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fraction achieved    {weightBytesPerSecond / bandwidth.CopyBytesPerSecond:P1} of copy, {weightBytesPerSecond / bandwidth.ReadBytesPerSecond:P1} of read bandwidth"));
        return Task.FromResult(0);
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

}
