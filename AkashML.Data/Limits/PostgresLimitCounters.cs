using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace AkashML.Data.Limits;

/// <summary>
/// Limit counters in PostgreSQL, shared by every replica using the database. Each operation is a single statement, so
/// it is atomic without an explicit transaction: the window roll-over and the addition happen in one upsert, and a
/// concurrency slot is claimed with <c>FOR UPDATE SKIP LOCKED</c> so concurrent claimers never take the same slot.
/// It talks to the database through its own small pool with auto-prepared statements: these run on every API request.
/// </summary>
public sealed class PostgresLimitCounters : ILimitCounters, IAsyncDisposable
{
    private const string AddSql = """
        INSERT INTO "ApiKeyRateWindows" AS w ("KeyId", "Kind", "Minute", "Count", "PreviousCount")
        VALUES (@key, @kind, @minute, @amount, 0)
        ON CONFLICT ("KeyId", "Kind") DO UPDATE SET
            "PreviousCount" = CASE WHEN w."Minute" >= @minute THEN w."PreviousCount"
                                   WHEN w."Minute" = @minute - 1 THEN w."Count"
                                   ELSE 0 END,
            "Count" = CASE WHEN w."Minute" >= @minute THEN w."Count" ELSE 0 END + @amount,
            "Minute" = GREATEST(w."Minute", @minute)
        RETURNING "Minute", "Count", "PreviousCount"
        """;

    private const string RefundSql = """
        UPDATE "ApiKeyRateWindows" SET
            "Count" = CASE WHEN "Minute" = @minute THEN GREATEST("Count" - @amount, 0) ELSE "Count" END,
            "PreviousCount" = CASE WHEN "Minute" = @minute + 1 THEN GREATEST("PreviousCount" - @amount, 0) ELSE "PreviousCount" END
        WHERE "KeyId" = @key AND "Kind" = @kind AND "Minute" IN (@minute, @minute + 1)
        """;

    private const string PeekSql = """
        SELECT "Minute", "Count", "PreviousCount" FROM "ApiKeyRateWindows" WHERE "KeyId" = @key AND "Kind" = @kind
        """;

    // The inner SELECT locks one free slot and skips slots another transaction is claiming or releasing right now.
    private const string AcquireSql = """
        UPDATE "ApiKeyConcurrencySlots" SET "LeaseId" = @lease, "LeaseExpiresAt" = @until
        WHERE ("KeyId", "Slot") = (
            SELECT "KeyId", "Slot" FROM "ApiKeyConcurrencySlots"
            WHERE "KeyId" = @key AND "Slot" < @max AND ("LeaseId" IS NULL OR "LeaseExpiresAt" < @now)
            ORDER BY "Slot" LIMIT 1
            FOR UPDATE SKIP LOCKED)
        RETURNING "Slot"
        """;

    private const string EnsureSlotsSql = """
        INSERT INTO "ApiKeyConcurrencySlots" ("KeyId", "Slot")
        SELECT @key, s FROM generate_series(0, @max - 1) AS s
        ON CONFLICT DO NOTHING
        """;

    private const string ReleaseSql = """
        UPDATE "ApiKeyConcurrencySlots" SET "LeaseId" = NULL, "LeaseExpiresAt" = NULL
        WHERE "KeyId" = @key AND "Slot" = @slot AND "LeaseId" = @lease
        """;

    private const string RenewSql = """
        UPDATE "ApiKeyConcurrencySlots" SET "LeaseExpiresAt" = @until WHERE "LeaseId" = ANY(@leases)
        """;

    private const string InFlightSql = """
        SELECT count(*) FROM "ApiKeyConcurrencySlots" WHERE "KeyId" = @key AND "LeaseId" IS NOT NULL AND "LeaseExpiresAt" >= @now
        """;

    private readonly NpgsqlDataSource _dataSource;

    // Slots are rows; once this process has created a key's first N of them it does not try again (one statement saved
    // on every request).
    private readonly ConcurrentDictionary<Guid, int> _slotsEnsured = new();

    public PostgresLimitCounters(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        _dataSource = builder.Build();
    }

    public bool SharedAcrossReplicas => true;

    public async ValueTask<WindowState> AddAsync(Guid keyId, RateLimitKind kind, long minute, long amount, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(AddSql);
        AddWindowParameters(command, keyId, kind, minute, amount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new WindowState(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    public async ValueTask RefundAsync(Guid keyId, RateLimitKind kind, long minute, long amount, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(RefundSql);
        AddWindowParameters(command, keyId, kind, minute, amount);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<WindowState> PeekAsync(Guid keyId, RateLimitKind kind, long minute, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(PeekSql);
        command.Parameters.Add(new NpgsqlParameter<Guid>("key", NpgsqlDbType.Uuid) { TypedValue = keyId });
        command.Parameters.Add(new NpgsqlParameter<int>("kind", NpgsqlDbType.Integer) { TypedValue = (int)kind });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new WindowState(minute, 0, 0);
        }

        var (stored, count, previous) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        return stored >= minute ? new WindowState(stored, count, previous)
            : stored == minute - 1 ? new WindowState(minute, 0, count)
            : new WindowState(minute, 0, 0);
    }

    public async ValueTask<ConcurrencyLease?> TryAcquireAsync(Guid keyId, int maxConcurrency, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        if (!_slotsEnsured.TryGetValue(keyId, out var ensured) || ensured < maxConcurrency)
        {
            await using var ensure = _dataSource.CreateCommand(EnsureSlotsSql);
            ensure.Parameters.Add(new NpgsqlParameter<Guid>("key", NpgsqlDbType.Uuid) { TypedValue = keyId });
            ensure.Parameters.Add(new NpgsqlParameter<int>("max", NpgsqlDbType.Integer) { TypedValue = maxConcurrency });
            await ensure.ExecuteNonQueryAsync(cancellationToken);
            _slotsEnsured.AddOrUpdate(keyId, maxConcurrency, (_, old) => Math.Max(old, maxConcurrency));
        }

        var lease = Guid.NewGuid();
        await using var command = _dataSource.CreateCommand(AcquireSql);
        command.Parameters.Add(new NpgsqlParameter<Guid>("lease", NpgsqlDbType.Uuid) { TypedValue = lease });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("until", NpgsqlDbType.TimestampTz) { TypedValue = leaseUntil.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<Guid>("key", NpgsqlDbType.Uuid) { TypedValue = keyId });
        command.Parameters.Add(new NpgsqlParameter<int>("max", NpgsqlDbType.Integer) { TypedValue = maxConcurrency });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now.ToUniversalTime() });
        var slot = await command.ExecuteScalarAsync(cancellationToken);
        return slot is int taken ? new ConcurrencyLease(keyId, taken, lease) : null;
    }

    public async ValueTask ReleaseAsync(ConcurrencyLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var command = _dataSource.CreateCommand(ReleaseSql);
        command.Parameters.Add(new NpgsqlParameter<Guid>("key", NpgsqlDbType.Uuid) { TypedValue = lease.KeyId });
        command.Parameters.Add(new NpgsqlParameter<int>("slot", NpgsqlDbType.Integer) { TypedValue = lease.Slot });
        command.Parameters.Add(new NpgsqlParameter<Guid>("lease", NpgsqlDbType.Uuid) { TypedValue = lease.LeaseId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask RenewAsync(IReadOnlyCollection<ConcurrencyLease> leases, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(RenewSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("until", NpgsqlDbType.TimestampTz) { TypedValue = leaseUntil.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("leases", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = leases.Select(l => l.LeaseId).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<int> InFlightAsync(Guid keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(InFlightSql);
        command.Parameters.Add(new NpgsqlParameter<Guid>("key", NpgsqlDbType.Uuid) { TypedValue = keyId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now.ToUniversalTime() });
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static void AddWindowParameters(NpgsqlCommand command, Guid keyId, RateLimitKind kind, long minute, long amount)
    {
        command.Parameters.Add(new NpgsqlParameter<Guid>("key", NpgsqlDbType.Uuid) { TypedValue = keyId });
        command.Parameters.Add(new NpgsqlParameter<int>("kind", NpgsqlDbType.Integer) { TypedValue = (int)kind });
        command.Parameters.Add(new NpgsqlParameter<long>("minute", NpgsqlDbType.Bigint) { TypedValue = minute });
        command.Parameters.Add(new NpgsqlParameter<long>("amount", NpgsqlDbType.Bigint) { TypedValue = amount });
    }
}
