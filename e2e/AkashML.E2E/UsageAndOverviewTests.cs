using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// A person with a key calls the API; without a reload the overview shows the request, and the usage page lists it.
/// Changing a usage filter updates the address, and a reload restores the view. Desktop (1440×900) and phone
/// (390×844) screenshots; at 390 px no page is wider than the viewport.
/// </summary>
public sealed partial class UsageAndOverviewTests : BrowserTest
{
    private static readonly string[] PhonePages = ["", "usage", "inferences"];

    [ChromiumFact]
    public async Task An_API_call_shows_on_the_overview_and_usage_and_filters_live_in_the_address()
    {
        var shots = new Screenshots("usage-and-overview");
        var email = Accounts.NewEmail("usage");
        await Host.RunVerbAsync("users", "create", "--email", email, "--password", Accounts.Password);
        await Host.RunVerbAsync("credits", "grant", "--email", email, "--usd", "5");
        var secret = SecretOf(await Host.RunVerbAsync("keys", "create", "--email", email, "--name", "e2e-usage"));

        await using var desktop = await NewContextAsync(1440, 900);
        var page = await desktop.NewPageAsync();
        await Accounts.SignInAsync(page, email);
        await Assertions.Expect(page.GetByTestId("overview-requests-today")).ToHaveTextAsync("0");

        // The call happens while the overview is open: it picks the request up by itself.
        var inferenceId = await CallApiAsync(secret);
        await Assertions.Expect(page.GetByTestId("overview-requests-today")).ToHaveTextAsync("1", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator($"[data-testid=overview-recent] tr[data-inference-id='{inferenceId}']")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "overview-desktop");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Usage" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("total-requests")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("[data-testid=usage-filters][data-interactive=true]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"[data-testid=recent-table] a[data-inference-id='{inferenceId}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("row-model").First).ToHaveTextAsync("akashml/tiny-random");

        // Filters apply as they change and live in the address.
        await page.GetByTestId("range-7").ClickAsync();
        var weekAgo = DateTime.UtcNow.AddDays(-6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"from={weekAgo}"));
        await page.GetByTestId("filter-status").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Errors", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=error"));
        await Assertions.Expect(page.GetByTestId("recent-table-empty")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "usage-filtered-desktop");

        // A reload restores the view from the address (prerendered first, then the circuit takes over).
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=usage-filters][data-interactive=true]")).ToHaveCountAsync(1);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=error"));
        await Assertions.Expect(page.GetByTestId("recent-table-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("usage-range")).ToContainTextAsync(DateTime.UtcNow.AddDays(-6).ToString("MMM d, yyyy", CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("filter-status")).ToHaveTextAsync("Errors");

        await page.GetByTestId("clear-filters").ClickAsync();
        await Assertions.Expect(page.Locator($"[data-testid=recent-table] a[data-inference-id='{inferenceId}']")).ToBeVisibleAsync();
        await shots.TakeAsync(page, "usage-desktop");

        // The export keeps working from the page's link.
        var href = await page.GetByTestId("export-csv").GetAttributeAsync("href");
        var csv = await page.APIRequest.GetAsync(href!);
        Assert.Equal(200, csv.Status);
        Assert.Contains(inferenceId, await csv.TextAsync(), StringComparison.Ordinal);

        // On a phone: nothing wider than the screen, and the same data.
        await using var phone = await NewContextAsync(390, 844);
        var small = await phone.NewPageAsync();
        await Accounts.SignInAsync(small, email);
        foreach (var path in PhonePages)
        {
            await small.GotoAsync("/" + path);
            await Assertions.Expect(small.Locator("h1")).ToHaveCountAsync(1);
            await small.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var width = await small.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(width <= 390, $"/{path} is {width} px wide at 390 px");
            await shots.TakeAsync(small, $"{(path.Length == 0 ? "overview" : path)}-phone");
        }

        await Assertions.Expect(small.Locator($"[data-testid=inferences-table] a[data-inference-id='{inferenceId}']")).ToHaveCountAsync(1);
    }

    private async Task<string> CallApiAsync(string secret)
    {
        using var http = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), new StringContent(
            """{"model":"akashml/tiny-random","messages":[{"role":"user","content":"Hello from the usage test"}],"max_tokens":8}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("Inference-Id").Single();
    }

    private static string SecretOf(string verbOutput) =>
        Secret().Match(verbOutput) is { Success: true } match ? match.Value : throw new InvalidOperationException("no secret in: " + verbOutput);

    [GeneratedRegex("akml-[A-Za-z0-9]+")]
    private static partial Regex Secret();
}
