namespace AkashML.Inference.Tokenizers;

/// <summary>The full result of encoding one text.</summary>
/// <param name="Ids">Token ids.</param>
/// <param name="Tokens">The vocabulary string of each id.</param>
/// <param name="AttentionMask">1 for real tokens, 0 for padding.</param>
public sealed record TokenizerEncoding(IReadOnlyList<int> Ids, IReadOnlyList<string> Tokens, IReadOnlyList<int> AttentionMask);
