namespace AkashML.Inference.Generation.Sampling;

/// <summary>A token and its natural-log probability.</summary>
public readonly record struct TokenLogprob(int TokenId, float Logprob);
