using Microsoft.Playwright;

namespace AkashML.E2E.Infrastructure;

/// <summary>
/// Debian's Chromium (Playwright cannot download browsers here). Install it with <c>apt-get install -y chromium</c>;
/// <c>AKASHML_CHROMIUM</c> points at another binary.
/// </summary>
public static class Chromium
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("AKASHML_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static string? MissingReason =>
        File.Exists(ExecutablePath) ? null : $"Chromium is not installed at {ExecutablePath} (apt-get update && apt-get install -y chromium).";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }
}

/// <summary>A fact that needs Chromium: skipped, with the install command as the reason, when it is absent.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        Skip = Chromium.MissingReason;
    }
}
