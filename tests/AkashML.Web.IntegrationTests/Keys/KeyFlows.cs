using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Data.Limits;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using AkashML.Web.Limits;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.IntegrationTests.Keys;

/// <summary>A key made for a test: its id, the secret shown once, and its owner.</summary>
public sealed record TestKey(Guid Id, string Secret, string UserId);

/// <summary>Steps key tests share: an account with credits and a key, API clients, and what the limit counters hold.</summary>
public static class KeyFlows
{
    public const string Model = "akashml/tiny-random";

    /// <summary>A fresh account with $100 of credits and one key with <paramref name="limits"/>.</summary>
    public static Task<TestKey> NewKeyAsync(AkashWebHost host, ApiKeyLimits limits, string name = "test key")
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<AccountProvisioning>()
                .CreateConfirmedUserAsync(AccountFlows.NewEmail("keys"), AccountFlows.GoodPassword, admin: false);
            await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 100_000_000, null, "key tests", null, CancellationToken.None);
            var (key, secret) = await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, name, limits, CancellationToken.None);
            return new TestKey(key.Id, secret, user.Id);
        });
    }

    /// <summary>An HTTP client for the host's API (its real port when it has one) sending <paramref name="secret"/> as a bearer token.</summary>
    public static HttpClient Api(AkashWebHost host, string? secret)
    {
        ArgumentNullException.ThrowIfNull(host);
        var client = host.RealAddress is { } address
            ? new HttpClient { BaseAddress = address }
            // No redirect handler: it would buffer request bodies, and tests stream some.
            : host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.Timeout = TimeSpan.FromSeconds(60);
        if (secret is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        return client;
    }

    public static T Service<T>(AkashWebHost host)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Services.GetRequiredService<T>();
    }

    public static Task<T> KeysAsync<T>(AkashWebHost host, Func<ApiKeyService, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.WithServicesAsync(sp => action(sp.GetRequiredService<ApiKeyService>()));
    }

    /// <summary>How many of the key's concurrency slots are taken.</summary>
    public static async Task<int> InFlightAsync(AkashWebHost host, Guid keyId) =>
        await Service<KeyLimiter>(host).InFlightAsync(keyId, CancellationToken.None);

    /// <summary>The key's window of <paramref name="kind"/> as the host's clock sees it now.</summary>
    public static async Task<WindowState> WindowAsync(AkashWebHost host, Guid keyId, RateLimitKind kind)
    {
        var minute = SlidingWindow.Position(Service<TimeProvider>(host).GetUtcNow()).Minute;
        return await Service<ILimitCounters>(host).PeekAsync(keyId, kind, minute, CancellationToken.None);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> of the sends have answered and returns those; fails when they have not within
    /// <paramref name="within"/> (a guard against a hang, not a measurement).
    /// </summary>
    public static async Task<List<Task<HttpResponseMessage>>> FirstAnswersAsync(IReadOnlyList<Task<HttpResponseMessage>> sends, int count, TimeSpan within)
    {
        ArgumentNullException.ThrowIfNull(sends);
        var pending = sends.ToList();
        var answered = new List<Task<HttpResponseMessage>>();
        using var timeout = new CancellationTokenSource(within);
        while (answered.Count < count)
        {
            try
            {
                var next = await Task.WhenAny(pending).WaitAsync(timeout.Token);
                pending.Remove(next);
                answered.Add(next);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                Assert.Fail($"only {answered.Count} of {count} answers arrived within {within.TotalSeconds} s");
            }
        }

        return answered;
    }

    /// <summary>Waits (at most <paramref name="within"/>) until the key has no request in flight; returns the last count seen.</summary>
    public static async Task<int> WaitForNoneInFlightAsync(AkashWebHost host, Guid keyId, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        int inFlight;
        while ((inFlight = await InFlightAsync(host, keyId)) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return inFlight;
    }

    /// <summary>A <c>/v1/completions</c> body.</summary>
    public static string Completion(int maxTokens, bool stream = false, string prompt = "Hello there") => new JsonObject
    {
        ["model"] = Model,
        ["prompt"] = prompt,
        ["max_tokens"] = maxTokens,
        ["stream"] = stream,
        ["stream_options"] = stream ? new JsonObject { ["include_usage"] = true } : null,
    }.ToJsonString();

    public static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    /// <summary>The value of a response header, or null.</summary>
    public static string? Header(HttpResponseMessage response, string name)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
    }
}
