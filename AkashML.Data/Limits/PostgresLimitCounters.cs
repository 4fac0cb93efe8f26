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
        // This pool never changes session state, so a connection needs no reset between uses (saves work per request).
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        // Counters are short-lived: after a database crash, losing the last few milliseconds of counts is harmless,
        // and not waiting for the WAL flush on every request keeps the gateway fast.
        builder.ConnectionStringBuilder.Options = (builder.ConnectionStringBuilder.Options + " -c synchronous_commit=off").Trim();
        _dataSource = builder.Build();
    }

    public bool SharedAcrossReplicas => true;

    public async ValueTask<WindowState> AddAsync(Guid keyId, RateLimitKind kind, long minute, long amount, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(AddSql);
        command.Parameters.AddRange(WindowParameters(keyId, kind, minute, amount));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ReadWindow(reader);
    }

    public async ValueTask RefundAsync(Guid keyId, RateLimitKind kind, long minute, long amount, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(RefundSql);
        command.Parameters.AddRange(WindowParameters(keyId, kind, minute, amount));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<WindowState> PeekAsync(Guid keyId, RateLimitKind kind, long minute, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(PeekSql);
        command.Parameters.Add(Uuid("key", keyId));
        command.Parameters.Add(Int("kind", (int)kind));
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
        await EnsureSlotsAsync(keyId, maxConcurrency, cancellationToken);
        var lease = Guid.NewGuid();
        await using var command = _dataSource.CreateCommand(AcquireSql);
        command.Parameters.AddRange(AcquireParameters(keyId, maxConcurrency, now, leaseUntil, lease));
        var slot = await command.ExecuteScalarAsync(cancellationToken);
        return slot is int taken ? new ConcurrencyLease(keyId, taken, lease) : null;
    }

    public async ValueTask ReleaseAsync(ConcurrencyLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var command = _dataSource.CreateCommand(ReleaseSql);
        command.Parameters.AddRange(ReleaseParameters(lease));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<Arrival> ArriveAsync(Guid keyId, long minute, bool countRequest, int? maxConcurrency, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        if (!countRequest || maxConcurrency is not { } max)
        {
            return new Arrival(
                countRequest ? await AddAsync(keyId, RateLimitKind.Requests, minute, 1, cancellationToken) : null,
                maxConcurrency is { } only ? await TryAcquireAsync(keyId, only, now, leaseUntil, cancellationToken) : null);
        }

        // Both: one round trip.
        await EnsureSlotsAsync(keyId, max, cancellationToken);
        var leaseId = Guid.NewGuid();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        var add = new NpgsqlBatchCommand(AddSql);
        add.Parameters.AddRange(WindowParameters(keyId, RateLimitKind.Requests, minute, 1));
        var acquire = new NpgsqlBatchCommand(AcquireSql);
        acquire.Parameters.AddRange(AcquireParameters(keyId, max, now, leaseUntil, leaseId));
        batch.BatchCommands.Add(add);
        batch.BatchCommands.Add(acquire);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var requests = ReadWindow(reader);
        await reader.NextResultAsync(cancellationToken);
        var lease = await reader.ReadAsync(cancellationToken) ? new ConcurrencyLease(keyId, reader.GetInt32(0), leaseId) : null;
        return new Arrival(requests, lease);
    }

    public async ValueTask DepartAsync(ConcurrencyLease? lease, WindowAdjustment? tokens, CancellationToken cancellationToken)
    {
        if (lease is null && tokens is not { Amount: not 0 })
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        if (lease is not null)
        {
            var release = new NpgsqlBatchCommand(ReleaseSql);
            release.Parameters.AddRange(ReleaseParameters(lease));
            batch.BatchCommands.Add(release);
        }

        if (tokens is { Amount: not 0 } adjustment)
        {
            var settle = new NpgsqlBatchCommand(adjustment.Amount < 0 ? RefundSql : AddSql);
            settle.Parameters.AddRange(WindowParameters(adjustment.KeyId, adjustment.Kind, adjustment.Minute, Math.Abs(adjustment.Amount)));
            batch.BatchCommands.Add(settle);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask RenewAsync(IReadOnlyCollection<ConcurrencyLease> leases, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(RenewSql);
        command.Parameters.Add(Instant("until", leaseUntil));
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("leases", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = leases.Select(l => l.LeaseId).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<int> InFlightAsync(Guid keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(InFlightSql);
        command.Parameters.Add(Uuid("key", keyId));
        command.Parameters.Add(Instant("now", now));
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async ValueTask EnsureSlotsAsync(Guid keyId, int maxConcurrency, CancellationToken cancellationToken)
    {
        if (_slotsEnsured.TryGetValue(keyId, out var ensured) && ensured >= maxConcurrency)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(EnsureSlotsSql);
        command.Parameters.Add(Uuid("key", keyId));
        command.Parameters.Add(Int("max", maxConcurrency));
        await command.ExecuteNonQueryAsync(cancellationToken);
        _slotsEnsured.AddOrUpdate(keyId, maxConcurrency, (_, old) => Math.Max(old, maxConcurrency));
    }

    private static WindowState ReadWindow(NpgsqlDataReader reader) => new(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));

    private static NpgsqlParameter[] WindowParameters(Guid keyId, RateLimitKind kind, long minute, long amount) =>
        [Uuid("key", keyId), Int("kind", (int)kind), Long("minute", minute), Long("amount", amount)];

    private static NpgsqlParameter[] AcquireParameters(Guid keyId, int max, DateTimeOffset now, DateTimeOffset until, Guid lease) =>
        [Uuid("lease", lease), Instant("until", until), Uuid("key", keyId), Int("max", max), Instant("now", now)];

    private static NpgsqlParameter[] ReleaseParameters(ConcurrencyLease lease) =>
        [Uuid("key", lease.KeyId), Int("slot", lease.Slot), Uuid("lease", lease.LeaseId)];

    private static NpgsqlParameter<Guid> Uuid(string name, Guid value) => new(name, NpgsqlDbType.Uuid) { TypedValue = value };

    private static NpgsqlParameter<int> Int(string name, int value) => new(name, NpgsqlDbType.Integer) { TypedValue = value };

    private static NpgsqlParameter<long> Long(string name, long value) => new(name, NpgsqlDbType.Bigint) { TypedValue = value };

    private static NpgsqlParameter<DateTimeOffset> Instant(string name, DateTimeOffset value) =>
        new(name, NpgsqlDbType.TimestampTz) { TypedValue = value.ToUniversalTime() };
}
