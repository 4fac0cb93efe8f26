namespace AkashML.Inference.Tokenizers.Decoding;

/// <summary>Concatenates all tokens into one.</summary>
internal sealed class FuseDecoder : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}
