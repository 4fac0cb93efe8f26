using System.Globalization;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

// N signed-in Chromium pages (half on the playground, half on usage) hold N circuits on one host. Prints the host's
// resident memory per idle circuit and the time from a click (the app bar's theme switch: a pure circuit round trip)
// to the DOM update, measured in the page, one click at a time and all pages at once, for every N.
// Usage: AkashML.CircuitBench [10,25,50] [clicks per page].
var counts = (args.Length > 0 ? args[0] : "10,25,50").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
var clicksPerPage = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
const string Email = "bench@example.test";
const string Password = "Corr3ct-Horse!";

await using var host = await HostProcess.StartAsync();
await host.RunVerbAsync("users", "create", "--email", Email, "--password", Password);
using var playwright = await Playwright.CreateAsync();
await using var browser = await Chromium.LaunchAsync(playwright);

// One signed-in browser context; its cookie is shared by every page opened later.
var context = await browser.NewContextAsync(new() { BaseURL = host.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });
context.SetDefaultTimeout(120_000);
var login = await context.NewPageAsync();
await login.GotoAsync("Account/Login");
await login.Locator("input[name='Input.Email']").FillAsync(Email);
await login.Locator("input[name='Input.Password']").FillAsync(Password);
await login.GetByTestId("sign-in").ClickAsync();
await login.GetByTestId("header-balance").WaitForAsync();
await login.CloseAsync();

// Warm-up: the first circuits pay for JIT and caches; per-circuit figures should not.
for (var i = 0; i < 4; i++)
{
    var warm = await context.NewPageAsync();
    await warm.GotoAsync(i % 2 == 0 ? "playground" : "usage");
    await warm.Locator("[data-circuit=ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    await ClickToDomAsync(warm);
    await warm.CloseAsync();
}

Console.WriteLine("pages  rss_before_mb  rss_after_mb  kb_per_circuit  click_p50_ms  click_p95_ms  burst_p50_ms  burst_p95_ms  clicks");
foreach (var count in counts)
{
    await SettleAsync();
    var before = ResidentBytes(host.ProcessId);
    var pages = new List<IPage>();
    for (var i = 0; i < count; i++)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(i % 2 == 0 ? "playground" : "usage");
        await page.Locator("[data-circuit=ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        pages.Add(page);
    }

    await SettleAsync();
    var after = ResidentBytes(host.ProcessId);

    // One person clicks at a time while every other circuit stays open: the latency a user sees on a busy host.
    var latencies = new List<double>();
    for (var round = 0; round < clicksPerPage; round++)
    {
        foreach (var page in pages)
        {
            latencies.Add(await ClickToDomAsync(page));
        }
    }

    // Every page clicks at once (a worst case: the browser's renderers and the host share the same two cores).
    var burst = new List<double>();
    for (var round = 0; round < 3; round++)
    {
        burst.AddRange(await Task.WhenAll(pages.Select(ClickToDomAsync)));
    }

    latencies.Sort();
    burst.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{count,5}  {before / 1048576.0,13:F1}  {after / 1048576.0,12:F1}  {(after - before) / 1024.0 / count,14:F0}  {Percentile(latencies, 0.50),12:F1}  {Percentile(latencies, 0.95),12:F1}  {Percentile(burst, 0.50),12:F1}  {Percentile(burst, 0.95),12:F1}  {latencies.Count,6}"));

    foreach (var page in pages)
    {
        await page.CloseAsync();
    }
}

return 0;

static async Task<double> ClickToDomAsync(IPage page) =>
    await page.EvaluateAsync<double>("""
        () => new Promise(resolve => {
          const button = document.querySelector('[data-testid=theme-toggle]');
          const before = button.getAttribute('data-current-theme');
          const started = performance.now();
          const observer = new MutationObserver(() => {
            if (button.getAttribute('data-current-theme') !== before) {
              observer.disconnect();
              resolve(performance.now() - started);
            }
          });
          observer.observe(button, { attributes: true });
          button.click();
        })
        """);

// Lets the host finish starting circuits and collect garbage before a reading.
static Task SettleAsync() => Task.Delay(TimeSpan.FromSeconds(5));

static long ResidentBytes(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }

    throw new InvalidOperationException("no VmRSS for the host");
}

static double Percentile(List<double> sorted, double p) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
