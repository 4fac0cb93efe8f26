using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AkashML.Data;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>
/// Whatever is wrong with the presented key — absent from the database, revoked, expired, the wrong shape, the wrong
/// scheme, absurdly long — the caller gets the same 401, which says nothing about which it was.
/// </summary>
public sealed class KeyBadInputTests(ClockedHostPool hosts) : IClassFixture<ClockedHostPool>
{
    [Theory, SqliteData, PostgresData]
    public async Task Every_kind_of_bad_key_gets_the_same_401_on_both_surfaces(DatabaseKind kind)
    {
        var (host, clock) = await hosts.GetAsync(kind);
        var good = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        var revoked = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        await KeyFlows.KeysAsync(host, k => k.RevokeAsync(revoked.Id, null, CancellationToken.None));
        var expired = await KeyFlows.NewKeyAsync(host, new ApiKeyLimits(null, null, null, clock.GetUtcNow().AddMinutes(1)));
        clock.Advance(TimeSpan.FromMinutes(2));
        var secret = good.Secret;
        var lastChanged = secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a');
        string[] presented =
        [
            lastChanged,                                   // right shape, unknown
            "sk-ab" + secret[5..],                         // wrong prefix, right length
            secret[..^1],                                  // one character short
            secret + "x",                                  // one character long
            secret[..20] + "!" + secret[21..],            // a character outside base62
            secret.ToUpperInvariant(),                     // prefix in the wrong case
            revoked.Secret,
            expired.Secret,
            "",
            new string('a', 1_000_000),                    // a 1 MB key
        ];
        string[] authorizations =
        [
            "Bearer",
            "Bearer    ",
            "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("user:" + secret)),
            "Token " + secret,
            secret,                                        // no scheme
            "Bearer " + secret + " " + secret,
            "Bearer " + secret + "\u00e9",                 // non-ASCII
        ];

        using var api = KeyFlows.Api(host, null);
        var openAi = new List<string>();
        var anthropic = new List<string>();
        foreach (var value in presented)
        {
            openAi.Add(await RefusedAsync(api, "v1/completions", "Authorization", "Bearer " + value));
            if (value.Length > 0)
            {
                // (An empty x-api-key is no key at all: "missing" is the honest answer there.)
                anthropic.Add(await RefusedAsync(api, "anthropic/v1/messages", "x-api-key", value));
            }
        }

        foreach (var value in authorizations)
        {
            openAi.Add(await RefusedAsync(api, "v1/completions", "Authorization", value));
        }

        // Repeated Authorization headers are not a way in either.
        using (var repeated = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = KeyFlows.Json(KeyFlows.Completion(1)) })
        {
            repeated.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + lastChanged, "Bearer " + secret]);
            using var response = await api.SendAsync(repeated);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            openAi.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.True(openAi.Distinct().Count() == 1, string.Join("\n", openAi.Distinct()));
        Assert.True(anthropic.Distinct().Count() == 1, string.Join("\n", anthropic.Distinct()));
        var error = JsonNode.Parse(openAi[0])!["error"]!;
        Assert.Equal("authentication_error", error["type"]!.GetValue<string>());
        Assert.Equal("invalid_api_key", error["code"]!.GetValue<string>());
        foreach (var word in new[] { "revoked", "expired", "prefix", "length", "format", secret[5..15] })
        {
            Assert.DoesNotContain(word, openAi[0], StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(word, anthropic[0], StringComparison.OrdinalIgnoreCase);
        }

        // The good key still works, and nothing above was counted against it or recorded as its use.
        using var ok = KeyFlows.Api(host, secret);
        Assert.Equal(HttpStatusCode.OK, (await ok.PostAsync("v1/completions", KeyFlows.Json(KeyFlows.Completion(1)))).StatusCode);
        await host.FlushUsageAsync();
        var records = await host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking().CountAsync(u => u.ApiKeyId == good.Id));
        Assert.Equal(1, records);
    }

    [Theory, SqliteData]
    public async Task A_one_megabyte_header_over_a_real_socket_gets_431_and_logs_no_error(DatabaseKind kind)
    {
        var logs = new CapturedLogs();
        await using var host = await AkashWebHost.StartAsync(kind, realHttp: true, services: s => s.AddSingleton<ILoggerProvider>(logs));
        var key = await KeyFlows.NewKeyAsync(host, ApiKeyLimits.None);
        using var api = KeyFlows.Api(host, null);

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('k', 1024 * 1024));
        HttpResponseMessage? response = null;
        try
        {
            response = await api.SendAsync(request);
        }
        catch (HttpRequestException)
        {
            // Kestrel may close the connection while the client is still sending the header; that is sane too.
        }

        if (response is not null)
        {
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
            response.Dispose();
        }

        using var fine = KeyFlows.Api(host, key.Secret);
        Assert.Equal(HttpStatusCode.OK, (await fine.GetAsync("v1/models")).StatusCode);
        Assert.Empty(logs.AtLeast(LogLevel.Error));
        Assert.DoesNotContain(logs.AtLeast(LogLevel.Warning), l => l.Contains("Kestrel", StringComparison.Ordinal));
    }

    private static async Task<string> RefusedAsync(HttpClient api, string path, string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = KeyFlows.Json(path.StartsWith("anthropic", StringComparison.Ordinal)
                ? """{"model":"akashml/tiny-random","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}"""
                : KeyFlows.Completion(1)),
        };
        Assert.True(request.Headers.TryAddWithoutValidation(header, value));
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotNull(KeyFlows.Header(response, "Inference-Id"));
        return await response.Content.ReadAsStringAsync();
    }
}
