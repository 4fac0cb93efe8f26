namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>Removes leading and/or trailing whitespace.</summary>
internal sealed class StripNormalizer(bool left, bool right) : INormalizer
{
    public string Normalize(string text)
    {
        if (left)
        {
            text = text.TrimStart();
        }

        return right ? text.TrimEnd() : text;
    }
}
