namespace AkashML.Data.Backends;

/// <summary>
/// A backend an operator drained: every gateway replica stops sending it new requests (those in flight finish). The
/// backend is named as the admin page names it, by model and position in that model's <c>Backends</c> list, with its
/// target kept beside so a replica whose list differs there leaves its own backend alone. No row means not drained.
/// </summary>
public sealed class BackendDrain
{
    public const int MaxModelIdLength = 200;

    public const int MaxTargetLength = 500;

    public required string ModelId { get; set; }

    public int BackendIndex { get; set; }

    /// <summary>Where the backend is (<c>this process</c>, an upstream or node address), as the gateway that drained it knew it.</summary>
    public required string Target { get; set; }

    public DateTimeOffset DrainedAt { get; set; }
}
