namespace AkashML.Web.Gateway;

/// <summary>
/// How a gateway call ended, once settled: what its usage record says (status <c>ok</c>, <c>cancelled</c> or
/// <c>error</c>; tokens, of the prompt's those reused from the prefix cache; the cost charged in micro-dollars; timings). <paramref name="Unsettled"/>: the charge could
/// not be committed (the database stayed away), so the answer must not be given as a success.
/// </summary>
public sealed record GatewayOutcome(
    string InferenceId,
    string? Model,
    string Status,
    int PromptTokens,
    int CompletionTokens,
    long CostMicros,
    int LatencyMs,
    int? TimeToFirstTokenMs,
    string? Error,
    bool Unsettled = false,
    int CachedPromptTokens = 0)
{
    /// <summary>Time spent waiting for a backend slot of a routed model; null when the call was not routed.</summary>
    public int? QueueMs { get; init; }
}
