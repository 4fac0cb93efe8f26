using Microsoft.Playwright;

namespace AkashML.E2E.Infrastructure;

/// <summary>
/// Dashboard pages are prerendered, then come alive when their Blazor circuit connects; a click before that does
/// nothing. Tests wait for the marker the layout renders once it runs in the circuit.
/// </summary>
public static class Circuit
{
    public static Task WaitAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Locator("[data-circuit=ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    /// <summary>Navigates to <paramref name="path"/> and waits for its circuit.</summary>
    public static async Task GotoAsync(IPage page, string path)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync(path);
        await WaitAsync(page);
    }
}
