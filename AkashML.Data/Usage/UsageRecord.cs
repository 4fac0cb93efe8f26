namespace AkashML.Data.Usage;

/// <summary>One API or playground request, whatever its outcome (success, error, cancelled).</summary>
public sealed class UsageRecord
{
    public long Id { get; set; }

    /// <summary>The <c>Inference-Id</c> the response carried.</summary>
    public required string InferenceId { get; set; }

    public string? UserId { get; set; }

    public Guid? ApiKeyId { get; set; }

    public required string Model { get; set; }

    /// <summary>Which surface served it: <c>openai</c>, <c>anthropic</c>, <c>playground</c>.</summary>
    public required string Surface { get; set; }

    public int PromptTokens { get; set; }

    public int CompletionTokens { get; set; }

    /// <summary>Of <see cref="PromptTokens"/>, those reused from the model's prefix cache (charged at the cached-input price).</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>Cost in micro-dollars (1 USD = 1,000,000).</summary>
    public long CostMicros { get; set; }

    public int LatencyMs { get; set; }

    public int? TimeToFirstTokenMs { get; set; }

    /// <summary>How long the call waited for a backend slot of a routed model (null when it was not routed or never queued).</summary>
    public int? QueueMs { get; set; }

    /// <summary><c>ok</c>, <c>error</c> or <c>cancelled</c>.</summary>
    public required string Status { get; set; }

    public int HttpStatus { get; set; }

    public string? Error { get; set; }

    public bool Streamed { get; set; }

    /// <summary>
    /// The request's sampling parameters as compact JSON (temperature, max tokens, stop, …) — never its prompt or
    /// messages, which are kept only in an <see cref="Inferences.InferencePayload"/> when the user opted in.
    /// </summary>
    public string? Parameters { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
