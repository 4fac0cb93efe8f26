using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Usage;

/// <summary>
/// Signed-in accounts for the usage and inferences tests. Sign-in is checked by the overview's heading, which the
/// interactive overview prerenders, rather than by a sign-out form in the header (the account menu renders on demand).
/// </summary>
internal static class UsageAccounts
{
    public static async Task<SignedIn> NewAsync(DashboardHost fixture, long creditMicros = 0)
    {
        var email = AccountFlows.NewEmail("usage");
        await AccountFlows.CreateConfirmedUserAsync(fixture.Host, email);
        var browser = fixture.Host.NewBrowser();
        var home = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.Contains("Welcome to AkashML", home.Text, StringComparison.Ordinal);
        var user = await fixture.Host.FindUserAsync(email) ?? throw new InvalidOperationException("the user was not created");
        if (creditMicros > 0)
        {
            await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>()
                .GrantAsync(user.Id, CreditSource.AdminGrant, creditMicros, null, "usage tests", null, CancellationToken.None));
        }

        return new SignedIn(browser, user.Id, email);
    }
}
