using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace AkashML.Web.IntegrationTests.Dashboard;

/// <summary>
/// One real-Kestrel host (SQLite, offline smoke-test model) for the dashboard tests of a class; each test signs up its
/// own account. Hands out signed-in browsers, credits and API clients.
/// </summary>
public sealed partial class DashboardHost : IAsyncLifetime
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

        return new SignedIn(browser, user.Id, email);
    }

    /// <summary>Creates a key through the page's form and reads the secret from the show-once panel.</summary>
    public static async Task<(HtmlPage Page, string Secret)> CreateKeyAsync(BrowserSession browser, string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var page = await browser.GetAsync("keys");
        var fields = new Dictionary<string, string> { ["Create.Name"] = name };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            fields[k] = v;
        }

        var created = await browser.SubmitAsync(page, "create-key", fields);
        Assert.Equal(HttpStatusCode.OK, created.Status);
        var match = SecretInput().Match(created.Html);
        Assert.True(match.Success, "no secret panel: " + created.Text);
        return (created, match.Groups["secret"].Value);
    }

    public OpenAIClient OpenAi(string secret) =>
        new(new ApiKeyCredential(secret), new OpenAIClientOptions { Endpoint = new Uri(BaseAddress, "v1"), RetryPolicy = new ClientRetryPolicy(0) });

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

    [GeneratedRegex(@"data-testid=""secret""[^>]*value=""(?<secret>akml-[A-Za-z0-9]+)""|value=""(?<secret>akml-[A-Za-z0-9]+)""[^>]*data-testid=""secret""")]
    private static partial Regex SecretInput();
}

/// <summary>A signed-in browser and who it is.</summary>
public sealed record SignedIn(BrowserSession Browser, string UserId, string Email);
