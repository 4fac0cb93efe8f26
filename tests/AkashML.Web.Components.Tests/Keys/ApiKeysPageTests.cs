using System.Reflection;
using AkashML.Data;
using AkashML.Data.Keys;
using AkashML.Web.Components.Pages.Keys;
using AkashML.Web.Components.Tests.Infrastructure;
using AkashML.Web.Keys;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;

namespace AkashML.Web.Components.Tests.Keys;

/// <summary>The keys page against the real <see cref="ApiKeyService"/>: grid, create, show-once secret, edit, roll, revoke.</summary>
public sealed class ApiKeysPageTests(DashboardHost host) : DashboardTest(host)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_grid_pages_sorts_and_searches_on_the_server()
    {
        var user = await SignInNewUserAsync();
        for (var i = 1; i <= 12; i++)
        {
            await HostService<ApiKeyService>().CreateAsync(user.Id, $"key-{i:00}", ApiKeyLimits.None, CancellationToken.None);
        }

        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(10, Names(cut).Count), Wait);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"key-{i:00}"), Names(cut));
        Assert.Contains("1-10 of 12", cut.Markup, StringComparison.Ordinal);

        var grid = cut.FindComponent<MudDataGrid<ApiKey>>();
        await cut.InvokeAsync(() => grid.Instance.NavigateTo(Page.Next));
        cut.WaitForAssertion(() => Assert.Equal(["key-11", "key-12"], Names(cut)), Wait);

        // Sorting keeps the page: the second page of the names in descending order is the first two.
        await cut.InvokeAsync(() => grid.Instance.SetSortAsync(nameof(ApiKey.Name), SortDirection.Descending, k => k.Name));
        cut.WaitForAssertion(() => Assert.Equal(["key-02", "key-01"], Names(cut)), Wait);
        await cut.InvokeAsync(() => grid.Instance.NavigateTo(Page.First));
        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(3, 10).Reverse().Select(i => $"key-{i:00}"), Names(cut)), Wait);

        cut.Find("[data-testid=key-search]").Input("KEY-0");
        cut.WaitForAssertion(() => Assert.Equal(9, Names(cut).Count), Wait);
        Assert.All(Names(cut), n => Assert.StartsWith("key-0", n, StringComparison.Ordinal));

        cut.Find("[data-testid=key-search]").Input("nothing-like-this");
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=keys-no-match]")), Wait);
    }

    [Fact]
    public async Task No_keys_shows_an_invitation_and_another_users_keys_never_show()
    {
        var other = await Host.CreateUserAsync();
        await HostService<ApiKeyService>().CreateAsync(other.Id, "not-mine", ApiKeyLimits.None, CancellationToken.None);
        await SignInNewUserAsync();

        var cut = RenderPage();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=keys-empty]")), Wait);
        Assert.DoesNotContain("not-mine", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_reported_beside_each_field_and_creates_nothing()
    {
        var user = await SignInNewUserAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=keys-empty]")), Wait);

        cut.Find("[data-testid=create-key]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=key-form]")), Wait);
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        cut.Find("[data-testid=key-name-input]").Input("   ");
        cut.Find("[data-testid=key-rpm]").Input("-5");
        cut.Find("[data-testid=key-tpm]").Input("lots");
        cut.Find("[data-testid=key-concurrency]").Input("0");
        cut.Find("[data-testid=key-expires]").Input(yesterday);
        cut.Find("[data-testid=key-save]").Click();

        cut.WaitForAssertion(() =>
        {
            var form = cut.Find("[data-testid=key-form]").TextContent;
            Assert.Contains("Give the key a name", form, StringComparison.Ordinal);
            Assert.Contains("Requests per minute must be a positive number", form, StringComparison.Ordinal);
            Assert.Contains("Tokens per minute must be a whole number", form, StringComparison.Ordinal);
            Assert.Contains("Concurrent requests must be a positive number", form, StringComparison.Ordinal);
            Assert.Contains("The expiry date must be in the future", form, StringComparison.Ordinal);
        }, Wait);
        // Each message sits in its own field's helper line, and what was typed stays.
        Assert.Contains("Tokens per minute must be a whole number",
            cut.Find("[data-testid=key-tpm]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("lots", cut.Find("[data-testid=key-tpm]").GetAttribute("value"));
        Assert.Empty(cut.FindAll("[data-testid=secret-dialog]"));
        Assert.Equal(0, await KeyCountAsync(user.Id));

        // A good name with one bad limit still saves nothing.
        cut.Find("[data-testid=key-name-input]").Input("ok-name");
        cut.Find("[data-testid=key-tpm]").Input("");
        cut.Find("[data-testid=key-concurrency]").Input("");
        cut.Find("[data-testid=key-expires]").Input("");
        cut.Find("[data-testid=key-rpm]").Input("-1");
        cut.Find("[data-testid=key-save]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Requests per minute must be a positive number", cut.Find("[data-testid=key-form]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal(0, await KeyCountAsync(user.Id));
    }

    [Fact]
    public async Task A_created_secret_is_shown_once_copied_and_gone_after_the_dialog_closes()
    {
        var user = await SignInNewUserAsync();
        var copy = JSInterop.Setup<bool>("akashml.copy", _ => true);
        copy.SetResult(true);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=keys-empty]")), Wait);

        cut.Find("[data-testid=create-key]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=key-form]")), Wait);
        cut.Find("[data-testid=key-name-input]").Input("sdk-app");
        cut.Find("[data-testid=key-rpm]").Input("60");
        cut.Find("[data-testid=key-save]").Click();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=secret-dialog]")), Wait);
        var secret = cut.Find("[data-testid=secret]").GetAttribute("value")!;
        Assert.StartsWith("akml-", secret, StringComparison.Ordinal);
        Assert.Contains("It will never be shown again", cut.Find("[data-testid=secret-warning]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=copy-secret]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Copied", cut.Find("[data-testid=copy-secret]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal(secret, Assert.Single(copy.Invocations).Arguments[0]);

        // "Done" waits for the confirmation; the grid behind already lists the key by its last four only.
        Assert.True(cut.Find("[data-testid=secret-done]").HasAttribute("disabled"));
        cut.Find("[data-testid=secret-stored]").Change(true);
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=secret-done]").HasAttribute("disabled")), Wait);
        cut.Find("[data-testid=secret-done]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=secret-dialog]")), Wait);
        cut.WaitForAssertion(() => Assert.Equal("akml-…" + secret[^4..], cut.Find("[data-testid=key-mask]").TextContent), Wait);
        Assert.DoesNotContain(secret, cut.Markup, StringComparison.Ordinal);

        // A re-render brings nothing back: no component of the page holds the secret.
        var page = cut.FindComponent<ApiKeysPage>();
        page.Render();
        Assert.DoesNotContain(secret, cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(FieldsOf(page.Instance), value => value is string text && text.Contains(secret, StringComparison.Ordinal));
        Assert.Empty(cut.FindComponents<SecretDialog>());

        // Only a hash is stored, and the secret works against the real key service.
        var key = await SingleKeyAsync(user.Id);
        Assert.Equal(60, key.RequestsPerMinute);
        Assert.DoesNotContain(secret[5..], key.SecretHash, StringComparison.Ordinal);
        var authenticated = await HostService<ApiKeyService>().AuthenticateAsync(secret, CancellationToken.None);
        Assert.Equal(key.Id, authenticated?.KeyId);
        Assert.Null(await HostService<ApiKeyService>().AuthenticateAsync(secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a'), CancellationToken.None));
        Assert.Equal(1, await KeyCountAsync(user.Id));
    }

    [Fact]
    public async Task Edit_renames_and_changes_limits_and_refuses_bad_values()
    {
        var user = await SignInNewUserAsync();
        var (created, _) = await HostService<ApiKeyService>().CreateAsync(user.Id, "first-name",
            new ApiKeyLimits(60, null, null, DateTimeOffset.UtcNow.Date.AddDays(3)), CancellationToken.None);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal("ExpiringSoon", cut.Find("[data-testid=key-status]").GetAttribute("data-status")), Wait);
        Assert.Contains("60 req/min", cut.Markup, StringComparison.Ordinal);

        cut.Find("[data-testid=edit-key]").Click();
        cut.WaitForAssertion(() => Assert.Equal("first-name", cut.Find("[data-testid=key-name-input]").GetAttribute("value")), Wait);
        Assert.Equal("60", cut.Find("[data-testid=key-rpm]").GetAttribute("value"));
        cut.Find("[data-testid=key-name-input]").Input("");
        cut.Find("[data-testid=key-tpm]").Input("-100");
        cut.Find("[data-testid=key-save]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Tokens per minute must be a positive number", cut.Find("[data-testid=key-form]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("Give the key a name", cut.Find("[data-testid=key-form]").TextContent, StringComparison.Ordinal);
        Assert.Equal("first-name", (await SingleKeyAsync(user.Id)).Name);

        cut.Find("[data-testid=key-name-input]").Input("second-name");
        cut.Find("[data-testid=key-rpm]").Input("120");
        cut.Find("[data-testid=key-tpm]").Input("50000");
        cut.Find("[data-testid=key-concurrency]").Input("3");
        cut.Find("[data-testid=key-expires]").Input("");
        cut.Find("[data-testid=key-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Saved “second-name”.", cut.Markup, StringComparison.Ordinal), Wait);
        var edited = await SingleKeyAsync(user.Id);
        Assert.Equal(created.Id, edited.Id);
        Assert.Equal("second-name", edited.Name);
        Assert.Equal((120, 50000, 3), (edited.RequestsPerMinute!.Value, edited.TokensPerMinute!.Value, edited.MaxConcurrency!.Value));
        Assert.Null(edited.ExpiresAt);
        cut.WaitForAssertion(() => Assert.Equal("Active", cut.Find("[data-testid=key-status]").GetAttribute("data-status")), Wait);
        Assert.Contains("120 req/min · 50k tokens/min · 3 concurrent", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_budget_its_period_and_allowed_models_are_set_in_the_dialogs_checked_beside_their_fields_and_shown_with_spend()
    {
        var user = await SignInNewUserAsync();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=keys-empty]")), Wait);

        cut.Find("[data-testid=create-key]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=key-form]")), Wait);
        cut.Find("[data-testid=key-name-input]").Input("capped");
        cut.Find("[data-testid=key-budget]").Input("-2");
        cut.Find("[data-testid=key-models]").Input("akashml/tiny-random, nobody/nothing");
        cut.Find("[data-testid=key-save]").Click();
        cut.WaitForAssertion(() =>
        {
            var form = cut.Find("[data-testid=key-form]").TextContent;
            Assert.Contains("The budget must be zero or more USD, got -2 (or empty for no budget).", form, StringComparison.Ordinal);
            Assert.Contains("No model has the id 'nobody/nothing'. Available: akashml/tiny-random.", form, StringComparison.Ordinal);
        }, Wait);
        Assert.Contains("The budget must be zero or more USD", cut.Find("[data-testid=key-budget]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await KeyCountAsync(user.Id));

        cut.Find("[data-testid=key-budget]").Input("5");
        cut.Find("[data-testid=key-models]").Input("akashml--tiny-random");
        cut.Find("[data-testid=key-save]").Click();
        ReadSecretAndClose(cut);
        var created = await SingleKeyAsync(user.Id);
        Assert.Equal((5_000_000L, ApiKeyBudgetPeriod.Monthly), (created.BudgetMicros!.Value, created.BudgetPeriod));
        Assert.Equal(["akashml/tiny-random"], created.AllowedModels);
        cut.WaitForAssertion(() => Assert.Equal("$0.00 of $5.00 this month", cut.Find("[data-testid=key-budget-spent]").TextContent), Wait);
        Assert.Contains("only akashml/tiny-random", cut.Markup, StringComparison.Ordinal);

        // What the key spent today shows in the grid; the edit dialog changes the period and lifts the allow-list.
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
            db.ApiKeySpend.Add(new ApiKeySpend { KeyId = created.Id, Day = BudgetCalendar.Day(DateTimeOffset.UtcNow), SpentMicros = 1_250_000 });
            await db.SaveChangesAsync();
        }

        cut.Find("[data-testid=edit-key]").Click();
        cut.WaitForAssertion(() => Assert.Equal("5.00", cut.Find("[data-testid=key-budget]").GetAttribute("value")), Wait);
        Assert.Equal("akashml/tiny-random", cut.Find("[data-testid=key-models]").GetAttribute("value"));
        var period = cut.FindComponents<MudSelect<ApiKeyBudgetPeriod>>().Single();
        Assert.Equal(ApiKeyBudgetPeriod.Monthly, period.Instance.GetState(x => x.Value));
        await cut.InvokeAsync(() => period.Instance.ValueChanged.InvokeAsync(ApiKeyBudgetPeriod.Daily));
        cut.Find("[data-testid=key-models]").Input("");
        cut.Find("[data-testid=key-save]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Saved “capped”.", cut.Markup, StringComparison.Ordinal), Wait);
        var edited = await SingleKeyAsync(user.Id);
        Assert.Equal((5_000_000L, ApiKeyBudgetPeriod.Daily), (edited.BudgetMicros!.Value, edited.BudgetPeriod));
        Assert.Null(edited.AllowedModels);
        cut.WaitForAssertion(() => Assert.Equal("$1.25 of $5.00 today", cut.Find("[data-testid=key-budget-spent]").TextContent), Wait);

        // Emptying the budget removes it (the period goes with it).
        cut.Find("[data-testid=edit-key]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=key-budget]")), Wait);
        cut.Find("[data-testid=key-budget]").Input("");
        cut.Find("[data-testid=key-save]").Click();
        cut.WaitForAssertion(() => Assert.Equal("No budget", cut.Find("[data-testid=key-budget-spent]").TextContent), Wait);
        Assert.Equal((null, ApiKeyBudgetPeriod.None), ((await SingleKeyAsync(user.Id)).BudgetMicros, (await SingleKeyAsync(user.Id)).BudgetPeriod));
    }

    [Fact]
    public async Task Rolling_with_no_grace_by_default_stops_the_old_secret_and_shows_the_new_one_once()
    {
        var user = await SignInNewUserAsync();
        var keys = HostService<ApiKeyService>();
        var (_, oldSecret) = await keys.CreateAsync(user.Id, "rolling", ApiKeyLimits.None, CancellationToken.None);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=roll-key]")), Wait);

        cut.Find("[data-testid=roll-key]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=roll-dialog]")), Wait);
        Assert.Contains("No grace: the old secret stops working now", cut.Find("[data-testid=roll-dialog]").TextContent, StringComparison.Ordinal);
        cut.Find("[data-testid=confirm-roll]").Click();

        var newSecret = ReadSecretAndClose(cut);
        Assert.NotEqual(oldSecret, newSecret);
        cut.WaitForAssertion(() => Assert.Contains("The old secret stopped working.", cut.Markup, StringComparison.Ordinal), Wait);
        Assert.Null(await keys.AuthenticateAsync(oldSecret, CancellationToken.None));
        Assert.NotNull(await keys.AuthenticateAsync(newSecret, CancellationToken.None));
        Assert.DoesNotContain(newSecret, cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rolling_with_a_grace_period_keeps_the_old_secret_working_for_it()
    {
        var user = await SignInNewUserAsync();
        var keys = HostService<ApiKeyService>();
        var (_, oldSecret) = await keys.CreateAsync(user.Id, "graceful", ApiKeyLimits.None, CancellationToken.None);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=roll-key]")), Wait);

        cut.Find("[data-testid=roll-key]").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=roll-dialog]")), Wait);
        var radio = cut.Find("[data-testid=grace-4]");
        (radio.TagName == "INPUT" ? radio : radio.QuerySelector("input")!).Click();
        cut.Find("[data-testid=confirm-roll]").Click();

        var newSecret = ReadSecretAndClose(cut);
        cut.WaitForAssertion(() => Assert.Contains("The old secret keeps working for 4 hours.", cut.Markup, StringComparison.Ordinal), Wait);
        Assert.NotNull(await keys.AuthenticateAsync(oldSecret, CancellationToken.None));
        Assert.NotNull(await keys.AuthenticateAsync(newSecret, CancellationToken.None));
        var key = await SingleKeyAsync(user.Id);
        Assert.InRange(key.PreviousSecretExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromHours(3.9), TimeSpan.FromHours(4));
    }

    [Fact]
    public async Task Revoke_asks_first_then_refuses_the_key()
    {
        var user = await SignInNewUserAsync();
        var keys = HostService<ApiKeyService>();
        var (_, secret) = await keys.CreateAsync(user.Id, "doomed", ApiKeyLimits.None, CancellationToken.None);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=revoke-key]")), Wait);

        cut.Find("[data-testid=revoke-key]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Revoke doomed?", cut.Find("[data-testid=revoke-dialog]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Null((await SingleKeyAsync(user.Id)).RevokedAt);
        cut.Find("[data-testid=confirm-revoke]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Revoked “doomed”. Requests with it are now refused.", cut.Markup, StringComparison.Ordinal), Wait);
        cut.WaitForAssertion(() => Assert.Equal("Revoked", cut.Find("[data-testid=key-status]").GetAttribute("data-status")), Wait);
        Assert.Empty(cut.FindAll("[data-testid=revoke-key]"));
        Assert.NotNull((await SingleKeyAsync(user.Id)).RevokedAt);
        Assert.Null(await keys.AuthenticateAsync(secret, CancellationToken.None));
    }

    [Fact]
    public async Task Dialogs_cannot_act_on_another_users_key()
    {
        var owner = await Host.CreateUserAsync();
        var (theirs, _) = await HostService<ApiKeyService>().CreateAsync(owner.Id, "mine", ApiKeyLimits.None, CancellationToken.None);
        await SignInNewUserAsync();
        var cut = Render<WithProviders>();
        var dialogs = Services.GetRequiredService<IDialogService>();

        await cut.InvokeAsync(() => dialogs.ShowAsync<RevokeKeyDialog>("Revoke", new DialogParameters<RevokeKeyDialog> { { d => d.Key, theirs } }));
        cut.Find("[data-testid=confirm-revoke]").Click();
        cut.WaitForAssertion(() => Assert.Contains("does not exist", cut.Find("[data-testid=revoke-problem]").TextContent, StringComparison.Ordinal), Wait);

        await cut.InvokeAsync(() => dialogs.ShowAsync<KeyEditorDialog>("Edit", new DialogParameters<KeyEditorDialog> { { d => d.Editing, theirs } }));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=key-form]")), Wait);
        cut.Find("[data-testid=key-name-input]").Input("hijacked");
        cut.Find("[data-testid=key-save]").Click();
        cut.WaitForAssertion(() => Assert.Contains("does not exist", cut.Find("[data-testid=key-form-problem]").TextContent, StringComparison.Ordinal), Wait);

        var stored = await SingleKeyAsync(owner.Id);
        Assert.Equal("mine", stored.Name);
        Assert.Null(stored.RevokedAt);
    }

    [Fact]
    public async Task Last_used_refreshes_on_its_own_while_the_page_is_open()
    {
        var user = await SignInNewUserAsync();
        var (_, secret) = await HostService<ApiKeyService>().CreateAsync(user.Id, "busy", ApiKeyLimits.None, CancellationToken.None);
        var cut = RenderPage(TimeSpan.FromMilliseconds(200));
        cut.WaitForAssertion(() => Assert.Equal("Never", cut.Find("[data-testid=key-last-used]").TextContent), Wait);

        Assert.NotNull(await HostService<ApiKeyService>().AuthenticateAsync(secret, CancellationToken.None));

        cut.WaitForAssertion(() => Assert.Equal("Just now", cut.Find("[data-testid=key-last-used]").TextContent), Wait);
    }

    private IRenderedComponent<WithProviders> RenderPage(TimeSpan? refresh = null) =>
        Render<WithProviders>(p => p.AddChildContent<ApiKeysPage>(page => page.Add(x => x.RefreshInterval, refresh ?? TimeSpan.FromMinutes(10))));

    private static List<string> Names(IRenderedComponent<WithProviders> cut) =>
        cut.FindAll("[data-testid=key-name]").Select(e => e.TextContent.Trim()).ToList();

    /// <summary>Reads the secret from the show-once dialog, confirms and closes it.</summary>
    private static string ReadSecretAndClose(IRenderedComponent<WithProviders> cut)
    {
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=secret-dialog]")), Wait);
        var secret = cut.Find("[data-testid=secret]").GetAttribute("value")!;
        cut.Find("[data-testid=secret-stored]").Change(true);
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=secret-done]").HasAttribute("disabled")), Wait);
        cut.Find("[data-testid=secret-done]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=secret-dialog]")), Wait);
        return secret;
    }

    private static IEnumerable<object?> FieldsOf(object component) =>
        component.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).Select(f => f.GetValue(component));

    private async Task<int> KeyCountAsync(string userId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().ApiKeys.CountAsync(k => k.UserId == userId);
    }

    private async Task<ApiKey> SingleKeyAsync(string userId)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AkashDbContext>().ApiKeys.AsNoTracking().SingleAsync(k => k.UserId == userId);
    }
}
