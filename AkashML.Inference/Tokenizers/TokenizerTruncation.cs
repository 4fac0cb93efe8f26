namespace AkashML.Inference.Tokenizers;

/// <summary>The truncation saved in tokenizer.json: keep at most <paramref name="MaxLength"/> ids (special tokens included).</summary>
/// <param name="MaxLength">Maximum number of ids.</param>
/// <param name="FromLeft">True to drop ids from the start instead of the end.</param>
public sealed record TokenizerTruncation(int MaxLength, bool FromLeft);
