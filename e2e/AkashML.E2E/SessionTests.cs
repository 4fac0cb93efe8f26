using System.Text.RegularExpressions;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// An open dashboard keeps checking who it runs for: signing out in another browser ends the circuit's sign-in within
/// <c>Dashboard:RevalidationInterval</c> (5 s here), and the open page goes to the sign-in form by itself.
/// </summary>
public sealed partial class SessionTests : BrowserTest
{
    protected override Task<HostProcess> StartHostAsync() =>
        HostProcess.StartAsync(environment: new Dictionary<string, string> { ["Dashboard__RevalidationInterval"] = "00:00:05" });

    [ChromiumFact]
    public async Task Signing_out_elsewhere_ends_an_open_dashboard_within_the_revalidation_interval()
    {
        var shots = new Screenshots("session");
        var email = Accounts.NewEmail("session");
        await using var laptop = await NewContextAsync(timeoutMs: 30_000);
        var open = await laptop.NewPageAsync();
        await Accounts.SignUpAndSignInAsync(open, email);
        await Circuit.GotoAsync(open, "keys");

        await using var phone = await NewContextAsync(width: 390, height: 844);
        var other = await phone.NewPageAsync();
        await Accounts.SignInAsync(other, email);
        await other.GotoAsync("Account/Manage");
        await other.GetByTestId("sign-out").ClickAsync();
        await Assertions.Expect(other.GetByRole(AriaRole.Heading, new() { Name = "Sign in to AkashML" })).ToBeVisibleAsync();

        // Nobody touches the laptop's page: its circuit notices at the next revalidation and sends it to sign in.
        await Assertions.Expect(open).ToHaveURLAsync(LoginUrl(), new() { Timeout = 30_000 });
        await Assertions.Expect(open.GetByRole(AriaRole.Heading, new() { Name = "Sign in to AkashML" })).ToBeVisibleAsync();
        await shots.TakeAsync(open, "signed-out-elsewhere");
    }

    [GeneratedRegex("/Account/Login")]
    private static partial Regex LoginUrl();
}
