using AkashML.Data.Usage;

namespace AkashML.Web.Usage;

/// <summary>One chart bucket, summed over the keys and models the filter lets through.</summary>
public sealed record UsagePoint(DateTimeOffset Bucket, long Requests, long PromptTokens, long CompletionTokens, long CostMicros);

/// <summary>One model's share of the range.</summary>
public sealed record ModelUsage(string Model, long Requests, long PromptTokens, long CompletionTokens, long CostMicros);

/// <summary>One row of the recent-requests table (and of the CSV export).</summary>
public sealed record UsageRow(long Id, DateTimeOffset CreatedAt, string InferenceId, Guid? KeyId, string Model, string Surface, int PromptTokens,
    int CompletionTokens, long CostMicros, int LatencyMs, int? TimeToFirstTokenMs, string Status, int HttpStatus, string? Error, bool Streamed);

/// <summary>A page of rows, newest first, and the cursor of the next (older) page if there is one.</summary>
public sealed record UsagePage(IReadOnlyList<UsageRow> Rows, string? NextCursor);

/// <summary>Everything the usage page shows for one filter.</summary>
public sealed record UsageView(
    UsageFilter Filter,
    IReadOnlyList<UsagePoint> Series,
    IReadOnlyList<ModelUsage> Models,
    UsagePage Recent,
    IReadOnlyDictionary<Guid, string> KeyNames,
    IReadOnlyList<string> KnownModels)
{
    public long Requests => Series.Sum(p => p.Requests);

    public long PromptTokens => Series.Sum(p => p.PromptTokens);

    public long CompletionTokens => Series.Sum(p => p.CompletionTokens);

    public long CostMicros => Series.Sum(p => p.CostMicros);

    public static UsageRow Row(UsageRecord r) => new(r.Id, r.CreatedAt, r.InferenceId, r.ApiKeyId, r.Model, r.Surface, r.PromptTokens, r.CompletionTokens,
        r.CostMicros, r.LatencyMs, r.TimeToFirstTokenMs, r.Status, r.HttpStatus, r.Error, r.Streamed);
}
