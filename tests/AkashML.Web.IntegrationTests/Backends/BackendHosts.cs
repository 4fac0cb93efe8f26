using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Usage;
using AkashML.Web.Accounts;
using AkashML.Web.Backends;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>One AkashML host (real HTTP on 127.0.0.1) with an account that has credits and a key.</summary>
public sealed class KeyedHost(AkashWebHost host, string userId, string apiKey) : IAsyncDisposable
{
    public const string Model = "akashml/tiny-random";

    public AkashWebHost Host { get; } = host;

    public string UserId { get; } = userId;

    public string ApiKey { get; } = apiKey;

    public Uri BaseAddress => Host.RealAddress!;

    /// <summary>Starts a host on a fresh <paramref name="kind"/> database with <paramref name="settings"/>.</summary>
    public static async Task<KeyedHost> StartAsync(DatabaseKind kind, IReadOnlyDictionary<string, string?> settings)
    {
        var combined = new Dictionary<string, string?>(settings) { [$"Models:Entries:{Model}:MaxOutputTokens"] = "8192" };
        var host = await AkashWebHost.StartAsync(kind, combined, realHttp: true);
        var (userId, key) = await host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync($"backends-{Guid.NewGuid():N}@example.test", "Passw0rd!api", admin: false);
            var (_, secret) = await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "backends", ApiKeyLimits.None, CancellationToken.None);
            await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 100_000_000, null, "backend tests", null, CancellationToken.None);
            return (user.Id, secret);
        });
        return new KeyedHost(host, userId, key);
    }

    /// <summary>Settings that give <see cref="Model"/> these backends, with quick health checks.</summary>
    public static Dictionary<string, string?> Backends(params (string Kind, string? BaseUrl, string? ApiKey, int MaxInFlight, int MaxQueue, bool Enabled)[] entries)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Backends:HealthCheck:Interval"] = "00:00:00.200",
            ["Backends:HealthCheck:Timeout"] = "00:00:02",
            ["Backends:HealthCheck:UnhealthyThreshold"] = "1",
            ["Backends:HealthCheck:HealthyThreshold"] = "1",
        };
        for (var i = 0; i < entries.Length; i++)
        {
            var prefix = $"Backends:Models:{Model}:{i}:";
            settings[prefix + "Kind"] = entries[i].Kind;
            if (entries[i].BaseUrl is { } baseUrl)
            {
                settings[prefix + "BaseUrl"] = baseUrl;
                settings[prefix + "UpstreamModel"] = Model;
                settings[prefix + "ApiKey"] = entries[i].ApiKey ?? "";
            }

            settings[prefix + "MaxInFlight"] = entries[i].MaxInFlight.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "MaxQueue"] = entries[i].MaxQueue.ToString(CultureInfo.InvariantCulture);
            settings[prefix + "Enabled"] = entries[i].Enabled ? "true" : "false";
        }

        return settings;
    }

    /// <summary>An http URL on 127.0.0.1 where nothing listens (a port just released).</summary>
    public static string ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/v1";
    }

    public string ApiBase => new Uri(BaseAddress, "v1").ToString().TrimEnd('/');

    public BackendPool Pool => Host.Services.GetRequiredService<BackendRouter>().Find(Model)!;

    public OpenAIClient OpenAi() => SdkClients.OpenAi(BaseAddress, ApiKey);

    public HttpClient Http()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    public async Task<long> BalanceMicrosAsync() =>
        (await Host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(UserId, CancellationToken.None))).UsableMicros;

    /// <summary>How many usage records this host's account has (written ones).</summary>
    public Task<int> UsageCountAsync() =>
        Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.CountAsync(u => u.UserId == UserId));

    /// <summary>
    /// The newest usage record once the account has more than <paramref name="before"/>: a streamed call hands its
    /// record over after the caller read the end, so the newest one may not exist yet when the response is done.
    /// </summary>
    public async Task<UsageRecord> NextUsageAsync(int before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await Host.FlushUsageAsync();
            if (await UsageCountAsync() > before || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(20);
        }

        return await Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking()
            .Where(u => u.UserId == UserId).OrderByDescending(u => u.InferenceId).FirstAsync());
    }

    public async Task<UsageRecord?> UsageAsync(string inferenceId)
    {
        await Host.FlushUsageAsync();
        return await Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking().SingleOrDefaultAsync(u => u.InferenceId == inferenceId));
    }

    /// <summary>Waits (up to a minute) for a condition that background work makes true, such as a health check's verdict.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException("Still not true after a minute: " + what);
            }

            await Task.Delay(20);
        }
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
