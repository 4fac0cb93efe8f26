using System.ClientModel;
using System.ClientModel.Primitives;
using AkashML.Billing.Ledger;
using AkashML.Data;
using AkashML.Data.Billing;
using AkashML.Data.Usage;
using AkashML.Web.IntegrationTests.Infrastructure;
using AkashML.Web.Keys;
using Anthropic;
using Anthropic.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace AkashML.Web.IntegrationTests.Dashboard;

/// <summary>
/// One in-process host (SQLite, the offline smoke-test model) for the playground, models and presets tests, with the
/// and helpers for signed-in browsers, credits and SDK clients.
/// </summary>
public sealed class PlayHost : IAsyncLifetime
{
    public const string Model = "akashml/tiny-random";

    public AkashWebHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite);

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();

    /// <summary>A confirmed account, signed in through the real sign-in page, with <paramref name="creditMicros"/> of credits.</summary>
    public async Task<(BrowserSession Browser, string UserId)> SignedInAsync(long creditMicros = 50_000_000)
    {
        var email = AccountFlows.NewEmail("play");
        await AccountFlows.CreateConfirmedUserAsync(Host, email);
        var browser = Host.NewBrowser();
        var page = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.True(AccountFlows.IsSignedIn(page), "sign-in failed: " + page.Text);
        var user = await Host.FindUserAsync(email);
        if (creditMicros > 0)
        {
            await Host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>()
                .GrantAsync(user!.Id, CreditSource.AdminGrant, creditMicros, null, "dashboard tests", null, CancellationToken.None));
        }

        return (browser, user!.Id);
    }

    /// <summary>An API key for <paramref name="userId"/>.</summary>
    public Task<string> KeyAsync(string userId) => Host.WithServicesAsync(async sp =>
        (await sp.GetRequiredService<ApiKeyService>().CreateAsync(userId, "tests", ApiKeyLimits.None, CancellationToken.None)).Secret);

    public OpenAIClient OpenAi(string key) =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(AkashWebHost.BaseAddress, "v1"),
            Transport = new HttpClientPipelineTransport(Host.CreateClient()),
            RetryPolicy = new ClientRetryPolicy(0),
        });

    public AnthropicClient Anthropic(string key) =>
        new(new ClientOptions { BaseUrl = new Uri(AkashWebHost.BaseAddress, "anthropic").ToString(), ApiKey = key, MaxRetries = 0, HttpClient = Host.CreateClient() });

    public async Task<long> BalanceMicrosAsync(string userId) =>
        (await Host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>().GetBalanceAsync(userId, CancellationToken.None))).UsableMicros;

    public async Task<UsageRecord?> UsageAsync(string inferenceId)
    {
        await Host.FlushUsageAsync();
        return await Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.AsNoTracking().SingleOrDefaultAsync(u => u.InferenceId == inferenceId));
    }

    public async Task<int> UsageCountAsync(string userId)
    {
        await Host.FlushUsageAsync();
        return await Host.WithServicesAsync(sp => sp.GetRequiredService<AkashDbContext>().UsageRecords.CountAsync(u => u.UserId == userId));
    }
}
