using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Runtime.CompilerServices;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Data.Keys;
using AkashML.Web.Keys;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace AkashML.Web.IntegrationTests.Dashboard;

/// <summary>
/// One real-Kestrel host (SQLite, offline smoke-test model) for the dashboard tests of a class; each test signs up its
/// own account. Hands out signed-in browsers, credits and API clients.
/// </summary>
public sealed class DashboardHost : IAsyncLifetime
{
    public const string Model = "akashml/tiny-random";

    public AkashWebHost Host { get; private set; } = null!;

    public Uri BaseAddress => Host.RealAddress!;

    public async Task InitializeAsync() => Host = await AkashWebHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?>(), realHttp: true);

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();

    /// <summary>A new confirmed account, signed in, optionally with credits.</summary>
    public async Task<SignedIn> SignInNewUserAsync(long creditMicros = 0)
    {
        var email = AccountFlows.NewEmail("dash");
        await AccountFlows.CreateConfirmedUserAsync(Host, email);
        var browser = Host.NewBrowser();
        var page = await AccountFlows.SignInAsync(browser, email, AccountFlows.GoodPassword);
        Assert.True(AccountFlows.IsSignedIn(page), "sign-in failed: " + page.Text);
        var user = await Host.FindUserAsync(email) ?? throw new InvalidOperationException("the user was not created");
        if (creditMicros > 0)
        {
            await Host.WithServicesAsync(sp => sp.GetRequiredService<CreditLedger>()
                .GrantAsync(user.Id, CreditSource.AdminGrant, creditMicros, null, "dashboard tests", null, CancellationToken.None));
        }

        SignedInBrowsers.AddOrUpdate(browser, new BrowserOwner(Host, user.Id));
        return new SignedIn(browser, user.Id, email);
    }

    /// <summary>
    /// Creates a key for the browser's user through the real key service and returns it with its secret. (The keys page
    /// is interactive now: its dialogs are tested with bunit, and this helper only gives the usage and inference tests
    /// a working key.) Extra limits use the old form's names: <c>Create.RequestsPerMinute</c>, <c>Create.ExpiresOn</c>…
    /// </summary>
    public static async Task<(ApiKey Key, string Secret)> CreateKeyAsync(BrowserSession browser, string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(browser);
        if (!SignedInBrowsers.TryGetValue(browser, out var owner))
        {
            throw new InvalidOperationException("CreateKeyAsync needs a browser from SignInNewUserAsync.");
        }

        int? Number(string field) => extra?.GetValueOrDefault("Create." + field) is { Length: > 0 } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null;
        DateTimeOffset? expires = extra?.GetValueOrDefault("Create.ExpiresOn") is { Length: > 0 } date
            ? new DateTimeOffset(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : null;
        var limits = new ApiKeyLimits(Number("RequestsPerMinute"), Number("TokensPerMinute"), Number("MaxConcurrency"), expires);
        return await owner.Host.WithServicesAsync(sp => sp.GetRequiredService<ApiKeyService>().CreateAsync(owner.UserId, name, limits, CancellationToken.None));
    }

    /// <summary>Who each signed-in browser is, for <see cref="CreateKeyAsync"/>.</summary>
    private static readonly ConditionalWeakTable<BrowserSession, BrowserOwner> SignedInBrowsers = new();

    private sealed record BrowserOwner(AkashWebHost Host, string UserId);

    public OpenAIClient OpenAi(string secret) => SdkClients.OpenAi(BaseAddress, secret);

    public HttpClient Http(string secret)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    /// <summary>A small completion through the raw API; returns the response (caller disposes).</summary>
    public async Task<HttpResponseMessage> CompleteAsync(string secret, string prompt, int maxTokens = 4, bool stream = false, string model = Model)
    {
        using var http = Http(secret);
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{prompt}}"}],"max_tokens":{{maxTokens}},"temperature":0.5,"stream":{{(stream ? "true" : "false")}}}""";
        var response = await http.PostAsync("v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}

/// <summary>A signed-in browser and who it is.</summary>
public sealed record SignedIn(BrowserSession Browser, string UserId, string Email);
