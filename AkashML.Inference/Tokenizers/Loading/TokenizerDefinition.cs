using AkashML.Inference.Tokenizers.Decoding;
using AkashML.Inference.Tokenizers.Models;
using AkashML.Inference.Tokenizers.Normalization;
using AkashML.Inference.Tokenizers.PostProcessing;
using AkashML.Inference.Tokenizers.PreTokenization;

namespace AkashML.Inference.Tokenizers.Loading;

/// <summary>The pipeline a tokenizer.json describes, built into runnable components.</summary>
internal sealed record TokenizerDefinition(
    INormalizer? Normalizer,
    IPreTokenizer? PreTokenizer,
    ITokenizerModel Model,
    IPostProcessor? PostProcessor,
    ITokenDecoder? Decoder,
    IReadOnlyList<AddedToken> AddedTokens,
    TokenizerTruncation? Truncation,
    TokenizerPadding? Padding);
