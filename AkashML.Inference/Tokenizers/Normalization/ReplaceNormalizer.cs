using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>Replaces every match of a string or regex with fixed content.</summary>
internal sealed class ReplaceNormalizer(TokenizerRegex pattern, string content) : INormalizer
{
    public string Normalize(string text) => pattern.Replace(text, content);
}
