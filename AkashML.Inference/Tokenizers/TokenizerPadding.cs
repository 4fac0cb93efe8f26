namespace AkashML.Inference.Tokenizers;

/// <summary>The padding saved in tokenizer.json.</summary>
/// <param name="FixedLength">Pad to this length; null pads a single sequence to its own length ("BatchLongest").</param>
/// <param name="PadToMultipleOf">Round the target length up to a multiple of this, when set.</param>
/// <param name="PadId">The id appended.</param>
/// <param name="PadToken">The token string of <paramref name="PadId"/>.</param>
/// <param name="PadLeft">True to pad at the start.</param>
public sealed record TokenizerPadding(int? FixedLength, int? PadToMultipleOf, int PadId, string PadToken, bool PadLeft);
