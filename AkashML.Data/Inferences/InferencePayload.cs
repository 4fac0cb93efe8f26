namespace AkashML.Data.Inferences;

/// <summary>
/// The prompt and output of one request, kept only when its user turned retention on, and deleted when
/// <see cref="ExpiresAt"/> passes (or retention is turned off).
/// </summary>
public sealed class InferencePayload
{
    public required string InferenceId { get; set; }

    public required string UserId { get; set; }

    /// <summary>The request body as the client sent it (JSON), possibly cut at the size limit.</summary>
    public required string RequestJson { get; set; }

    /// <summary>The generated text of the first choice; null when nothing was generated.</summary>
    public string? OutputText { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
