using System.Text.Json;
using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>Compares every tokenizer and text of tests/reference/tokenize.mjs with Hugging Face's reference output.</summary>
public sealed class TokenizerReferenceTests
{
    [ReferenceOutputFact("tokenizers")]
    public void Encode_and_decode_match_the_reference_implementation()
    {
        var directory = Environment.GetEnvironmentVariable(ReferenceOutputFactAttribute.Variable)!;
        var file = Path.Combine(directory, "tokenizer-reference.json");
        Assert.True(File.Exists(file), $"{ReferenceOutputFactAttribute.Variable} is set but {file} does not exist; run tests/reference/tokenize.mjs first.");

        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var failures = new List<string>();
        var checkedCases = 0;
        var entries = document.RootElement.GetProperty("tokenizers").EnumerateArray().ToList();
        Assert.True(entries.Count >= 20, $"expected at least 20 tokenizers in {file}, found {entries.Count}");
        foreach (var entry in entries)
        {
            var name = entry.GetProperty("name").GetString()!;
            var tokenizer = entry.TryGetProperty("shared", out var shared)
                ? TokenizerTestData.Load(shared.GetString()!)
                : HuggingFaceTokenizer.FromFile(Path.Combine(directory, entry.GetProperty("file").GetString()!));
            foreach (var c in entry.GetProperty("cases").EnumerateArray())
            {
                checkedCases++;
                var text = c.GetProperty("text").GetString()!;
                var label = $"{name} / {JsonSerializer.Serialize(text)}";
                Compare(failures, label, "ids", TokenizerTestData.Ints(c.GetProperty("ids")), tokenizer.Encode(text));
                var withSpecial = TokenizerTestData.Ints(c.GetProperty("ids_with_special"));
                Compare(failures, label, "ids_with_special", withSpecial, tokenizer.Encode(text, addSpecialTokens: true));
                Compare(failures, label, "tokens", [.. c.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!)],
                    tokenizer.EncodeDetailed(text).Tokens);
                Compare(failures, label, "decoded", [c.GetProperty("decoded").GetString()!], [tokenizer.Decode(withSpecial)]);
                Compare(failures, label, "decoded_skip_special", [c.GetProperty("decoded_skip_special").GetString()!],
                    [tokenizer.Decode(withSpecial, skipSpecialTokens: true)]);
            }
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} mismatches in {checkedCases} cases:\n" + string.Join('\n', failures.Take(40)));
    }

    private static void Compare<T>(List<string> failures, string label, string what, IReadOnlyList<T> expected, IReadOnlyList<T> actual)
    {
        if (!expected.SequenceEqual(actual))
        {
            failures.Add($"{label} {what}:\n  expected {JsonSerializer.Serialize(expected)}\n  actual   {JsonSerializer.Serialize(actual)}");
        }
    }
}
