namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>Rewrites text before pre-tokenization (Unicode forms, case, replacements).</summary>
internal interface INormalizer
{
    string Normalize(string text);
}
