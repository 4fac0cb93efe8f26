using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Usage;
using AkashML.Web.Usage;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Admin;

/// <summary>One request as support sees it: its usage record, whose it was, which key, and the credits it moved.</summary>
public sealed record InferenceDetail(UsageRecord Record, string? UserEmail, string? KeyName, string? KeyLastFour, IReadOnlyList<LedgerEntry> Ledger);

/// <summary>
/// Finds any request by its <c>Inference-Id</c>, whoever made it (administrators only), once this replica's usage
/// writer has written what is queued.
/// </summary>
public sealed class InferenceLookup(AkashDbContext db, UsageWriter writer)
{
    /// <summary>The longest id stored (longer input cannot match).</summary>
    public const int MaxIdLength = 64;

    /// <summary>Every usage record with this id (normally one), newest first.</summary>
    public async Task<IReadOnlyList<InferenceDetail>> FindAsync(string inferenceId, CancellationToken cancellationToken)
    {
        var id = inferenceId.Trim();
        if (id.Length is 0 or > MaxIdLength)
        {
            return [];
        }

        await writer.FlushAsync(cancellationToken);
        var records = await db.UsageRecords.AsNoTracking().Where(u => u.InferenceId == id).OrderByDescending(u => u.Id).Take(20).ToListAsync(cancellationToken);
        if (records.Count == 0)
        {
            return [];
        }

        var userIds = records.Where(r => r.UserId is not null).Select(r => r.UserId!).Distinct().ToList();
        var keyIds = records.Where(r => r.ApiKeyId is not null).Select(r => r.ApiKeyId!.Value).Distinct().ToList();
        var emails = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().Where(k => keyIds.Contains(k.Id))
            .Select(k => new { k.Id, k.Name, k.LastFour })
            .ToDictionaryAsync(k => k.Id, cancellationToken);
        var details = new List<InferenceDetail>(records.Count);
        foreach (var record in records)
        {
            var key = record.ApiKeyId is { } keyId && keys.TryGetValue(keyId, out var k) ? k : null;
            var ledger = record.UserId is { } userId ? await LedgerOfAsync(userId, id, record.CreatedAt, cancellationToken) : [];
            details.Add(new InferenceDetail(record, record.UserId is { } owner ? emails.GetValueOrDefault(owner) : null, key?.Name, key?.LastFour, ledger));
        }

        return details;
    }

    // The ledger has no index on the inference id; the user's entries around the request's time are a seek on
    // (UserId, CreatedAt), and a request's entries are written within its lifetime.
    private async Task<List<LedgerEntry>> LedgerOfAsync(string userId, string inferenceId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var from = at - TimeSpan.FromDays(1);
        var to = at + TimeSpan.FromDays(1);
        return await db.LedgerEntries.AsNoTracking()
            .Where(e => e.UserId == userId && e.CreatedAt >= from && e.CreatedAt <= to && e.InferenceId == inferenceId)
            .OrderBy(e => e.Id)
            .ToListAsync(cancellationToken);
    }
}
