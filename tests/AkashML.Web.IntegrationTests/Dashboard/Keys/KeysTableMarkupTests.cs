using System.Text.RegularExpressions;
using AkashML.Data.Keys;
using AkashML.Web.Components.Pages.Keys;

namespace AkashML.Web.IntegrationTests.Dashboard.Keys;

public sealed partial class KeysTableMarkupTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Each_key_shows_prefix_and_last_four_its_limits_and_a_status_and_never_its_hash()
    {
        var keys = new[]
        {
            Key("active", expires: null, rpm: 60, tpm: 120_000, concurrency: 2),
            Key("soon", expires: Now.AddDays(6)),
            Key("later", expires: Now.AddDays(8)),
            Key("expired", expires: Now.AddMinutes(-1)),
            Key("revoked", expires: null, revoked: Now.AddDays(-1)),
        };
        var html = await MarkupRenderer.RenderDecodedAsync<KeysTable>(new Dictionary<string, object?> { ["Keys"] = keys, ["Now"] = Now });

        var statuses = StatusRow().Matches(html).ToDictionary(m => m.Groups["id"].Value, m => m.Groups["status"].Value);
        Assert.Equal("Active", statuses[keys[0].Id.ToString()]);
        Assert.Equal("ExpiringSoon", statuses[keys[1].Id.ToString()]);
        Assert.Equal("Active", statuses[keys[2].Id.ToString()]);
        Assert.Equal("Expired", statuses[keys[3].Id.ToString()]);
        Assert.Equal("Revoked", statuses[keys[4].Id.ToString()]);
        Assert.Contains(">Expiring soon<", html, StringComparison.Ordinal);
        foreach (var key in keys)
        {
            Assert.Contains("akml-…" + key.LastFour, html, StringComparison.Ordinal);
            Assert.DoesNotContain(key.SecretHash, html, StringComparison.Ordinal);
        }

        Assert.Contains("60 req/min · 120k tokens/min · 2 concurrent", html, StringComparison.Ordinal);
        Assert.Contains("No limits", html, StringComparison.Ordinal);
        Assert.Contains("2026-11-28 12:00", html, StringComparison.Ordinal);
        Assert.Contains("Never", html, StringComparison.Ordinal);

        // Revoked keys offer no actions but their usage; the others can be edited, rolled and revoked.
        Assert.DoesNotContain($"keys?revoke={keys[4].Id}", html, StringComparison.Ordinal);
        Assert.Contains($"keys?revoke={keys[0].Id}", html, StringComparison.Ordinal);
        Assert.Contains($"keys?roll={keys[1].Id}", html, StringComparison.Ordinal);
        Assert.Contains($"usage?key={keys[4].Id}", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Revoke active\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_keys_renders_an_invitation_instead_of_an_empty_table()
    {
        var html = await MarkupRenderer.RenderDecodedAsync<KeysTable>(new Dictionary<string, object?> { ["Keys"] = Array.Empty<ApiKey>(), ["Now"] = Now });
        Assert.Contains("data-testid=\"keys-empty\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<table", html, StringComparison.Ordinal);
    }

    private static ApiKey Key(string name, DateTimeOffset? expires, int? rpm = null, int? tpm = null, int? concurrency = null, DateTimeOffset? revoked = null)
    {
        var secret = Web.Keys.ApiKeySecret.Generate();
        return new ApiKey
        {
            UserId = "u",
            Name = name,
            SecretHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret))),
            Prefix = "akml-",
            LastFour = secret[^4..],
            RequestsPerMinute = rpm,
            TokensPerMinute = tpm,
            MaxConcurrency = concurrency,
            ExpiresAt = expires,
            RevokedAt = revoked,
            CreatedAt = Now.AddDays(-30),
        };
    }

    [GeneratedRegex(@"data-key-id=""(?<id>[^""]+)"" data-status=""(?<status>[^""]+)""")]
    private static partial Regex StatusRow();
}
