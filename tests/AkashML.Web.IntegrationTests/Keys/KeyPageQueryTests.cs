using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// The keys grid's server-side query on both databases: one user's keys only, search ignoring case, the status
/// filter, sorting with "never" last either way, and stable paging with the total.
/// </summary>
public sealed class KeyPageQueryTests(ClockedHostPool hosts) : IClassFixture<ClockedHostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task Pages_sorts_and_filters_one_users_keys_in_the_database(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var (userId, otherId) = await host.WithServicesAsync(async sp =>
        {
            var accounts = sp.GetRequiredService<AccountProvisioning>();
            var user = await accounts.CreateConfirmedUserAsync(AccountFlows.NewEmail("grid"), AccountFlows.GoodPassword, admin: false);
            var other = await accounts.CreateConfirmedUserAsync(AccountFlows.NewEmail("grid"), AccountFlows.GoodPassword, admin: false);
            return (user.Id, other.Id);
        });

        var now = clock.GetUtcNow();
        var alpha = await Create(userId, "Alpha-Backend", new ApiKeyLimits(null, null, null, now.AddDays(30)));
        var beta = await Create(userId, "beta-worker", ApiKeyLimits.None);
        var gamma = await Create(userId, "Gamma", new ApiKeyLimits(null, null, null, now.AddDays(2)));
        var delta = await Create(userId, "delta-backend", ApiKeyLimits.None);
        await Create(otherId, "alpha-of-someone-else", ApiKeyLimits.None);

        // Beta is used first, then gamma; delta is revoked; gamma expires later.
        Assert.NotNull(await KeyFlows.KeysAsync(host, k => k.AuthenticateAsync(beta.Secret, CancellationToken.None)));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull(await KeyFlows.KeysAsync(host, k => k.AuthenticateAsync(gamma.Secret, CancellationToken.None)));
        Assert.True(await KeyFlows.KeysAsync(host, k => k.RevokeAsync(delta.Key, userId, CancellationToken.None)));

        // "total: name,name,…" so a whole answer compares in one assertion.
        async Task<string> Query(ApiKeyQuery query)
        {
            var page = await KeyFlows.KeysAsync(host, k => k.PageAsync(userId, query, CancellationToken.None));
            return page.Total + ": " + string.Join(",", page.Items.Select(k => k.Name));
        }

        var all = ApiKeyQuery.FirstPage with { PageSize = 10 };
        Assert.Equal("4: Alpha-Backend,beta-worker,Gamma,delta-backend", await Query(all));
        Assert.Equal("4: beta-worker,Alpha-Backend", await Query(all with { Sort = ApiKeySort.Name, Descending = true, PageSize = 2, Page = 1 }));
        Assert.Equal("2: Alpha-Backend,delta-backend", await Query(all with { Search = "BACKEND" }));
        Assert.Equal("3: Alpha-Backend,beta-worker,Gamma", await Query(all with { Status = ApiKeyStatusFilter.Active }));
        Assert.Equal("1: delta-backend", await Query(all with { Status = ApiKeyStatusFilter.Inactive }));

        // Keys never used (or never expiring) come last in both directions.
        Assert.Contains(": Gamma,beta-worker,", await Query(all with { Sort = ApiKeySort.LastUsed, Descending = true }), StringComparison.Ordinal);
        Assert.Contains(": beta-worker,Gamma,", await Query(all with { Sort = ApiKeySort.LastUsed }), StringComparison.Ordinal);
        Assert.Contains(": Gamma,Alpha-Backend,", await Query(all with { Sort = ApiKeySort.Expires }), StringComparison.Ordinal);
        Assert.Contains(": Alpha-Backend,Gamma,", await Query(all with { Sort = ApiKeySort.Expires, Descending = true }), StringComparison.Ordinal);

        // Gamma's expiry passes: it leaves the active keys and joins the inactive ones.
        clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal("2: Alpha-Backend,beta-worker", await Query(all with { Status = ApiKeyStatusFilter.Active }));
        Assert.Equal("2: Gamma,delta-backend", await Query(all with { Status = ApiKeyStatusFilter.Inactive }));

        var activity = await KeyFlows.KeysAsync(host, k => k.ActivityAsync(userId, [beta.Key, delta.Key], CancellationToken.None));
        Assert.NotNull(activity.Single(a => a.Id == beta.Key).LastUsedAt);
        Assert.NotNull(activity.Single(a => a.Id == delta.Key).RevokedAt);
        Assert.Empty(await KeyFlows.KeysAsync(host, k => k.ActivityAsync(otherId, [beta.Key], CancellationToken.None)));

        async Task<(Guid Key, string Secret)> Create(string owner, string name, ApiKeyLimits limits)
        {
            var (key, secret) = await KeyFlows.KeysAsync(host, k => k.CreateAsync(owner, name, limits, CancellationToken.None));
            clock.Advance(TimeSpan.FromSeconds(1));
            return (key.Id, secret);
        }
    }
}
