namespace AkashML.Data.Limits;

/// <summary>
/// One key's usage of one kind in the current minute and the minute before: the two numbers a weighted sliding window
/// needs. One row per key and kind, rolled forward in place by the atomic upsert that counts a request, so the table
/// never grows with time.
/// </summary>
public sealed class RateWindow
{
    public Guid KeyId { get; set; }

    public RateLimitKind Kind { get; set; }

    /// <summary>The minute <see cref="Count"/> belongs to, as whole minutes since the Unix epoch.</summary>
    public long Minute { get; set; }

    public long Count { get; set; }

    /// <summary>The count of <c>Minute - 1</c> (zero when that minute saw nothing).</summary>
    public long PreviousCount { get; set; }
}
