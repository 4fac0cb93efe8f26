namespace AkashML.Web.Api.OpenAi;

/// <summary>OpenAI's <c>usage</c> object; the details we never produce (cache, audio, reasoning, predictions) are zero.</summary>
public sealed record OpenAiUsage(int PromptTokens, int CompletionTokens)
{
    private static readonly PromptTokenDetails NoPromptDetails = new(0, 0);
    private static readonly CompletionTokenDetails NoCompletionDetails = new(0, 0, 0, 0);

    public int TotalTokens => PromptTokens + CompletionTokens;

    public PromptTokenDetails PromptTokensDetails => NoPromptDetails;

    public CompletionTokenDetails CompletionTokensDetails => NoCompletionDetails;

    public sealed record PromptTokenDetails(int CachedTokens, int AudioTokens);

    public sealed record CompletionTokenDetails(int ReasoningTokens, int AudioTokens, int AcceptedPredictionTokens, int RejectedPredictionTokens);
}
