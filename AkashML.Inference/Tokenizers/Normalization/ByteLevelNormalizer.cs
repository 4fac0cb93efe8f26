using AkashML.Inference.Tokenizers.Text;

namespace AkashML.Inference.Tokenizers.Normalization;

/// <summary>Maps the text's UTF-8 bytes to the GPT-2 byte alphabet (the ByteLevel normalizer).</summary>
internal sealed class ByteLevelNormalizer : INormalizer
{
    public string Normalize(string text) => ByteLevelAlphabet.Encode(text);
}
