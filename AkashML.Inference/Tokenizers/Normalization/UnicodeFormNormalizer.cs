using System.Text;

namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>NFC, NFD, NFKC or NFKD.</summary>
internal sealed class UnicodeFormNormalizer(NormalizationForm form) : INormalizer
{
    public string Normalize(string text)
    {
        try
        {
            return text.IsNormalized(form) ? text : text.Normalize(form);
        }
        catch (ArgumentException)
        {
            // Lone surrogates cannot be normalized; the reference never sees them (Rust strings are valid UTF-8).
            return text;
        }
    }
}
