using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AkashML.Data.Usage;

/// <summary>
/// Adds settled <see cref="UsageRecord"/>s to their hourly and daily <see cref="UsageRollup"/> rows with atomic
/// <c>INSERT … ON CONFLICT DO UPDATE</c> statements (the same on PostgreSQL and SQLite), so concurrent writers never
/// lose an increment and no read is needed first.
/// </summary>
public static class UsageRollupWriter
{
    private static readonly string[] Keys = [nameof(UsageRollup.UserId), nameof(UsageRollup.Granularity), nameof(UsageRollup.BucketStart), nameof(UsageRollup.ApiKeyId), nameof(UsageRollup.Model)];
    private static readonly string[] Sums = [nameof(UsageRollup.Requests), nameof(UsageRollup.Errors), nameof(UsageRollup.PromptTokens), nameof(UsageRollup.CompletionTokens), nameof(UsageRollup.CostMicros), nameof(UsageRollup.CachedPromptTokens)];

    /// <summary>At most this many rollup rows go in one statement (11 parameters each, well under every provider's limit).</summary>
    public const int MaxRowsPerStatement = 500;

    /// <summary>Runs inside the caller's transaction, if any. Records without a user are not rolled up.</summary>
    public static Task AddAsync(AkashDbContext db, UsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return AddAsync(db, [record], cancellationToken);
    }

    /// <summary>
    /// Adds many records at once: their deltas are summed per bucket first, so each hourly and daily row is upserted
    /// once however many records fall in it (PostgreSQL refuses one statement that updates a row twice). Runs inside
    /// the caller's transaction, if any; records without a user are not rolled up.
    /// </summary>
    public static async Task AddAsync(AkashDbContext db, IEnumerable<UsageRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(records);
        var rollups = Aggregate(records);
        if (rollups.Count == 0)
        {
            return;
        }

        var entity = db.Model.FindEntityType(typeof(UsageRollup)) ?? throw new InvalidOperationException("UsageRollup is not in the model");
        var table = Quote(entity.GetTableName()!);
        var columns = Keys.Concat(Sums).Select(p => entity.FindProperty(p)!).ToArray();
        var conflict = "ON CONFLICT (" + string.Join(", ", Keys.Select(k => Quote(entity.FindProperty(k)!.GetColumnName()))) + ") DO UPDATE SET "
            + string.Join(", ", Sums.Select(s =>
            {
                var column = Quote(entity.FindProperty(s)!.GetColumnName());
                return $"{column} = {table}.{column} + excluded.{column}";
            }));
        using var factory = db.Database.GetDbConnection().CreateCommand();
        foreach (var chunk in rollups.Chunk(MaxRowsPerStatement))
        {
            var parameters = new List<DbParameter>(chunk.Length * columns.Length);
            var sql = new StringBuilder("INSERT INTO ").Append(table).Append(" (").AppendJoin(", ", columns.Select(c => Quote(c.GetColumnName()))).Append(") VALUES ");
            for (var row = 0; row < chunk.Length; row++)
            {
                sql.Append(row == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Length; c++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"@r{row}c{c}");
                    parameters.Add(Parameter(factory, columns[c], name, columns[c].PropertyInfo!.GetValue(chunk[row])));
                    sql.Append(c == 0 ? "" : ", ").Append(name);
                }

                sql.Append(')');
            }

            sql.Append(' ').Append(conflict);
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
        }
    }

    /// <summary>
    /// The hourly and daily rows <paramref name="records"/> add up to, one per bucket, in key order (so concurrent
    /// writers lock rows in the same order and cannot deadlock each other).
    /// </summary>
    public static IReadOnlyList<UsageRollup> Aggregate(IEnumerable<UsageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var sums = new Dictionary<(string UserId, UsageGranularity Granularity, DateTimeOffset BucketStart, Guid ApiKeyId, string Model), UsageRollup>();
        foreach (var record in records)
        {
            if (record.UserId is null)
            {
                continue;
            }

            foreach (var granularity in (ReadOnlySpan<UsageGranularity>)[UsageGranularity.Hour, UsageGranularity.Day])
            {
                var one = From(record, granularity);
                var key = (one.UserId, one.Granularity, one.BucketStart, one.ApiKeyId, one.Model);
                if (sums.TryGetValue(key, out var sum))
                {
                    sum.Requests += one.Requests;
                    sum.Errors += one.Errors;
                    sum.PromptTokens += one.PromptTokens;
                    sum.CompletionTokens += one.CompletionTokens;
                    sum.CostMicros += one.CostMicros;
                    sum.CachedPromptTokens += one.CachedPromptTokens;
                }
                else
                {
                    sums.Add(key, one);
                }
            }
        }

        return [.. sums.Values
            .OrderBy(r => r.UserId, StringComparer.Ordinal)
            .ThenBy(r => r.Granularity)
            .ThenBy(r => r.BucketStart)
            .ThenBy(r => r.ApiKeyId)
            .ThenBy(r => r.Model, StringComparer.Ordinal)];
    }

    /// <summary>The rollup row one record contributes to a bucket of <paramref name="granularity"/>.</summary>
    public static UsageRollup From(UsageRecord record, UsageGranularity granularity)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new UsageRollup
        {
            UserId = record.UserId ?? throw new ArgumentException("the record has no user", nameof(record)),
            ApiKeyId = record.ApiKeyId ?? Guid.Empty,
            Model = record.Model,
            Granularity = granularity,
            BucketStart = UsageRollup.BucketOf(record.CreatedAt, granularity),
            Requests = 1,
            Errors = record.Status == "ok" ? 0 : 1,
            PromptTokens = record.PromptTokens,
            CompletionTokens = record.CompletionTokens,
            CostMicros = record.CostMicros,
            CachedPromptTokens = record.CachedPromptTokens,
        };
    }

    /// <summary>A parameter typed, and its value converted, exactly as EF would for <paramref name="property"/>.</summary>
    internal static DbParameter Parameter(DbCommand factory, IProperty property, string name, object? value) =>
        property.GetRelationalTypeMapping().CreateParameter(factory, name, value, property.IsNullable);

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
