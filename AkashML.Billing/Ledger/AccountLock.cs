namespace AkashML.Billing.Ledger;

/// <summary>
/// Runs a unit of work on one user's credits inside a transaction that holds the user's <see cref="BillingAccount"/>
/// row: <c>SELECT … FOR UPDATE</c> on PostgreSQL, the process-wide <see cref="SqliteWriteGate"/> on SQLite. Every change
/// to pools, reservations and the ledger goes through here, so concurrent requests of one user are serialized and can
/// never spend the same credit twice.
/// </summary>
public sealed class AccountLock(AkashDbContext db, SqliteWriteGate sqliteGate, TimeProvider clock)
{
    /// <exception cref="UnknownUserException">No user has this id.</exception>
    public async Task<T> RunAsync<T>(string userId, Func<BillingAccount, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(work);
        using var gate = db is SqliteAkashDbContext ? await sqliteGate.EnterAsync(cancellationToken) : null;
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            (userId, work),
            async (_, state, ct) =>
            {
                for (var attempt = 0; ; attempt++)
                {
                    db.ChangeTracker.Clear();
                    await using var transaction = await db.Database.BeginTransactionAsync(ct);
                    var account = await LockAsync(state.userId, ct);
                    if (account is null)
                    {
                        await transaction.RollbackAsync(ct);
                        if (attempt > 0)
                        {
                            throw new InvalidOperationException($"The billing account of user {state.userId} could not be created.");
                        }

                        await CreateAccountAsync(state.userId, ct);
                        continue;
                    }

                    var result = await state.work(account, ct);
                    await db.SaveChangesAsync(ct);
                    await transaction.CommitAsync(ct);
                    db.ChangeTracker.Clear();
                    return result;
                }
            },
            verifySucceeded: null,
            cancellationToken);
    }

    private async Task<BillingAccount?> LockAsync(string userId, CancellationToken cancellationToken)
    {
        if (db is SqliteAkashDbContext)
        {
            return await db.BillingAccounts.SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        }

        // Not composed further, so EF sends it as written; READ COMMITTED then waits for the row and sees the newest state.
        var rows = await db.BillingAccounts
            .FromSqlInterpolated($"SELECT * FROM \"BillingAccounts\" WHERE \"UserId\" = {userId} FOR UPDATE")
            .ToListAsync(cancellationToken);
        return rows.SingleOrDefault();
    }

    private async Task CreateAccountAsync(string userId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            throw new UnknownUserException(userId);
        }

        db.BillingAccounts.Add(new BillingAccount { UserId = userId, CreatedAt = clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (!StorageFull.IsCause(ex) && !DatabaseOutage.IsCause(ex))
        {
            // Another request created it first: the row exists, which is all we need. A full or unreachable database is
            // not that, and goes on to the caller as what it is.
        }

        db.ChangeTracker.Clear();
    }
}

/// <summary>A billing operation named a user that does not exist.</summary>
public sealed class UnknownUserException(string userId) : Exception($"No user has the id '{userId}'.")
{
    public string UserId { get; } = userId;
}
