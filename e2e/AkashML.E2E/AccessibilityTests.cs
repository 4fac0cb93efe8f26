using System.Text.Json;
using AkashML.E2E.Infrastructure;
using Microsoft.Playwright;

namespace AkashML.E2E;

/// <summary>
/// Every page of the dashboard, signed in as an administrator: each form control has an accessible name, each page
/// has one main heading and a labelled main navigation, and keyboard focus is visible on every control Tab reaches.
/// </summary>
public sealed class AccessibilityTests : BrowserTest
{
    private static readonly string[] Pages =
    [
        "", "playground", "models", "presets", "presets/new", "keys", "usage", "inferences", "billing",
        "Account/Manage", "Account/Manage/Email", "Account/Manage/ChangePassword", "Account/Manage/ExternalLogins",
        "Account/Manage/TwoFactorAuthentication", "Account/Manage/PersonalData", "Account/Manage/DeletePersonalData",
        "admin/users", "admin/models", "admin/inferences",
    ];

    // Controls a person can operate, and the name assistive technology would announce for each (empty = none).
    private const string UnnamedControlsScript = """
        () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], [role=button], [tabindex]:not([tabindex="-1"])')]
          .filter(el => el.getClientRects().length > 0)
          // MudBlazor's focus-trap sentinels around a dialog pass focus on and are never operated.
          .filter(el => !el.classList.contains('pointer-events-none'))
          .filter(el => {
            const aria = (el.getAttribute('aria-label') || '').trim();
            const labelledBy = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
              .map(id => (document.getElementById(id)?.textContent || '').trim()).join(' ');
            const labels = el.labels ? [...el.labels].map(l => l.textContent.trim()).join(' ') : '';
            const text = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) ? '' : el.textContent.trim();
            const value = el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type) ? el.value : '';
            return !(aria || labelledBy.trim() || labels || text || value || (el.getAttribute('title') || '').trim());
          })
          .map(el => el.outerHTML.slice(0, 160))
        """;

    // Tabs through the page; for each focused element, whether the browser draws a focus indicator for it.
    private const string FocusIndicatorScript = """
        () => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const style = getComputedStyle(el);
          const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
          const ring = style.boxShadow && style.boxShadow !== 'none';
          return { html: el.outerHTML.slice(0, 120), visible: outline || ring };
        }
        """;

    [ChromiumFact]
    public async Task Every_dashboard_page_names_its_controls_and_shows_keyboard_focus()
    {
        var shots = new Screenshots("accessibility");
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        // The first account of an instance is its administrator, so the admin pages are checked too.
        await Accounts.SignUpAndSignInAsync(page, Accounts.NewEmail("a11y"));

        var problems = new List<string>();
        foreach (var path in Pages)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response is { Ok: true }, $"/{path} answered {response?.Status}");
            if (!path.StartsWith("Account/", StringComparison.Ordinal))
            {
                // Dashboard pages are checked as people use them: live in their circuit, not as the prerendered HTML.
                await Circuit.WaitAsync(page);
            }

            if (await page.Locator("h1").CountAsync() != 1)
            {
                problems.Add($"/{path}: expected exactly one <h1>");
            }

            if (await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).CountAsync() != 1)
            {
                problems.Add($"/{path}: no navigation named 'Main'");
            }

            var unnamed = await page.EvaluateAsync<string[]>(UnnamedControlsScript);
            problems.AddRange(unnamed.Select(html => $"/{path}: control without an accessible name: {html}"));

            for (var step = 0; step < 12; step++)
            {
                await page.Keyboard.PressAsync("Tab");
                var focused = await page.EvaluateAsync<JsonElement?>(FocusIndicatorScript);
                if (focused is { ValueKind: JsonValueKind.Object } element && !element.GetProperty("visible").GetBoolean())
                {
                    problems.Add($"/{path}: focus is invisible on {element.GetProperty("html").GetString()}");
                }
            }

            await shots.TakeAsync(page, path.Length == 0 ? "overview" : path.Replace('/', '-').ToLowerInvariant());
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems.Distinct()));
    }
}
