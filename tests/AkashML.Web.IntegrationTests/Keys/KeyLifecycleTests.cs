using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json.Nodes;
using AkashML.Data;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>A key's life: use, revoke, roll with a grace period, expiry, renames and limit edits.</summary>
public sealed class KeyLifecycleTests(ClockedHostPool hosts) : IClassFixture<ClockedHostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task A_revoked_key_is_refused_on_the_very_next_request_on_both_surfaces(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        using var http = host.CreateClient();
        var chat = new OpenAIClient(new ApiKeyCredential(key.Secret), new OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "v1"),
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(0),
        }).GetChatClient(KeyFlows.Model);

        var answer = await chat.CompleteChatAsync([new UserChatMessage("hello")], new ChatCompletionOptions { MaxOutputTokenCount = 1 });
        Assert.Equal(1, answer.Value.Usage.OutputTokenCount);
        var used = await KeyFlows.KeysAsync(host, k => k.FindAsync(key.Id, key.UserId, CancellationToken.None));
        Assert.Equal(clock.GetUtcNow(), used!.LastUsedAt);

        Assert.True(await KeyFlows.KeysAsync(host, k => k.RevokeAsync(key.Id, key.UserId, CancellationToken.None)));

        var refused = await Assert.ThrowsAsync<ClientResultException>(() =>
            chat.CompleteChatAsync([new UserChatMessage("hello")], new ChatCompletionOptions { MaxOutputTokenCount = 1 }));
        Assert.Equal(401, refused.Status);
        using var anthropic = new HttpRequestMessage(HttpMethod.Post, "anthropic/v1/messages")
        {
            Content = KeyFlows.Json("""{"model":"akashml/tiny-random","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}"""),
        };
        anthropic.Headers.Add("x-api-key", key.Secret);
        using var response = await http.SendAsync(anthropic);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("authentication_error", body["error"]!["type"]!.GetValue<string>());
        Assert.NotNull(KeyFlows.Header(response, "Inference-Id"));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_rolled_key_keeps_its_settings_and_its_old_secret_works_until_the_grace_period_ends(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var limits = new ApiKeyLimits(1000, 50_000, 4, clock.GetUtcNow().AddDays(30));
        var key = await KeyFlows.NewKeyAsync(host, limits, "rolling");
        using var oldClient = KeyFlows.Api(host, key.Secret);
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("v1/models")).StatusCode);

        var rolled = await KeyFlows.KeysAsync(host, k => k.RollAsync(key.Id, key.UserId, TimeSpan.FromHours(2), CancellationToken.None));
        var (stored, secret) = rolled!.Value;
        Assert.True(ApiKeySecret.HasValidShape(secret));
        Assert.NotEqual(key.Secret, secret);
        var row = await KeyFlows.KeysAsync(host, k => k.FindAsync(key.Id, key.UserId, CancellationToken.None));
        Assert.Equal(("rolling", 1000, 50_000, 4, limits.ExpiresAt), (row!.Name, row.RequestsPerMinute, row.TokensPerMinute, row.MaxConcurrency, row.ExpiresAt));
        Assert.Equal(secret[^4..], row.LastFour);
        Assert.Equal(key.Secret[^4..], row.PreviousLastFour);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromHours(2), row.PreviousSecretExpiresAt);
        Assert.Equal(key.Id, stored.Id);

        using var newClient = KeyFlows.Api(host, secret);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("v1/models")).StatusCode);

        clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("v1/models")).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await oldClient.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("v1/models")).StatusCode);

        // Rolling with no grace stops the current secret at once.
        var again = await KeyFlows.KeysAsync(host, k => k.RollAsync(key.Id, key.UserId, TimeSpan.Zero, CancellationToken.None));
        using var newest = KeyFlows.Api(host, again!.Value.Secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await newClient.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newest.GetAsync("v1/models")).StatusCode);
        Assert.Null((await KeyFlows.KeysAsync(host, k => k.FindAsync(key.Id, null, CancellationToken.None)))!.PreviousSecretHash);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Rolling_a_key_with_a_grace_period_ends_the_grace_of_the_secret_rolled_before(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        var second = await KeyFlows.KeysAsync(host, k => k.RollAsync(key.Id, null, TimeSpan.FromHours(1), CancellationToken.None));
        var third = await KeyFlows.KeysAsync(host, k => k.RollAsync(key.Id, null, TimeSpan.FromHours(1), CancellationToken.None));

        using var first = KeyFlows.Api(host, key.Secret);
        using var middle = KeyFlows.Api(host, second!.Value.Secret);
        using var last = KeyFlows.Api(host, third!.Value.Secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await middle.GetAsync("v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await last.GetAsync("v1/models")).StatusCode);
    }

    [Theory, SqliteData, PostgresData]
    public async Task An_expired_key_is_refused_and_extending_its_expiry_revives_it(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(null, null, null, clock.GetUtcNow().AddHours(1)));
        using var api = KeyFlows.Api(host, key.Secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("v1/models")).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("v1/models")).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(1));
        using var expired = await api.GetAsync("v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.DoesNotContain("expire", await expired.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        Assert.True(await KeyFlows.KeysAsync(host, k => k.UpdateLimitsAsync(key.Id, key.UserId,
            new ApiKeyLimits(null, null, null, clock.GetUtcNow().AddDays(1)), CancellationToken.None)));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("v1/models")).StatusCode);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Renames_limit_edits_and_rolls_are_validated_and_scoped_to_the_owner(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);

        var blank = await Assert.ThrowsAsync<ApiKeyValidationException>(() => KeyFlows.KeysAsync(host, k => k.RenameAsync(key.Id, key.UserId, "  ", CancellationToken.None)));
        Assert.Equal(["name is required"], blank.Problems);
        var tooLong = await Assert.ThrowsAsync<ApiKeyValidationException>(() => KeyFlows.KeysAsync(host, k => k.RenameAsync(key.Id, key.UserId, new string('n', 101), CancellationToken.None)));
        Assert.Contains("100", tooLong.Message, StringComparison.Ordinal);
        var limits = await Assert.ThrowsAsync<ApiKeyValidationException>(() => KeyFlows.KeysAsync(host, k =>
            k.UpdateLimitsAsync(key.Id, key.UserId, new ApiKeyLimits(0, -5, 0, clock.GetUtcNow().AddSeconds(-1)), CancellationToken.None)));
        Assert.Equal(4, limits.Problems.Count);
        foreach (var grace in new[] { TimeSpan.FromHours(24.01), TimeSpan.FromSeconds(-1) })
        {
            var roll = await Assert.ThrowsAsync<ApiKeyValidationException>(() => KeyFlows.KeysAsync(host, k => k.RollAsync(key.Id, key.UserId, grace, CancellationToken.None)));
            Assert.Contains("24 hours", roll.Message, StringComparison.Ordinal);
        }

        // Another user's key, or no key at all, is simply not found.
        Assert.False(await KeyFlows.KeysAsync(host, k => k.RenameAsync(key.Id, "someone-else", "mine now", CancellationToken.None)));
        Assert.False(await KeyFlows.KeysAsync(host, k => k.UpdateLimitsAsync(Guid.NewGuid(), null, ApiKeyLimits.None, CancellationToken.None)));
        Assert.Null(await KeyFlows.KeysAsync(host, k => k.RollAsync(key.Id, "someone-else", TimeSpan.Zero, CancellationToken.None)));

        Assert.True(await KeyFlows.KeysAsync(host, k => k.RenameAsync(key.Id, key.UserId, "  production  ", CancellationToken.None)));
        Assert.True(await KeyFlows.KeysAsync(host, k => k.UpdateLimitsAsync(key.Id, key.UserId, new ApiKeyLimits(10, 20, 3, null), CancellationToken.None)));
        var row = await KeyFlows.KeysAsync(host, k => k.FindAsync(key.Id, key.UserId, CancellationToken.None));
        Assert.Equal(("production", 10, 20, 3), (row!.Name, row.RequestsPerMinute, row.TokensPerMinute, row.MaxConcurrency));
        using var api = KeyFlows.Api(host, key.Secret);
        using var limited = await api.GetAsync("v1/models");
        Assert.Equal("10", KeyFlows.Header(limited, "X-RateLimit-Limit"));

        Assert.True(await KeyFlows.KeysAsync(host, k => k.RevokeAsync(key.Id, key.UserId, CancellationToken.None)));
        var revoked = await Assert.ThrowsAsync<ApiKeyValidationException>(() => KeyFlows.KeysAsync(host, k => k.RollAsync(key.Id, key.UserId, TimeSpan.Zero, CancellationToken.None)));
        Assert.Contains("revoked", revoked.Message, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task No_table_of_the_database_holds_a_secret(DatabaseKind kind)
    {
        var (host, _) = await hosts.GetAsync(kind);
        var key = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(100, 100_000, 2, null));
        using (var api = KeyFlows.Api(host, key.Secret))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("v1/completions", KeyFlows.Json(KeyFlows.Completion(2)))).StatusCode);
        }

        var rolled = (await KeyFlows.KeysAsync(host, k => k.RollAsync(key.Id, key.UserId, TimeSpan.FromHours(1), CancellationToken.None)))!.Value.Secret;
        using (var api = KeyFlows.Api(host, rolled))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("v1/completions", KeyFlows.Json(KeyFlows.Completion(2, stream: true)))).StatusCode);
        }

        var dump = await DatabaseDump.AllRowsAsync(host);
        Assert.Contains(key.Id.ToString(), dump, StringComparison.OrdinalIgnoreCase);
        foreach (var secret in new[] { key.Secret, rolled })
        {
            foreach (var form in DatabaseDump.FormsOf(secret))
            {
                Assert.DoesNotContain(form, dump, StringComparison.OrdinalIgnoreCase);
            }
        }

        if (kind == DatabaseKind.Sqlite)
        {
            // The file itself, free pages and write-ahead log included.
            var raw = DatabaseDump.RawSqliteFiles(host);
            Assert.DoesNotContain(key.Secret[ApiKeySecret.Prefix.Length..], raw, StringComparison.Ordinal);
            Assert.DoesNotContain(rolled[ApiKeySecret.Prefix.Length..], raw, StringComparison.Ordinal);
        }

        // Only the hash is kept, and it is not the plain SHA-256 of the secret (a pepper is mixed in).
        var stored = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id));
        Assert.NotEqual(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(rolled))), stored.SecretHash);
    }
}
