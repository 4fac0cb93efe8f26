namespace AkashML.Inference.Tokenizers.Decoding;

/// <summary>One step of turning token strings back into text; steps chain, and the final strings are concatenated.</summary>
internal interface ITokenDecoder
{
    List<string> DecodeChain(List<string> tokens);
}
