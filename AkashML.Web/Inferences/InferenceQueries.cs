using AkashML.Data;
using AkashML.Data.Inferences;
using AkashML.Data.Usage;
using AkashML.Web.Usage;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Inferences;

/// <summary>One of a user's requests in full, with its kept prompt and output when retention was on.</summary>
public sealed record InferenceDetail(UsageRecord Record, string? KeyName, InferencePayload? Payload);

/// <summary>
/// Reads for the inferences pages: look-up by Inference-Id and the server-paged grid of a user's requests, always
/// scoped to the user. Each read first waits for this replica's usage writer to write what is queued, so a request
/// just made shows, and reads through its own scope (a circuit's components query concurrently).
/// </summary>
public sealed class InferenceQueries(IServiceScopeFactory scopes, UsageWriter writer)
{
    public const int PageSize = 50;

    /// <summary>The request with this Inference-Id if it belongs to <paramref name="userId"/>; another user's id reads as absent.</summary>
    public async Task<InferenceDetail?> FindAsync(string userId, string inferenceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inferenceId);
        var id = inferenceId.Trim();
        await writer.FlushAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var record = await db.UsageRecords.AsNoTracking().FirstOrDefaultAsync(u => u.InferenceId == id && u.UserId == userId, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var keyName = record.ApiKeyId is { } keyId
            ? await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId).Select(k => k.Name).FirstOrDefaultAsync(cancellationToken)
            : null;
        var payload = await db.InferencePayloads.AsNoTracking().FirstOrDefaultAsync(p => p.InferenceId == id && p.UserId == userId, cancellationToken);
        return new InferenceDetail(record, keyName, payload);
    }

    /// <summary>
    /// One page of the user's requests (all time), optionally of one outcome, sorted on the server. The count of all
    /// requests and of successful ones comes from the daily rollups; errors and cancellations are counted.
    /// </summary>
    public async Task<UsageRowsPage> RowsAsync(string userId, string? status, UsageSort sort, bool descending, int page, int pageSize, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        var records = db.UsageRecords.AsNoTracking().Where(u => u.UserId == userId);
        if (!string.IsNullOrEmpty(status))
        {
            records = records.Where(u => u.Status == status);
        }

        var rollups = db.UsageRollups.AsNoTracking().Where(r => r.UserId == userId && r.Granularity == UsageGranularity.Day);
        var total = status switch
        {
            null or "" => await rollups.SumAsync(r => (long?)r.Requests, cancellationToken) ?? 0,
            "ok" => await rollups.SumAsync(r => (long?)(r.Requests - r.Errors), cancellationToken) ?? 0,
            _ => await records.LongCountAsync(cancellationToken),
        };
        var count = (int)Math.Min(total, int.MaxValue);
        return new UsageRowsPage(await UsageRowPaging.PageAsync(records, count, sort, descending, page, pageSize, cancellationToken), count);
    }

    /// <summary>How many of the user's payloads are kept now.</summary>
    public async Task<int> KeptCountAsync(string userId, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().InferencePayloads.CountAsync(p => p.UserId == userId, cancellationToken);
    }
}
