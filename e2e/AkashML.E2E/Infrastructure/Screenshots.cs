using Microsoft.Playwright;

namespace AkashML.E2E.Infrastructure;

/// <summary>
/// Full-page screenshots, numbered in the order taken, into <c>AKASHML_ARTIFACTS_DIR</c> (default
/// <c>TestResults/screenshots</c> under the test output).
/// </summary>
public sealed class Screenshots(string scenario)
{
    private int _count;

    public string Directory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("AKASHML_ARTIFACTS_DIR") is { Length: > 0 } root
            ? root
            : Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots"),
        scenario);

    public async Task<string> TakeAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, $"{++_count:00}-{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }
}
