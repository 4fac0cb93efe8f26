using System.Net;
using AkashML.Data;
using AkashML.Data.Inferences;
using AkashML.Web.Inferences;
using AkashML.Web.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using AkashML.Web.IntegrationTests.Dashboard.Usage;
using AkashML.Web.Usage;

namespace AkashML.Web.IntegrationTests.Dashboard.Inferences;

/// <summary>
/// Inferences over real HTTP and the real services: the look-up endpoint, what a request's record keeps, and retention
/// (the pages themselves are covered by the bunit tests in AkashML.Web.Components.Tests).
/// </summary>
public sealed class InferencesTests(DashboardHost fixture) : IClassFixture<DashboardHost>
{
    [Fact]
    public async Task A_request_is_found_by_its_Inference_Id_only_by_its_owner()
    {
        var user = await UsageAccounts.NewAsync(fixture, creditMicros: 5_000_000);
        var secret = await CreateKeyAsync(user.UserId, "lookup-key");
        using var response = await fixture.CompleteAsync(secret, "find me later", maxTokens: 3);
        var id = response.Headers.GetValues("Inference-Id").Single();

        // The look-up form's endpoint redirects to the request's own page (trimming what was pasted around the id).
        using var lookup = await user.Browser.SendOnceAsync(HttpMethod.Get, new Uri(fixture.BaseAddress, "inferences/lookup?id=" + Uri.EscapeDataString(" " + id + " ")));
        var landed = lookup.StatusCode == HttpStatusCode.Redirect ? lookup.Headers.Location?.OriginalString : lookup.RequestMessage?.RequestUri?.AbsolutePath;
        Assert.Equal("/inferences/" + id, landed);

        var queries = fixture.Host.Services.GetRequiredService<InferenceQueries>();
        var detail = await queries.FindAsync(user.UserId, " " + id + " ", CancellationToken.None);
        Assert.NotNull(detail);
        Assert.Equal("lookup-key", detail.KeyName);
        Assert.Equal(DashboardHost.Model, detail.Record.Model);
        Assert.Contains("\"max_tokens\":3", detail.Record.Parameters, StringComparison.Ordinal);
        Assert.Contains("\"temperature\":0.5", detail.Record.Parameters, StringComparison.Ordinal);
        Assert.Null(detail.Payload);
        Assert.Contains((await queries.RowsAsync(user.UserId, null, Web.Usage.UsageSort.Time, true, 0, 50, CancellationToken.None)).Rows, r => r.InferenceId == id);

        // Someone else's id reads exactly like an unknown one.
        var stranger = await UsageAccounts.NewAsync(fixture);
        Assert.Null(await queries.FindAsync(stranger.UserId, id, CancellationToken.None));
        Assert.Empty((await queries.RowsAsync(stranger.UserId, null, Web.Usage.UsageSort.Time, true, 0, 50, CancellationToken.None)).Rows);
    }

    [Fact]
    public async Task Errors_are_listed_with_their_message()
    {
        var user = await UsageAccounts.NewAsync(fixture, creditMicros: 5_000_000);
        var secret = await CreateKeyAsync(user.UserId, "errors");
        using var response = await fixture.CompleteAsync(secret, "hi", model: "no/such-model");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var id = response.Headers.GetValues("Inference-Id").Single();
        var queries = fixture.Host.Services.GetRequiredService<InferenceQueries>();
        var errors = await queries.RowsAsync(user.UserId, "error", Web.Usage.UsageSort.Time, true, 0, 50, CancellationToken.None);
        Assert.Equal(id, Assert.Single(errors.Rows).InferenceId);
        Assert.Equal(1, errors.Total);
        var detail = await queries.FindAsync(user.UserId, id, CancellationToken.None);
        Assert.Contains("no/such-model", detail!.Record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_off_keeps_nothing_on_keeps_prompt_and_output_and_expired_rows_are_purged()
    {
        var user = await UsageAccounts.NewAsync(fixture, creditMicros: 5_000_000);
        var secret = await CreateKeyAsync(user.UserId, "retention");
        var settings = fixture.Host.Services.GetRequiredService<InferenceRetentionSettings>();

        // Off (the default): only metadata.
        Assert.Null(await settings.GetDaysAsync(user.UserId, CancellationToken.None));
        using (var off = await fixture.CompleteAsync(secret, "secret-prompt-off"))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        Assert.Equal(0, await PayloadCountAsync(user.UserId));

        // Out-of-range days are refused by the service too (the form says so beside the field).
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => settings.SetAsync(user.UserId, 0, CancellationToken.None));
        Assert.Null(await DaysAsync(user.UserId));

        await settings.SetAsync(user.UserId, 3, CancellationToken.None);
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
        var detail = await fixture.Host.Services.GetRequiredService<InferenceQueries>().FindAsync(user.UserId, id, CancellationToken.None);
        Assert.Contains("secret-prompt-on", detail!.Payload!.RequestJson, StringComparison.Ordinal);

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

        // Turning retention off deletes what was kept.
        await settings.SetAsync(user.UserId, null, CancellationToken.None);
        Assert.Null(await DaysAsync(user.UserId));
        Assert.Equal(0, await PayloadCountAsync(user.UserId));
    }

    private async Task<string> CreateKeyAsync(string userId, string name) =>
        (await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().CreateAsync(userId, name, ApiKeyLimits.None, CancellationToken.None))).Secret;

    private async Task<int> PayloadCountAsync(string userId)
    {
        await fixture.Host.FlushUsageAsync();
        return await fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().InferencePayloads.CountAsync(p => p.UserId == userId));
    }

    private Task<int?> DaysAsync(string userId) =>
        fixture.Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().InferenceRetention.Where(r => r.UserId == userId).Select(r => (int?)r.Days).FirstOrDefaultAsync());
}
