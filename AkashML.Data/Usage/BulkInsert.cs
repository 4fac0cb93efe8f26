using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace AkashML.Data.Usage;

/// <summary>
/// Inserts many rows of one entity with prepared multi-row <c>INSERT</c> statements in one transaction, bypassing the
/// change tracker; values are typed and converted as EF would (so SQLite's instants stay sortable integers). Used to
/// seed benchmarks with a million usage records, and by the usage writer for every batch of records.
/// </summary>
public static class BulkInsert
{
    private const int MaxParametersPerStatement = 30_000;

    /// <summary>Inserts <paramref name="rows"/> in a transaction of its own.</summary>
    /// <returns>The number of rows written.</returns>
    public static async Task<long> InsertAsync<T>(AkashDbContext db, IEnumerable<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var written = await WriteAsync(db, connection, transaction, rows, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return written;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> inside the transaction the context has open (the caller commits): how the usage
    /// writer stores each batch of records with their rollups.
    /// </summary>
    /// <returns>The number of rows written.</returns>
    public static Task<long> InsertInTransactionAsync<T>(AkashDbContext db, IEnumerable<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("InsertInTransactionAsync needs a transaction begun on the context.");
        return WriteAsync(db, transaction.Connection!, transaction, rows, cancellationToken);
    }

    private static async Task<long> WriteAsync<T>(AkashDbContext db, DbConnection connection, DbTransaction transaction, IEnumerable<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var columns = entity.GetProperties()
            .Where(p => p.PropertyInfo is not null && !(p.IsPrimaryKey() && p.ValueGenerated == Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAdd && p.ClrType == typeof(long)))
            .ToArray();
        // SQLite binds parameters by name with a linear search, so wide statements cost O(n²): there one prepared row per
        // statement inside the transaction is fastest. PostgreSQL pays a round trip per statement: many rows each.
        var rowsPerStatement = db.Database.IsSqlite() ? 1 : Math.Max(1, Math.Min(500, MaxParametersPerStatement / columns.Length));
        var converters = columns.Select(c => c.GetRelationalTypeMapping().Converter).ToArray();

        DbCommand? full = null;
        try
        {
            var batch = new List<T>(rowsPerStatement);
            long written = 0;
            foreach (var row in rows)
            {
                batch.Add(row);
                if (batch.Count == rowsPerStatement)
                {
                    full ??= await PrepareAsync(connection, transaction, entity, columns, batch, cancellationToken);
                    written += await RunAsync(full, columns, converters, batch, cancellationToken);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await using var rest = await PrepareAsync(connection, transaction, entity, columns, batch, cancellationToken);
                written += await RunAsync(rest, columns, converters, batch, cancellationToken);
            }

            return written;
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    private static async Task<DbCommand> PrepareAsync<T>(DbConnection connection, DbTransaction transaction, IEntityType entity, IProperty[] columns, List<T> batch, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder("INSERT INTO ").Append(UsageRollupWriter.Quote(entity.GetTableName()!)).Append(" (")
            .AppendJoin(", ", columns.Select(c => UsageRollupWriter.Quote(c.GetColumnName()))).Append(") VALUES ");
        for (var r = 0; r < batch.Count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"@p{r}_{c}");
                command.Parameters.Add(UsageRollupWriter.Parameter(command, columns[c], name, columns[c].PropertyInfo!.GetValue(batch[r])));
                sql.Append(c == 0 ? "" : ", ").Append(name);
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        await command.PrepareAsync(cancellationToken);
        return command;
    }

    private static async Task<int> RunAsync<T>(DbCommand command, IProperty[] columns, ValueConverter?[] converters, List<T> batch, CancellationToken cancellationToken)
    {
        var i = 0;
        foreach (var row in batch)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                var value = columns[c].PropertyInfo!.GetValue(row);
                command.Parameters[i++].Value = (value is null ? null : converters[c] is { } converter ? converter.ConvertToProvider(value) : value) ?? DBNull.Value;
            }
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
