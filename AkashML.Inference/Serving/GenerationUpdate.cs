namespace AkashML.Inference.Serving;

/// <summary>Why a choice ended.</summary>
public enum FinishReason
{
    /// <summary>End-of-sequence token or a stop sequence.</summary>
    Stop,

    /// <summary>Max new tokens or the context length was reached.</summary>
    Length,

    /// <summary>The caller cancelled.</summary>
    Cancelled,
}

/// <summary>The log-probability of one generated token, with its top alternatives.</summary>
public sealed record TokenLogprob(int TokenId, string Text, double Logprob, IReadOnlyList<TokenAlternative> TopAlternatives);

public sealed record TokenAlternative(int TokenId, string Text, double Logprob);

/// <summary>
/// A piece of a choice's output: text that is safe to show (never half a character, never part of a stop sequence),
/// the token ids behind it, and, on the last update of the choice, why it finished. <paramref name="CachedPromptTokens"/>:
/// prompt tokens whose keys and values came from the prefix cache instead of being run (0 where nothing was reused).
/// <paramref name="PromptTokens"/> is set only by an engine that counts the prompt itself (another server behind an
/// OpenAI-compatible API): its count wins.
/// </summary>
public sealed record GenerationUpdate(
    int ChoiceIndex,
    string Text,
    IReadOnlyList<int> TokenIds,
    IReadOnlyList<TokenLogprob>? Logprobs,
    FinishReason? FinishReason,
    int CompletionTokens,
    string? MatchedStopSequence = null,
    int CachedPromptTokens = 0,
    int? PromptTokens = null);
