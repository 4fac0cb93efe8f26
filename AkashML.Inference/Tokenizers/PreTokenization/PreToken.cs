namespace AkashML.Inference.Tokenizers.PreTokenization;

/// <summary>One piece of (normalized) text on its way to the model.</summary>
/// <param name="Text">The piece.</param>
/// <param name="AtStart">True when the piece begins at offset 0 of the original input (Metaspace's "first" scheme).</param>
internal readonly record struct PreToken(string Text, bool AtStart);
