namespace AkashML.Web.Api.OpenAi;

/// <summary>
/// OpenAI's <c>usage</c> object: <c>prompt_tokens_details.cached_tokens</c> counts the prompt tokens reused from the
/// model's prefix cache; the details we never produce (audio, reasoning, predictions) are zero.
/// </summary>
public sealed record OpenAiUsage(int PromptTokens, int CompletionTokens, int CachedPromptTokens = 0)
{
    private static readonly CompletionTokenDetails NoCompletionDetails = new(0, 0, 0, 0);

    public int TotalTokens => PromptTokens + CompletionTokens;

    public PromptTokenDetails PromptTokensDetails => new(CachedPromptTokens, 0);

    public CompletionTokenDetails CompletionTokensDetails => NoCompletionDetails;

    public sealed record PromptTokenDetails(int CachedTokens, int AudioTokens);

    public sealed record CompletionTokenDetails(int ReasoningTokens, int AudioTokens, int AcceptedPredictionTokens, int RejectedPredictionTokens);
}
