using System.ClientModel;
using System.Net;
using AkashML.Data;
using AkashML.Data.Keys;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Dashboard.Keys;

public sealed class KeysPageTests(DashboardHost fixture) : IClassFixture<DashboardHost>
{
    [Fact]
    public async Task A_key_created_on_the_page_is_shown_once_never_stored_and_works_with_the_OpenAI_SDK()
    {
        var user = await fixture.SignInNewUserAsync(creditMicros: 5_000_000);
        var (created, secret) = await DashboardHost.CreateKeyAsync(user.Browser, "sdk-app");

        Assert.Contains("It will never be shown again", created.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, created.Url.ToString(), StringComparison.Ordinal);
        var last4 = secret[^4..];

        // A second visit shows the key only as prefix + last four.
        var again = await user.Browser.GetAsync("keys");
        Assert.DoesNotContain(secret, again.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"secret-panel\"", again.Html, StringComparison.Ordinal);
        Assert.Contains("akml-…" + last4, again.Text, StringComparison.Ordinal);

        // The database holds a hash and the last four characters, never the secret.
        var key = await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().ApiKeys.AsNoTracking().SingleAsync(k => k.UserId == user.UserId));
        Assert.Equal(last4, key.LastFour);
        Assert.DoesNotContain(secret[5..], key.SecretHash, StringComparison.Ordinal);
        Assert.Equal(64, key.SecretHash.Length);
        var everything = await fixture.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            return string.Join('|', await db.ApiKeys.AsNoTracking().Select(k => k.Name + k.SecretHash + k.Prefix + k.LastFour + k.PreviousSecretHash).ToListAsync());
        });
        Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);

        var chat = fixture.OpenAi(secret).GetChatClient(DashboardHost.Model);
        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Hello from the keys page")], new ChatCompletionOptions { MaxOutputTokenCount = 4 });
        Assert.True(completion.Usage.OutputTokenCount > 0);

        var wrong = await Assert.ThrowsAsync<ClientResultException>(() =>
            fixture.OpenAi(secret[..^4] + (last4 == "AAAA" ? "BBBB" : "AAAA")).GetChatClient(DashboardHost.Model).CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, wrong.Status);
    }

    [Fact]
    public async Task Bad_input_is_reported_beside_each_field_and_saves_nothing()
    {
        var user = await fixture.SignInNewUserAsync();
        var page = await user.Browser.GetAsync("keys");
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var result = await user.Browser.SubmitAsync(page, "create-key", new Dictionary<string, string>
        {
            ["Create.Name"] = "   ",
            ["Create.RequestsPerMinute"] = "-5",
            ["Create.TokensPerMinute"] = "lots",
            ["Create.MaxConcurrency"] = "0",
            ["Create.ExpiresOn"] = yesterday,
        });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Contains("Give the key a name", result.Text, StringComparison.Ordinal);
        Assert.Contains("Requests per minute must be a positive number", result.Text, StringComparison.Ordinal);
        Assert.Contains("Tokens per minute must be a whole number", result.Text, StringComparison.Ordinal);
        Assert.Contains("Concurrent requests must be a positive number", result.Text, StringComparison.Ordinal);
        Assert.Contains("The expiry date must be in the future", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"secret-panel\"", result.Html, StringComparison.Ordinal);
        // What was typed stays in the form.
        Assert.Contains("value=\"lots\"", result.Html, StringComparison.Ordinal);
        Assert.Equal(0, await KeyCountAsync(user.UserId));

        // A good name with one bad limit still saves nothing.
        var again = await user.Browser.SubmitAsync(result, "create-key", new Dictionary<string, string>
        {
            ["Create.Name"] = "ok-name",
            ["Create.RequestsPerMinute"] = "-1",
            ["Create.TokensPerMinute"] = "",
            ["Create.MaxConcurrency"] = "",
            ["Create.ExpiresOn"] = "",
        });
        Assert.Contains("Requests per minute must be a positive number", again.Text, StringComparison.Ordinal);
        Assert.Equal(0, await KeyCountAsync(user.UserId));
    }

    [Fact]
    public async Task Rename_edit_limits_roll_and_revoke_through_the_forms()
    {
        var user = await fixture.SignInNewUserAsync(creditMicros: 5_000_000);
        var expires = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var (_, secret) = await DashboardHost.CreateKeyAsync(user.Browser, "first-name", new Dictionary<string, string>
        {
            ["Create.RequestsPerMinute"] = "60",
            ["Create.ExpiresOn"] = expires,
        });
        var key = await SingleKeyAsync(user.UserId);
        Assert.Equal(60, key.RequestsPerMinute);
        var list = await user.Browser.GetAsync("keys");
        Assert.Contains("Expiring soon", list.Text, StringComparison.Ordinal);
        Assert.Contains("60 req/min", list.Text, StringComparison.Ordinal);

        // Rename; an empty name is refused inline.
        var edit = await user.Browser.GetAsync($"keys?edit={key.Id}");
        var refused = await user.Browser.SubmitAsync(edit, "rename-key", new Dictionary<string, string> { ["Rename.Name"] = "" });
        Assert.Contains("Give the key a name", refused.Text, StringComparison.Ordinal);
        Assert.Equal("first-name", (await SingleKeyAsync(user.UserId)).Name);
        var renamed = await user.Browser.SubmitAsync(edit, "rename-key", new Dictionary<string, string> { ["Rename.Name"] = "second-name" });
        Assert.Contains("Renamed the key to “second-name”", renamed.Text, StringComparison.Ordinal);
        Assert.Equal("second-name", (await SingleKeyAsync(user.UserId)).Name);

        // Limits: a negative value is refused and nothing changes; then new limits and no expiry.
        edit = await user.Browser.GetAsync($"keys?edit={key.Id}");
        var badLimits = await user.Browser.SubmitAsync(edit, "edit-limits", new Dictionary<string, string> { ["Limits.TokensPerMinute"] = "-100" });
        Assert.Contains("Tokens per minute must be a positive number", badLimits.Text, StringComparison.Ordinal);
        Assert.Null((await SingleKeyAsync(user.UserId)).TokensPerMinute);
        var saved = await user.Browser.SubmitAsync(edit, "edit-limits", new Dictionary<string, string>
        {
            ["Limits.RequestsPerMinute"] = "120",
            ["Limits.TokensPerMinute"] = "50000",
            ["Limits.MaxConcurrency"] = "3",
            ["Limits.ExpiresOn"] = "",
        });
        Assert.Contains("Saved the limits", saved.Text, StringComparison.Ordinal);
        var limited = await SingleKeyAsync(user.UserId);
        Assert.Equal((120, 50000, 3), (limited.RequestsPerMinute!.Value, limited.TokensPerMinute!.Value, limited.MaxConcurrency!.Value));
        Assert.Null(limited.ExpiresAt);
        Assert.Contains("Active", saved.Text, StringComparison.Ordinal);

        // Roll with no grace: a new secret is shown once, the old one stops, the new one works.
        var rollPage = await user.Browser.GetAsync($"keys?roll={key.Id}");
        var rolled = await user.Browser.SubmitAsync(rollPage, "roll-key", new Dictionary<string, string> { ["Roll.GraceHours"] = "0" });
        var newSecret = System.Text.RegularExpressions.Regex.Match(rolled.Html, @"value=""(akml-[A-Za-z0-9]+)""").Groups[1].Value;
        Assert.StartsWith("akml-", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(secret, newSecret);
        Assert.Contains("never be shown again", rolled.Text, StringComparison.Ordinal);
        using (var old = await fixture.CompleteAsync(secret, "old"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        }

        using (var fresh = await fixture.CompleteAsync(newSecret, "new"))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        // A grace period outside 0–24 hours is refused.
        rollPage = await user.Browser.GetAsync($"keys?roll={key.Id}");
        var badRoll = await user.Browser.SubmitAsync(rollPage, "roll-key", new Dictionary<string, string> { ["Roll.GraceHours"] = "48" });
        Assert.Contains("between 0 and 24 hours", badRoll.Text, StringComparison.Ordinal);
        Assert.Equal(newSecret[^4..], (await SingleKeyAsync(user.UserId)).LastFour);

        // Revoke asks first, then refuses the key.
        var confirm = await user.Browser.GetAsync($"keys?revoke={key.Id}");
        Assert.Contains("Revoke “second-name”?", confirm.Text, StringComparison.Ordinal);
        Assert.Null((await SingleKeyAsync(user.UserId)).RevokedAt);
        var revoked = await user.Browser.SubmitAsync(confirm, "revoke-key");
        Assert.Contains("Revoked “second-name”", revoked.Text, StringComparison.Ordinal);
        Assert.NotNull((await SingleKeyAsync(user.UserId)).RevokedAt);
        using var after = await fixture.CompleteAsync(newSecret, "after");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Nobody_can_act_on_another_users_key()
    {
        var owner = await fixture.SignInNewUserAsync();
        await DashboardHost.CreateKeyAsync(owner.Browser, "mine");
        var key = await SingleKeyAsync(owner.UserId);

        // The intruder opens the revoke step of their own key and posts it with the owner's key id instead.
        var intruder = await fixture.SignInNewUserAsync();
        Assert.DoesNotContain("mine", (await intruder.Browser.GetAsync($"keys?edit={key.Id}")).Text, StringComparison.Ordinal);
        await DashboardHost.CreateKeyAsync(intruder.Browser, "theirs");
        var own = await SingleKeyAsync(intruder.UserId);
        var page = await intruder.Browser.GetAsync($"keys?revoke={own.Id}");
        var revokeAttempt = await intruder.Browser.SubmitAsync(page, "revoke-key", new Dictionary<string, string> { ["Revoke.Id"] = key.Id.ToString() });
        Assert.True(revokeAttempt.Text.Contains("does not exist", StringComparison.Ordinal), revokeAttempt.Status + " " + revokeAttempt.Text);
        var renameAttempt = await intruder.Browser.SubmitAsync(await intruder.Browser.GetAsync($"keys?edit={own.Id}"), "rename-key",
            new Dictionary<string, string> { ["Rename.Id"] = key.Id.ToString(), ["Rename.Name"] = "hijacked" });
        Assert.Contains("does not exist", renameAttempt.Text, StringComparison.Ordinal);
        Assert.Equal("mine", (await SingleKeyAsync(owner.UserId)).Name);
        Assert.Null((await SingleKeyAsync(intruder.UserId)).RevokedAt);
        Assert.Null((await SingleKeyAsync(owner.UserId)).RevokedAt);
    }

    [Fact]
    public async Task Signed_out_visitors_get_the_sign_in_form_and_no_keys()
    {
        using var browser = fixture.Host.NewBrowser();
        foreach (var path in new[] { "keys", "usage", "inferences" })
        {
            var page = await browser.GetAsync(path);
            Assert.Contains("Sign in to AkashML", page.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("Your keys", page.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("Recent requests", page.Text, StringComparison.Ordinal);
        }
    }

    private Task<int> KeyCountAsync(string userId) =>
        fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().ApiKeys.CountAsync(k => k.UserId == userId));

    private Task<ApiKey> SingleKeyAsync(string userId) =>
        fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().ApiKeys.AsNoTracking().SingleAsync(k => k.UserId == userId));
}
