using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>Unicode lowercase, code point by code point.</summary>
internal sealed class LowercaseNormalizer : INormalizer
{
    public string Normalize(string text) => UnicodeChars.ToLower(text);
}
