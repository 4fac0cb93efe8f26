using System.Diagnostics;
using System.Globalization;
using System.Text;
using AkashML.Inference.Tokenizers;

namespace AkashML.Bench.Engine;

/// <summary>
/// Times encoding a long made-up English text (common words, punctuation and line breaks from a fixed seed) with a
/// Hugging Face tokenizer.json, truncation and padding off. A text without a pre-tokenizer (Llama 2) is one BPE word
/// as long as the text, which is where a merge loop that is not near-linear shows. Each run appends its own number so
/// the per-word cache cannot answer the whole text from the previous run.
/// </summary>
public static class TokenizerBenchmark
{
    private static readonly string[] Words =
    [
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "inference", "platform", "tokenizer",
        "model", "request", "latency", "throughput", "billing", "credits", "question", "answer", "because", "while",
        "although", "remarkable", "performance", "benchmark", "sentence", "paragraph", "language", "2024", "Hello",
    ];

    /// <param name="tokenizer">A folder with a tokenizer.json, or the file itself.</param>
    public static TokenizerBenchmarkResult Run(string tokenizer, int characters = 50_000, int runs = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(characters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        var loaded = (Directory.Exists(tokenizer) ? HuggingFaceTokenizer.FromDirectory(tokenizer) : HuggingFaceTokenizer.FromFile(tokenizer))
            .WithoutTruncationAndPadding();
        var text = EnglishText(characters);
        loaded.Encode(EnglishText(Math.Min(characters, 5_000)));

        var milliseconds = new List<double>(runs);
        var tokens = 0;
        for (var run = 0; run < runs; run++)
        {
            var input = text + run.ToString(CultureInfo.InvariantCulture);
            var started = Stopwatch.GetTimestamp();
            tokens = loaded.Encode(input).Count;
            milliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return new TokenizerBenchmarkResult(
            tokenizer,
            characters,
            tokens,
            runs,
            Spread.Of(milliseconds),
            Spread.Of([.. milliseconds.Select(ms => characters / (ms / 1000))]));
    }

    /// <summary>The benchmark's text: <paramref name="length"/> characters, the same for every run and machine.</summary>
    public static string EnglishText(int length)
    {
        var random = new Random(42);
        var text = new StringBuilder(length + 32);
        while (text.Length < length)
        {
            text.Append(Words[random.Next(Words.Length)]);
            text.Append(random.Next(12) switch
            {
                0 => ". ",
                1 => ", ",
                2 => "\n",
                _ => " ",
            });
        }

        return text.ToString(0, length);
    }
}
