namespace AkashML.Data.Usage;

/// <summary>
/// Usage summed per user, key, model and UTC hour or day, kept in step with <see cref="UsageRecord"/> as requests
/// settle (one upsert per record and granularity). Charts and totals read these, never the raw records.
/// </summary>
public sealed class UsageRollup
{
    public required string UserId { get; set; }

    /// <summary>The key that made the requests; <see cref="Guid.Empty"/> for requests made without one (the playground).</summary>
    public Guid ApiKeyId { get; set; }

    public required string Model { get; set; }

    public UsageGranularity Granularity { get; set; }

    /// <summary>Start of the bucket, UTC, truncated to the hour or the day.</summary>
    public DateTimeOffset BucketStart { get; set; }

    public long Requests { get; set; }

    /// <summary>Requests whose status was not <c>ok</c>.</summary>
    public long Errors { get; set; }

    public long PromptTokens { get; set; }

    public long CompletionTokens { get; set; }

    /// <summary>Of <see cref="PromptTokens"/>, those reused from the model's prefix cache.</summary>
    public long CachedPromptTokens { get; set; }

    /// <summary>Micro-dollars.</summary>
    public long CostMicros { get; set; }

    /// <summary>The bucket an instant falls in.</summary>
    public static DateTimeOffset BucketOf(DateTimeOffset instant, UsageGranularity granularity)
    {
        var utc = instant.ToUniversalTime();
        return granularity switch
        {
            UsageGranularity.Hour => new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero),
            UsageGranularity.Day => new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero),
            _ => throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "unknown granularity"),
        };
    }
}
