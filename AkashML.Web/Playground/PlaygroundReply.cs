using System.Text.Json.Serialization;

namespace AkashML.Web.Playground;

/// <summary>Where a reply stands.</summary>
public enum ReplyState
{
    /// <summary>Tokens are still arriving.</summary>
    Streaming,

    /// <summary>The model finished (end of text, a stop sequence or the length limit).</summary>
    Done,

    /// <summary>The person pressed Stop (or left): what was produced is kept and billed.</summary>
    Stopped,

    /// <summary>Refused or failed; <see cref="PlaygroundReply.Error"/> says why.</summary>
    Failed,
}

/// <summary>
/// One model's answer to one turn, filled in as it streams and then with what the gateway settled (tokens, cost,
/// timings, Inference-Id). Mutable: the page appends to it while it streams and stores it as it is.
/// </summary>
public sealed class PlaygroundReply
{
    public string Text { get; set; } = "";

    public ReplyState State { get; set; } = ReplyState.Streaming;

    /// <summary>The status the API would have answered (402, 429…), when <see cref="State"/> is <see cref="ReplyState.Failed"/>.</summary>
    public int? ErrorStatus { get; set; }

    public string? Error { get; set; }

    public string? InferenceId { get; set; }

    public int? PromptTokens { get; set; }

    public int? CompletionTokens { get; set; }

    public long? CostMicros { get; set; }

    public int? LatencyMs { get; set; }

    public int? TimeToFirstTokenMs { get; set; }

    /// <summary>
    /// Decode speed after the first token; null for answers too short to tell (under <see cref="MinimumDecodeMs"/> of
    /// decoding, buffered tokens arriving together would read as thousands per second).
    /// </summary>
    [JsonIgnore]
    public double? TokensPerSecond =>
        CompletionTokens is > 1 and var tokens && LatencyMs is { } total && TimeToFirstTokenMs is { } first && total - first >= MinimumDecodeMs
            ? (tokens - 1) / ((total - first) / 1000.0)
            : null;

    private const int MinimumDecodeMs = 100;

    [JsonIgnore]
    public bool IsRunning => State == ReplyState.Streaming;
}
