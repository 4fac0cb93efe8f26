using AkashML.Data;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Hosting;

/// <summary>
/// Gateways are stateless: the Data Protection key ring (sign-in cookies, antiforgery tokens) is in the shared database,
/// so what one replica protects another unprotects.
/// </summary>
public sealed class SharedKeyRingTests
{
    [Theory]
    [SqliteData]
    [PostgresData]
    public async Task A_cookie_protected_by_one_replica_is_read_by_another(DatabaseKind kind)
    {
        await using var first = await AkashWebHost.StartAsync(kind);
        await using var second = await AkashWebHost.StartReplicaAsync(first);
        const string purpose = "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware";

        var ticket = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(purpose).Protect("signed-in");

        Assert.Equal("signed-in", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(purpose).Unprotect(ticket));
        var keys = await first.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().DataProtectionKeys.CountAsync());
        Assert.True(keys > 0, "the key ring is not in the database");
    }
}
