using System.Text.RegularExpressions;
using AkashML.Inference.Tokenizers.PreTokenization;

namespace AkashML.Inference.Building.Tokenizers;

/// <summary>
/// The ByteLevel pre-tokenizer's split (use_regex = true) for the tokenizer trainer: plain chunks of text, before the
/// byte-level alphabet (<see cref="AkashML.Inference.Tokenizers.Text.ByteLevelAlphabet"/>) is applied. The runtime's
/// <see cref="ByteLevelPreTokenizer"/> splits with the same pattern.
/// </summary>
internal static partial class Gpt2PreTokenizer
{
    /// <summary>Splits text as the ByteLevel pre-tokenizer does.</summary>
    public static IEnumerable<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match match in Pattern().Matches(text))
        {
            yield return match.Value;
        }
    }

    [GeneratedRegex(ByteLevelPreTokenizer.Gpt2Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
