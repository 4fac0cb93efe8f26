using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web;
using AkashML.Web.Accounts;
using AkashML.Web.Hosting;
using AkashML.Web.Keys;

namespace AkashML.Bench.Backends;

/// <summary>
/// One AkashML host started in this process on a loopback port, over its own data directory (SQLite), with the models
/// directory it is given, and, unless it has the inference role, an account with credits and an API key.
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchHost(WebApplication app, Uri address, string? apiKey)
    {
        _app = app;
        Address = address;
        ApiKey = apiKey;
    }

    /// <summary>Where it listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>A key of a funded account (null for an inference node, which has no public API).</summary>
    public string? ApiKey { get; }

    /// <summary>Its OpenAI-compatible API base, e.g. http://127.0.0.1:41234/v1.</summary>
    public string ApiBase => new Uri(Address, "v1").ToString();

    public static async Task<BenchHost> StartAsync(string dataDirectory, string modelsDirectory, IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory, ApplicationName = HostEntry.ApplicationName });
        var combined = new Dictionary<string, string?>(settings)
        {
            ["AkashML:DataDirectory"] = dataDirectory,
            ["Models:Directory"] = modelsDirectory,
            ["ConnectionStrings:Postgres"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        builder.Configuration.AddInMemoryCollection(combined);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddAkashMLHost();
        var app = builder.Build();
        try
        {
            await app.PrepareAsync();
            app.UseAkashMLPipeline();
            await app.StartAsync();
            var address = new Uri(app.Urls.First().TrimEnd('/') + "/");
            var key = combined.GetValueOrDefault("Host:Role") == "inference" ? null : await CreateKeyAsync(app.Services);
            return new BenchHost(app, address, key);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<string> CreateKeyAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<AccountProvisioning>()
            .CreateConfirmedUserAsync($"bench-{Guid.NewGuid():N}@akashml.local", null, admin: false);
        // $1,000: no request of the bench is ever refused for money.
        await scope.ServiceProvider.GetRequiredService<CreditLedger>()
            .GrantAsync(user.Id, CreditSource.AdminGrant, 1_000_000_000, null, "bench backends", null, CancellationToken.None);
        return (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(user.Id, "bench", ApiKeyLimits.None, CancellationToken.None)).Secret;
    }
}
