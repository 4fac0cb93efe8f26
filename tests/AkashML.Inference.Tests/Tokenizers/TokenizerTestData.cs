using System.Text.Json;
using AkashML.Inference.Tokenizers;

namespace AkashML.Inference.Tests.Tokenizers;

/// <summary>Locates ../shared (tokenizer fixtures) and caches loaded tokenizers for the test run.</summary>
internal static class TokenizerTestData
{
    private static readonly Dictionary<string, HuggingFaceTokenizer> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>The shared folder (AKASHML_SHARED_DIR, or a 'shared' folder beside an ancestor of the test binaries).</summary>
    public static string? SharedDirectory =>
        SharedTestData.Directory is { } shared && Directory.Exists(Path.Combine(shared, "tokenizers")) ? shared : null;

    public const string MissingReason = "Shared test data (../shared/tokenizers) not found; set AKASHML_SHARED_DIR to run.";

    public static string SharedPath(params string[] parts) =>
        Path.Combine([SharedDirectory ?? throw new InvalidOperationException(MissingReason), .. parts]);

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
