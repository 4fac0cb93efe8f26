using Microsoft.Playwright;

namespace AkashML.E2E.Infrastructure;

/// <summary>
/// One real host and one headless Chromium per test class: started before its tests (unless Chromium is missing, when
/// every <see cref="ChromiumFactAttribute"/> test is skipped), torn down after them.
/// </summary>
public abstract class BrowserTest : IAsyncLifetime
{
    private IPlaywright? _playwright;

    protected HostProcess Host { get; set; } = default!;

    protected IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        if (Chromium.MissingReason is not null)
        {
            return;
        }

        Host = await StartHostAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
    }

    /// <summary>Starts this class's host (and whatever it talks to); a plain host on fresh SQLite by default.</summary>
    protected virtual Task<HostProcess> StartHostAsync() => HostProcess.StartAsync();

    /// <summary>A fresh browser profile (no cookies) on the host, waiting up to <paramref name="timeoutMs"/> per step.</summary>
    protected async Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 800, float timeoutMs = 15_000)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(timeoutMs);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await DisposeServicesAsync();
    }

    /// <summary>Stops the stand-ins a class started beside its host (after the host is gone).</summary>
    protected virtual ValueTask DisposeServicesAsync() => ValueTask.CompletedTask;
}
