using System.Net;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// API key secrets never reach the logs, whatever happens to a request: served, refused, rolled, revoked, malformed,
/// failing. The host logs at every level here (Trace), so nothing hides behind a filter.
/// </summary>
public sealed class SecretLoggingTests
{
    [Theory, SqliteData, PostgresData]
    public async Task No_secret_appears_in_any_log_line(DatabaseKind kind)
    {
        var logs = new CapturedLogs();
        await using var host = await AkashWebHost.StartAsync(kind, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        }, realHttp: true, services: s => s.AddSingleton<ILoggerProvider>(logs));
        var key = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        var secrets = new List<string> { key.Secret };

        using (var api = KeyFlows.Api(host, key.Secret))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("v1/completions", KeyFlows.Json(KeyFlows.Completion(2)))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("v1/completions", KeyFlows.Json(KeyFlows.Completion(2, stream: true)))).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("v1/completions", KeyFlows.Json("{\"model\":7}"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync("v1/completions", KeyFlows.Json("""{"model":"nobody/none","prompt":"x"}"""))).StatusCode);
        }

        var rolled = await KeyFlows.KeysAsync(host, keys => keys.RollAsync(key.Id, key.UserId, TimeSpan.Zero, CancellationToken.None));
        secrets.Add(rolled!.Value.Secret);
        using (var old = KeyFlows.Api(host, key.Secret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("v1/models")).StatusCode);
        }

        using (var current = KeyFlows.Api(host, rolled.Value.Secret))
        {
            Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("v1/models")).StatusCode);
            Assert.True(await KeyFlows.KeysAsync(host, keys => keys.RevokeAsync(rolled.Value.Key.Id, key.UserId, CancellationToken.None)));
            Assert.Equal(HttpStatusCode.Unauthorized, (await current.GetAsync("v1/models")).StatusCode);
        }

        // A near miss of a real secret, and the secret sent the Anthropic way and in a malformed header.
        var nearMiss = rolled.Value.Secret[..^2] + "zz";
        secrets.Add(nearMiss);
        using (var wrong = KeyFlows.Api(host, nearMiss))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("v1/models")).StatusCode);
        }

        using var anonymous = KeyFlows.Api(host, null);
        using (var anthropic = new HttpRequestMessage(HttpMethod.Get, "anthropic/v1/models"))
        {
            anthropic.Headers.TryAddWithoutValidation("x-api-key", rolled.Value.Secret);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(anthropic)).StatusCode);
        }

        using (var malformed = new HttpRequestMessage(HttpMethod.Get, "v1/models"))
        {
            malformed.Headers.TryAddWithoutValidation("Authorization", "Token " + key.Secret);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(malformed)).StatusCode);
        }

        await host.FlushUsageAsync();
        var lines = logs.Entries.Select(e => $"{e.Category}: {e.Message} {e.Exception}").ToList();
        Assert.True(lines.Count > 20, "the host should have logged at Trace level: " + lines.Count);
        foreach (var secret in secrets)
        {
            // The secret's private part: what follows the public prefix a key list shows.
            var hidden = secret[^24..];
            Assert.DoesNotContain(lines, line => line.Contains(hidden, StringComparison.Ordinal));
        }
    }
}
