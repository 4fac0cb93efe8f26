namespace AkashML.Web.Gateway;

/// <summary>
/// How a gateway call ended, once settled: what its usage record says (status <c>ok</c>, <c>cancelled</c> or
/// <c>error</c>; tokens; the cost charged in micro-dollars; timings).
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
    string? Error);
