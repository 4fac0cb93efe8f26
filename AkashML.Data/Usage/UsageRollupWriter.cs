using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AkashML.Data.Usage;

/// <summary>
/// Adds one settled <see cref="UsageRecord"/> to its hourly and daily <see cref="UsageRollup"/> rows with a single
/// atomic <c>INSERT … ON CONFLICT DO UPDATE</c> (the same statement on PostgreSQL and SQLite), so concurrent requests
/// never lose an increment and no read is needed first.
/// </summary>
public static class UsageRollupWriter
{
    private static readonly string[] Keys = [nameof(UsageRollup.UserId), nameof(UsageRollup.Granularity), nameof(UsageRollup.BucketStart), nameof(UsageRollup.ApiKeyId), nameof(UsageRollup.Model)];
    private static readonly string[] Sums = [nameof(UsageRollup.Requests), nameof(UsageRollup.Errors), nameof(UsageRollup.PromptTokens), nameof(UsageRollup.CompletionTokens), nameof(UsageRollup.CostMicros)];

    /// <summary>Runs inside the caller's transaction, if any. Records without a user are not rolled up.</summary>
    public static async Task AddAsync(AkashDbContext db, UsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(record);
        if (record.UserId is null)
        {
            return;
        }

        var entity = db.Model.FindEntityType(typeof(UsageRollup)) ?? throw new InvalidOperationException("UsageRollup is not in the model");
        var table = entity.GetTableName();
        var columns = Keys.Concat(Sums).Select(p => entity.FindProperty(p)!).ToArray();
        using var factory = db.Database.GetDbConnection().CreateCommand();
        var parameters = new List<DbParameter>();
        var sql = new StringBuilder();
        sql.Append("INSERT INTO ").Append(Quote(table!)).Append(" (").AppendJoin(", ", columns.Select(c => Quote(c.GetColumnName()))).Append(") VALUES ");
        var granularities = new[] { UsageGranularity.Hour, UsageGranularity.Day };
        for (var row = 0; row < granularities.Length; row++)
        {
            var rollup = From(record, granularities[row]);
            sql.Append(row == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"@r{row}c{c}");
                parameters.Add(Parameter(factory, columns[c], name, columns[c].PropertyInfo!.GetValue(rollup)));
                sql.Append(c == 0 ? "" : ", ").Append(name);
            }

            sql.Append(')');
        }

        sql.Append(" ON CONFLICT (").AppendJoin(", ", Keys.Select(k => Quote(entity.FindProperty(k)!.GetColumnName()))).Append(") DO UPDATE SET ");
        sql.AppendJoin(", ", Sums.Select(s =>
        {
            var column = Quote(entity.FindProperty(s)!.GetColumnName());
            return $"{column} = {Quote(table!)}.{column} + excluded.{column}";
        }));
        await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
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
        };
    }

    /// <summary>A parameter typed, and its value converted, exactly as EF would for <paramref name="property"/>.</summary>
    internal static DbParameter Parameter(DbCommand factory, IProperty property, string name, object? value) =>
        property.GetRelationalTypeMapping().CreateParameter(factory, name, value, property.IsNullable);

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
