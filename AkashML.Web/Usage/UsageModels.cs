using AkashML.Data.Usage;

namespace AkashML.Web.Usage;

/// <summary>One chart bucket, summed over the keys and models the filter lets through.</summary>
public sealed record UsagePoint(DateTimeOffset Bucket, long Requests, long PromptTokens, long CompletionTokens, long CostMicros, long CachedPromptTokens = 0);

/// <summary>One model's share of the range; <see cref="Model"/> is empty for requests that named no known model.</summary>
public sealed record ModelUsage(string Model, long Requests, long PromptTokens, long CompletionTokens, long CostMicros, long CachedPromptTokens = 0);

/// <summary>
/// One row of the requests grids (and of the CSV export); <see cref="Model"/> is empty when the request named none.
/// <see cref="CachedPromptTokens"/>: of the prompt tokens, those reused from the model's prefix cache.
/// </summary>
public sealed record UsageRow(long Id, DateTimeOffset CreatedAt, string InferenceId, Guid? KeyId, string Model, string Surface, int PromptTokens,
    int CompletionTokens, long CostMicros, int LatencyMs, int? TimeToFirstTokenMs, string Status, int HttpStatus, string? Error, bool Streamed,
    int CachedPromptTokens)
{
    public static UsageRow From(UsageRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.CreatedAt, r.InferenceId, r.ApiKeyId, r.Model, r.Surface, r.PromptTokens, r.CompletionTokens, r.CostMicros, r.LatencyMs,
            r.TimeToFirstTokenMs, r.Status, r.HttpStatus, r.Error, r.Streamed, r.CachedPromptTokens);
    }
}

/// <summary>The usage page's charts and totals for one filter (all read from the rollups), plus what its filters offer.</summary>
public sealed record UsageSummary(
    UsageFilter Filter,
    IReadOnlyList<UsagePoint> Series,
    IReadOnlyList<ModelUsage> Models,
    IReadOnlyDictionary<Guid, string> KeyNames,
    IReadOnlyList<string> KnownModels)
{
    public long Requests => Series.Sum(p => p.Requests);

    public long PromptTokens => Series.Sum(p => p.PromptTokens);

    public long CompletionTokens => Series.Sum(p => p.CompletionTokens);

    /// <summary>Of <see cref="PromptTokens"/>, those reused from the prefix cache.</summary>
    public long CachedPromptTokens => Series.Sum(p => p.CachedPromptTokens);

    public long CostMicros => Series.Sum(p => p.CostMicros);
}
