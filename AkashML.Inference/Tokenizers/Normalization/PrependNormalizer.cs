namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>Prepends a string to non-empty text.</summary>
internal sealed class PrependNormalizer(string prefix) : INormalizer
{
    public string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}
