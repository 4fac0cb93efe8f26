using System.Text.Json;
using AkashML.Inference.Tokenizers;
using AkashML.Tests.SharedFolder;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>Reads the shared tokenizer fixtures and caches loaded tokenizers for the test run.</summary>
internal static class TokenizerTestData
{
    private static readonly Dictionary<string, HuggingFaceTokenizer> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    public static string SharedPath(params string[] parts) => SharedTestData.PathOf(Path.Combine(parts));

    /// <summary>Loads (once) the tokenizer.json in a folder given relative to the shared folder.</summary>
    public static HuggingFaceTokenizer Load(string relativeDirectory)
    {
        lock (Gate)
        {
            if (!Loaded.TryGetValue(relativeDirectory, out var tokenizer))
            {
                tokenizer = HuggingFaceTokenizer.FromDirectory(SharedPath(relativeDirectory));
                Loaded[relativeDirectory] = tokenizer;
            }

            return tokenizer;
        }
    }

    public static JsonDocument ReadJson(params string[] parts) => JsonDocument.Parse(File.ReadAllText(SharedPath(parts)));

    public static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];


}
