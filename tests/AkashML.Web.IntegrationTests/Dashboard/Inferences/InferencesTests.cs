using System.Net;
using AkashML.Data;
using AkashML.Data.Inferences;
using AkashML.Web.Inferences;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Dashboard.Inferences;

public sealed class InferencesTests(DashboardHost fixture) : IClassFixture<DashboardHost>
{
    [Fact]
    public async Task A_request_is_found_by_its_Inference_Id_only_by_its_owner()
    {
        var user = await fixture.SignInNewUserAsync(creditMicros: 5_000_000);
        var (_, secret) = await DashboardHost.CreateKeyAsync(user.Browser, "lookup-key");
        using var response = await fixture.CompleteAsync(secret, "find me later", maxTokens: 3);
        var id = response.Headers.GetValues("Inference-Id").Single();

        var lookup = await user.Browser.GetAsync("inferences/lookup?id=" + Uri.EscapeDataString(" " + id + " "));
        // The look-up redirects to the request's own page (the real-HTTP client follows redirects itself).
        Assert.Contains($"data-testid=\"inference-id\">{id}<", lookup.Html, StringComparison.Ordinal);
        Assert.Contains("lookup-key", lookup.Text, StringComparison.Ordinal);
        Assert.Contains(DashboardHost.Model, lookup.Text, StringComparison.Ordinal);
        Assert.Contains("\"max_tokens\":3", lookup.Text, StringComparison.Ordinal);
        Assert.Contains("\"temperature\":0.5", lookup.Text, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"payload-absent\"", lookup.Html, StringComparison.Ordinal);

        var list = await user.Browser.GetAsync("inferences");
        Assert.Contains(id, list.Html, StringComparison.Ordinal);

        var stranger = await fixture.SignInNewUserAsync();
        var theirs = await stranger.Browser.GetAsync("inferences/lookup?id=" + id);
        Assert.Contains("No request with this id in your account", theirs.Text, StringComparison.Ordinal);
        var direct = await stranger.Browser.GetAsync("inferences/" + id);
        Assert.Contains("data-testid=\"inference-not-found\"", direct.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("lookup-key", direct.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_are_listed_with_their_message()
    {
        var user = await fixture.SignInNewUserAsync(creditMicros: 5_000_000);
        var (_, secret) = await DashboardHost.CreateKeyAsync(user.Browser, "errors");
        using var response = await fixture.CompleteAsync(secret, "hi", model: "no/such-model");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var id = response.Headers.GetValues("Inference-Id").Single();
        var errors = await user.Browser.GetAsync("inferences?status=error");
        Assert.Contains(id, errors.Html, StringComparison.Ordinal);
        var detail = await user.Browser.GetAsync("inferences/" + id);
        Assert.Contains("no/such-model", detail.Text, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"inference-error\"", detail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_off_keeps_nothing_on_keeps_prompt_and_output_and_expired_rows_are_purged()
    {
        var user = await fixture.SignInNewUserAsync(creditMicros: 5_000_000);
        var (_, secret) = await DashboardHost.CreateKeyAsync(user.Browser, "retention");

        // Off (the default): only metadata.
        var page = await user.Browser.GetAsync("inferences");
        Assert.Contains("Off", Between(page.Html, "data-testid=\"retention-state\">", "<"), StringComparison.Ordinal);
        using (var off = await fixture.CompleteAsync(secret, "secret-prompt-off"))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        Assert.Equal(0, await PayloadCountAsync(user.UserId));

        // Bad input: zero days is refused and nothing is saved.
        var refused = await user.Browser.SubmitAsync(page, "retention", new Dictionary<string, string> { ["Retention.Enabled"] = "true", ["Retention.Days"] = "0" });
        Assert.Contains("Enter a number of days from 1 to 90", refused.Text, StringComparison.Ordinal);
        Assert.Null(await DaysAsync(user.UserId));

        var on = await user.Browser.SubmitAsync(page, "retention", new Dictionary<string, string> { ["Retention.Enabled"] = "true", ["Retention.Days"] = "3" });
        Assert.Contains("Retention is on", on.Text, StringComparison.Ordinal);
        Assert.Equal(3, await DaysAsync(user.UserId));

        string id;
        using (var kept = await fixture.CompleteAsync(secret, "secret-prompt-on", maxTokens: 6))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
            id = kept.Headers.GetValues("Inference-Id").Single();
        }

        await fixture.Host.FlushUsageAsync();
        var payload = await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().InferencePayloads.AsNoTracking().SingleAsync(p => p.UserId == user.UserId));
        Assert.Equal(id, payload.InferenceId);
        Assert.Contains("secret-prompt-on", payload.RequestJson, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(payload.OutputText));
        Assert.Equal(3, (payload.ExpiresAt - payload.CreatedAt).TotalDays, precision: 3);
        var detail = await user.Browser.GetAsync("inferences/" + id);
        Assert.Contains("secret-prompt-on", detail.Text, StringComparison.Ordinal);

        // The purge removes what has expired and nothing else.
        await fixture.Host.WithServicesAsync(async sp =>
        {
            var db = sp.GetRequiredService<AkashDbContext>();
            db.InferencePayloads.Add(new InferencePayload
            {
                InferenceId = "inf-expired-" + Guid.NewGuid().ToString("N"),
                UserId = user.UserId,
                RequestJson = "{}",
                CreatedAt = DateTimeOffset.UtcNow.AddDays(-10),
                ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            });
            return await db.SaveChangesAsync();
        });
        Assert.Equal(2, await PayloadCountAsync(user.UserId));
        var purged = await fixture.Host.Services.GetRequiredService<InferencePayloadPurger>().PurgeAsync(CancellationToken.None);
        Assert.True(purged >= 1);
        Assert.Equal(id, (await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().InferencePayloads.AsNoTracking().SingleAsync(p => p.UserId == user.UserId))).InferenceId);

        // Turning retention off (the checkbox unticked) deletes what was kept.
        page = await user.Browser.GetAsync("inferences");
        var form = page.Form("retention");
        Assert.Equal("true", form.Fields["Retention.Enabled"]);
        var unticked = form.Fields.Where(f => f.Key != "Retention.Enabled").ToDictionary(f => f.Key, f => f.Value);
        var offAgain = await user.Browser.PostRawAsync("inferences", unticked);
        Assert.Contains("Retention is off", offAgain.Text, StringComparison.Ordinal);
        Assert.Null(await DaysAsync(user.UserId));
        Assert.Equal(0, await PayloadCountAsync(user.UserId));
    }

    private async Task<int> PayloadCountAsync(string userId)
    {
        await fixture.Host.FlushUsageAsync();
        return await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().InferencePayloads.CountAsync(p => p.UserId == userId));
    }

    private Task<int?> DaysAsync(string userId) =>
        fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().InferenceRetention.Where(r => r.UserId == userId).Select(r => (int?)r.Days).FirstOrDefaultAsync());

    private static string Between(string text, string start, string end)
    {
        var i = text.IndexOf(start, StringComparison.Ordinal);
        return i < 0 ? "" : text[(i + start.Length)..].Split(end)[0];
    }
}
