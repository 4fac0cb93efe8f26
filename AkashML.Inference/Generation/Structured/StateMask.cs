namespace AkashML.Inference.Generation.Structured;

/// <summary>The tokens allowed in one parse state, each with the characters it leaves to write.</summary>
internal sealed record StateMask(int[] Tokens, int[] RemainingAfter, int MaxRemainingAfter);
