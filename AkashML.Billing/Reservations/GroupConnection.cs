using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Billing.Reservations;

/// <summary>
/// A group commit writer's connection, open from one batch to the next so that what is prepared on it lasts (closing it
/// would release that), with the pooled context it belongs to (opened through it, so the provider's tuning applies).
/// </summary>
internal sealed class GroupConnection(AsyncServiceScope scope, AkashDbContext db) : IAsyncDisposable
{
    private PreparedCommands? _prepared;

    public DbConnection Connection { get; } = db.Database.GetDbConnection();

    /// <summary>Commands prepared on this connection (SQLite's writer runs every statement from them).</summary>
    public PreparedCommands Prepared => _prepared ??= new PreparedCommands(Connection);

    public static async Task<GroupConnection> OpenAsync(IServiceScopeFactory scopes)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
            await db.Database.OpenConnectionAsync(CancellationToken.None);
            return new GroupConnection(scope, db);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _prepared?.Dispose();
        await db.Database.CloseConnectionAsync();
        await scope.DisposeAsync();
    }
}
