namespace AkashML.Inference.Tokenizers;

/// <summary>A token from tokenizer.json's <c>added_tokens</c>, matched in the text before the model runs.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">Its exact text.</param>
/// <param name="Special">Special tokens are dropped when decoding with skipSpecialTokens.</param>
/// <param name="Normalized">Matched in normalized text (true) or in the raw input (false).</param>
/// <param name="LStrip">Also consumes whitespace on its left.</param>
/// <param name="RStrip">Also consumes whitespace on its right.</param>
/// <param name="SingleWord">Only matches when not inside a word.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool Normalized, bool LStrip, bool RStrip, bool SingleWord);
