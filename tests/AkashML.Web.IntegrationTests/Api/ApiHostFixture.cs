using System.Net.Http.Headers;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Usage;
using AkashML.Web.Accounts;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Anthropic;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace AkashML.Web.IntegrationTests.Api;

/// <summary>
/// A real Kestrel host on 127.0.0.1 (SQLite) with the offline smoke-test model, one account and one API key; hands
/// out the official OpenAI and Anthropic SDK clients pointed at it.
/// </summary>
public sealed class ApiHostFixture : IAsyncLifetime
{
    public const string Model = "akashml/tiny-random";

    public AkashWebHost Host { get; private set; } = null!;

    public Uri BaseAddress => Host.RealAddress!;

    public string ApiKey { get; private set; } = "";

    public string UserId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // Longer answers than the smoke-test default, so a stream is still running when a test walks away from it.
        Host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>
        {
            ["Models:Entries:akashml/tiny-random:MaxOutputTokens"] = "8192",
        }, realHttp: true);
        (UserId, ApiKey) = await Host.WithServicesAsync(async services =>
        {
            var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync($"api-{Guid.NewGuid():N}@example.test", "Passw0rd!api", admin: false);
            var (_, secret) = await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "tests", ApiKeyLimits.None, CancellationToken.None);
            await services.GetRequiredService<CreditLedger>().GrantAsync(user.Id, CreditSource.AdminGrant, 100_000_000, null, "api tests", null, CancellationToken.None);
            return (user.Id, secret);
        });
    }

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();

    public OpenAIClient OpenAi(string? key = null) => SdkClients.OpenAi(BaseAddress, key ?? ApiKey);

    public AnthropicClient Anthropic(string? key = null) => SdkClients.Anthropic(BaseAddress, key ?? ApiKey);

    /// <summary>A plain HTTP client for raw wire checks, authenticated with the fixture's key.</summary>
    public HttpClient Http(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? ApiKey);
        return client;
    }

    /// <summary>A second account with a key and no credits at all.</summary>
    public Task<string> CreateBrokeKeyAsync() => Host.WithServicesAsync(async services =>
    {
        var user = await services.GetRequiredService<AccountProvisioning>().CreateConfirmedUserAsync($"broke-{Guid.NewGuid():N}@example.test", "Passw0rd!api", admin: false);
        return (await services.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "broke", ApiKeyLimits.None, CancellationToken.None)).Secret;
    });

    public async Task<long> BalanceMicrosAsync() =>
        (await Host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(UserId, CancellationToken.None))).UsableMicros;

    /// <summary>
    /// The usage record of a request, waiting up to 10 s for it: records are written in the background, and a request
    /// the client walked away from may hand its record over after the client saw the end.
    /// </summary>
    public async Task<UsageRecord?> AwaitUsageAsync(string inferenceId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        UsageRecord? record;
        while ((record = await UsageAsync(inferenceId)) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return record;
    }

    /// <summary>The usage record of a request once the writer has written what was handed over so far.</summary>
    public async Task<UsageRecord?> UsageAsync(string inferenceId)
    {
        await Host.FlushUsageAsync();
        return await Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking().SingleOrDefaultAsync(u => u.InferenceId == inferenceId));
    }
}
