using AkashML.Data;
using AkashML.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace AkashML.Web.Admin;

/// <summary>One user as the admin list shows them.</summary>
public sealed record AdminUserRow(string Id, string Email, bool EmailConfirmed, bool IsAdministrator, DateTimeOffset CreatedAt, bool LockedOut, long UsableMicros);

public sealed record AdminUserPage(IReadOnlyList<AdminUserRow> Rows, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>What the users grid can sort by (balances are summed per page, so they are not a sort key).</summary>
public enum UserSort
{
    Joined,
    Email,
}

/// <summary>
/// The administrators' user list: a page of users (optionally filtered by email), then their roles and balances in
/// one grouped query each, never a query per row.
/// </summary>
public sealed class UserDirectory(AkashDbContext db, TimeProvider clock)
{
    public const int DefaultPageSize = 25;

    /// <param name="page">1-based; out-of-range pages are clamped.</param>
    public Task<AdminUserPage> SearchAsync(string? emailContains, int page, int pageSize, CancellationToken cancellationToken) =>
        SearchAsync(emailContains, page, pageSize, UserSort.Joined, descending: true, cancellationToken);

    /// <param name="page">1-based; out-of-range pages are clamped.</param>
    public async Task<AdminUserPage> SearchAsync(string? emailContains, int page, int pageSize, UserSort sort, bool descending, CancellationToken cancellationToken)
    {
        pageSize = Math.Clamp(pageSize, 1, 200);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(emailContains))
        {
            var needle = emailContains.Trim().ToUpperInvariant();
            users = users.Where(u => u.NormalizedEmail != null && u.NormalizedEmail.Contains(needle));
        }

        var total = await users.CountAsync(cancellationToken);
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, pageCount);
        var ordered = (sort, descending) switch
        {
            (UserSort.Email, false) => users.OrderBy(u => u.NormalizedEmail),
            (UserSort.Email, true) => users.OrderByDescending(u => u.NormalizedEmail),
            (_, false) => users.OrderBy(u => u.CreatedAt),
            _ => users.OrderByDescending(u => u.CreatedAt),
        };
        var found = await ordered.ThenBy(u => u.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(u => new { u.Id, u.Email, u.EmailConfirmed, u.CreatedAt, u.LockoutEnd })
            .ToListAsync(cancellationToken);
        var ids = found.Select(u => u.Id).ToList();
        var admins = await AdministratorsAmongAsync(ids, cancellationToken);
        var balances = await BalancesAsync(ids, cancellationToken);
        var now = clock.GetUtcNow();
        var rows = found.Select(u => new AdminUserRow(u.Id, u.Email ?? "", u.EmailConfirmed, admins.Contains(u.Id), u.CreatedAt,
            u.LockoutEnd is { } end && end > now, balances.GetValueOrDefault(u.Id))).ToList();
        return new AdminUserPage(rows, total, page, pageSize);
    }

    /// <summary>One user, or null.</summary>
    public async Task<AdminUserRow?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Id, u.Email, u.EmailConfirmed, u.CreatedAt, u.LockoutEnd })
            .SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return null;
        }

        var admins = await AdministratorsAmongAsync([user.Id], cancellationToken);
        var balances = await BalancesAsync([user.Id], cancellationToken);
        return new AdminUserRow(user.Id, user.Email ?? "", user.EmailConfirmed, admins.Contains(user.Id), user.CreatedAt,
            user.LockoutEnd is { } end && end > clock.GetUtcNow(), balances.GetValueOrDefault(user.Id));
    }

    private async Task<HashSet<string>> AdministratorsAmongAsync(List<string> ids, CancellationToken cancellationToken)
    {
        var role = AccountProvisioning.AdministratorRole.ToUpperInvariant();
        var admins = await (
                from ur in db.UserRoles
                join r in db.Roles on ur.RoleId equals r.Id
                where r.NormalizedName == role && ids.Contains(ur.UserId)
                select ur.UserId)
            .ToListAsync(cancellationToken);
        return admins.ToHashSet(StringComparer.Ordinal);
    }

    private async Task<Dictionary<string, long>> BalancesAsync(List<string> ids, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await db.CreditPools.AsNoTracking()
            .Where(p => ids.Contains(p.UserId) && p.RemainingMicros > 0 && (p.ExpiresAt == null || p.ExpiresAt > now))
            .GroupBy(p => p.UserId)
            .Select(g => new { UserId = g.Key, Usable = g.Sum(p => p.RemainingMicros) })
            .ToDictionaryAsync(x => x.UserId, x => x.Usable, StringComparer.Ordinal, cancellationToken);
    }
}
