using AkashML.Data;
using AkashML.Data.Inferences;
using AkashML.Data.Usage;
using AkashML.Web.Api.Usage;
using AkashML.Web.Usage;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Inferences;

/// <summary>One of a user's requests in full, with its kept prompt and output when retention was on.</summary>
public sealed record InferenceDetail(UsageRecord Record, string? KeyName, InferencePayload? Payload);

/// <summary>
/// Reads for the inferences pages: look-up by Inference-Id and a keyset-paged list, always scoped to the user. Each
/// read first waits for this replica's usage writer to write what is queued, so a request just made shows.
/// </summary>
public sealed class InferenceQueries(AkashDbContext db, UsageWriter writer)
{
    public const int PageSize = 50;

    /// <summary>The request with this Inference-Id if it belongs to <paramref name="userId"/>; another user's id reads as absent.</summary>
    public async Task<InferenceDetail?> FindAsync(string userId, string inferenceId, CancellationToken cancellationToken)
    {
        var id = inferenceId.Trim();
        await writer.FlushAsync(cancellationToken);
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

    /// <summary>The user's requests, newest first, optionally only errors; <paramref name="cursor"/> as in <see cref="UsageQueries"/>.</summary>
    public async Task<UsagePage> ListAsync(string userId, string? status, string? cursor, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        var query = db.UsageRecords.AsNoTracking().Where(u => u.UserId == userId);
        if (!string.IsNullOrEmpty(status))
        {
            query = query.Where(u => u.Status == status);
        }

        if (UsageQueries.ParseCursor(cursor) is var (at, id))
        {
            query = query.Where(u => u.CreatedAt < at || (u.CreatedAt == at && u.Id < id));
        }

        var rows = await query.OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id).Take(PageSize + 1)
            .Select(u => new UsageRow(u.Id, u.CreatedAt, u.InferenceId, u.ApiKeyId, u.Model, u.Surface, u.PromptTokens, u.CompletionTokens, u.CostMicros,
                u.LatencyMs, u.TimeToFirstTokenMs, u.Status, u.HttpStatus, u.Error, u.Streamed))
            .ToListAsync(cancellationToken);
        return new UsagePage(rows.Count > PageSize ? rows[..PageSize] : rows, rows.Count > PageSize ? UsageQueries.Cursor(rows[PageSize - 1]) : null);
    }

    /// <summary>How many of the user's payloads are kept now.</summary>
    public async Task<int> KeptCountAsync(string userId, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken);
        return await db.InferencePayloads.CountAsync(p => p.UserId == userId, cancellationToken);
    }
}
