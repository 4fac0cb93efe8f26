using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// The dashboard's frame in Chromium: at phone width no page is wider than the screen and the navigation opens from the
/// menu button; the theme choice survives a reload; a page left open while the host restarts comes back by itself.
/// </summary>
public sealed class ShellTests : BrowserTest
{
    private static readonly string[] DashboardPages =
    [
        "", "playground", "models", "presets", "keys", "usage", "inferences", "billing",
        "admin/users", "admin/models", "admin/inferences",
    ];

    private static readonly string[] StaticPages =
    [
        "Account/Manage", "Account/Manage/Email", "Account/Manage/ChangePassword", "Account/Manage/TwoFactorAuthentication",
    ];

    private const string OverflowScript = "() => document.documentElement.scrollWidth - window.innerWidth";

    [ChromiumFact]
    public async Task At_phone_width_no_page_scrolls_sideways_and_the_navigation_opens()
    {
        var shots = new Screenshots("phone");
        await using var context = await NewContextAsync(width: 390, height: 844);
        var page = await context.NewPageAsync();
        await Accounts.SignUpAndSignInAsync(page, Accounts.NewEmail("phone"));

        var problems = new List<string>();
        foreach (var path in DashboardPages.Concat(StaticPages))
        {
            var response = await page.GotoAsync(path);
            Assert.True(response is { Ok: true }, $"/{path} answered {response?.Status}");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var overflow = await page.EvaluateAsync<int>(OverflowScript);
            if (overflow > 0)
            {
                problems.Add($"/{path} is {overflow} px wider than the 390 px screen");
            }

            await shots.TakeAsync(page, path.Length == 0 ? "overview" : path.Replace('/', '-').ToLowerInvariant());
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));

        // The drawer is closed on a phone; the menu button opens it and a section link navigates.
        await Circuit.GotoAsync(page, "/");
        var keysLink = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "API Keys" });
        await Assertions.Expect(keysLink).Not.ToBeInViewportAsync();
        await page.GetByTestId("nav-toggle").ClickAsync();
        await Assertions.Expect(keysLink).ToBeInViewportAsync();
        await shots.TakeAsync(page, "navigation-open");
        await keysLink.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/keys$"));
    }

    [ChromiumFact]
    public async Task The_theme_switches_in_place_and_is_remembered()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await Accounts.SignUpAndSignInAsync(page, Accounts.NewEmail("theme"));
        await Circuit.WaitAsync(page);

        var toggle = page.GetByTestId("theme-toggle");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-current-theme", "light");
        var lightBackground = await BackgroundAsync(page);
        await toggle.ClickAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("data-current-theme", "dark");
        Assert.NotEqual(lightBackground, await BackgroundAsync(page));

        // A reload (and a static account page) renders the remembered theme from the first byte.
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("data-current-theme", "dark");
        await page.GotoAsync("Account/Manage");
        await Assertions.Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("data-current-theme", "dark");
    }

    [ChromiumFact]
    public async Task A_page_left_open_while_the_host_restarts_comes_back_by_itself()
    {
        var shots = new Screenshots("reconnect");
        await using var context = await NewContextAsync(timeoutMs: 60_000);
        var page = await context.NewPageAsync();
        await Accounts.SignUpAndSignInAsync(page, Accounts.NewEmail("reconnect"));
        await Circuit.GotoAsync(page, "keys");

        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Load += (_, _) => reloaded.TrySetResult();
        Host = await Host.CrashAndRestartAsync(samePort: true);

        // The old circuit is gone with the old process: the page reconnects to the new host (which rejects the
        // unknown circuit) and reloads itself, ending on a working page without anyone pressing reload.
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(90));
        await Assertions.Expect(page.GetByTestId("header-balance")).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/keys$"));
        await shots.TakeAsync(page, "after-restart");
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
