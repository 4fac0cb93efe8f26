using System.Globalization;
using AkashML.Bench.Engine;
using AkashML.Web.Cli;

namespace AkashML.Bench.Cli;

/// <summary>
/// <c>bench tokenizer --tokenizer DIR|FILE [--chars 50000] [--runs 5] [--json]</c>: encode time and characters per
/// second of <see cref="TokenizerBenchmark"/>, p25 / median / p75.
/// </summary>
internal static class TokenizerBench
{
    public static int Run(VerbArguments arguments)
    {
        var tokenizer = arguments.Required("tokenizer");
        if (!Directory.Exists(tokenizer) && !File.Exists(tokenizer))
        {
            throw new CommandLineException($"--tokenizer '{tokenizer}' is neither a folder nor a tokenizer.json file");
        }

        var result = TokenizerBenchmark.Run(tokenizer, arguments.PositiveInt("chars", 50_000), arguments.PositiveInt("runs", 5));
        if (arguments.Switch("json"))
        {
            JsonReport.Write(writer =>
            {
                writer.WriteString("tokenizer", result.Tokenizer);
                writer.WriteNumber("chars", result.Characters);
                writer.WriteNumber("tokens", result.Tokens);
                writer.WriteNumber("runs", result.Runs);
                SpreadReport.Write(writer, "encode_ms", result.EncodeMs);
                SpreadReport.Write(writer, "chars_per_s", result.CharactersPerSecond);
            });
            return 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tokenizer   {result.Tokenizer}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload    {result.Characters} characters -> {result.Tokens} tokens, {result.Runs} runs; p25 / median / p75"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"encode      {SpreadReport.Format(result.EncodeMs, "0.0")} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chars/s     {SpreadReport.Format(result.CharactersPerSecond)}"));
        return 0;
    }
}
