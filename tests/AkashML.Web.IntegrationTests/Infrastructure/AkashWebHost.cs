using AkashML.Data.Identity;
using AkashML.Web.Accounts.Email;
using AkashML.Web.Usage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// The whole AkashML host, in process, over one <see cref="TestDatabase"/>. It runs the real <c>Program</c> (migrations
/// at start included) in the Production environment, so error pages and antiforgery behave as deployed.
/// </summary>
public sealed class AkashWebHost : WebApplicationFactory<Program>
{
    /// <summary>The address the in-process test server answers on; https so that secure cookies flow.</summary>
    public static readonly Uri BaseAddress = new("https://localhost/");

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly bool _ownsDatabase;

    private AkashWebHost(TestDatabase database, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null, bool ownsDatabase = true)
    {
        Database = database;
        _services = services;
        _ownsDatabase = ownsDatabase;
        _settings = new Dictionary<string, string?>(database.Settings, StringComparer.OrdinalIgnoreCase)
        {
            // Every request of an in-process host comes from one (absent) address; tests that exercise the throttle set their own limit.
            ["SignInThrottle:AttemptsPerMinute"] = "1000",
            // The hosts run as Production; the account flows read their links from the dev outbox.
            ["Email:DevOutboxInProduction"] = "true",
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    /// <summary>The Kestrel address when started with real HTTP (e.g. http://127.0.0.1:41234/), else null.</summary>
    public Uri? RealAddress { get; private set; }

    /// <summary>Creates a fresh database of <paramref name="kind"/> and starts a host on it.</summary>
    /// <param name="services">Runs after the host's own registrations (e.g. to replace its <see cref="TimeProvider"/>).</param>
    public static async Task<AkashWebHost> StartAsync(DatabaseKind kind, IReadOnlyDictionary<string, string?>? settings = null, bool realHttp = false, Action<IServiceCollection>? services = null)
    {
        var database = await TestDatabase.CreateAsync(kind);
        return await StartOnAsync(database, ownsDatabase: true, settings, realHttp, services);
    }

    /// <summary>
    /// Starts another host on <paramref name="first"/>'s database and data directory (same key pepper): a second
    /// replica. The database stays <paramref name="first"/>'s to drop.
    /// </summary>
    public static Task<AkashWebHost> StartReplicaAsync(AkashWebHost first, IReadOnlyDictionary<string, string?>? settings = null, bool realHttp = false, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        return StartOnAsync(first.Database, ownsDatabase: false, settings, realHttp, services);
    }

    private static async Task<AkashWebHost> StartOnAsync(TestDatabase database, bool ownsDatabase, IReadOnlyDictionary<string, string?>? settings, bool realHttp, Action<IServiceCollection>? services)
    {
        var combined = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase);
        if (!combined.ContainsKey("Models:Directory"))
        {
            combined["Models:Directory"] = await SharedModels.DirectoryAsync();
        }

        var host = new AkashWebHost(database, combined, services, ownsDatabase);
        try
        {
            if (realHttp)
            {
                // Kestrel on a free loopback port, for clients that need a real socket (Claude Code, disconnects).
                host.UseKestrel(0);
                host.StartServer();
                host.RealAddress = new Uri(host.ClientOptions.BaseAddress.ToString());
                return host;
            }

            // Building the server runs Program: configuration, validation, migrations.
            _ = host.Server;
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>A browser-like client: keeps cookies, follows redirects itself, posts forms with their antiforgery token.</summary>
    public BrowserSession NewBrowser() =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = RealAddress ?? BaseAddress }),
            RealAddress ?? BaseAddress);

    /// <summary>Runs <paramref name="action"/> with the host's own services in a fresh scope (to inspect what was stored).</summary>
    public async Task<T> WithServicesAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    /// <summary>
    /// Waits until the usage writer has written every record handed over so far (rollups and kept payloads included):
    /// usage is written in the background, shortly after the response.
    /// </summary>
    public Task FlushUsageAsync() => Services.GetRequiredService<UsageWriter>().FlushAsync(CancellationToken.None);

    public Task<ApplicationUser?> FindUserAsync(string email) =>
        WithServicesAsync(sp => sp.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email));

    public DevOutbox Outbox => Services.GetRequiredService<DevOutbox>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment(Environments.Production);
        foreach (var (key, value) in _settings)
        {
            // UseSetting is visible to Program while it reads configuration, unlike configuration sources added later.
            builder.UseSetting(key, value);
        }

        if (HostLogFile.Create() is { } logFile)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(logFile));
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase)
        {
            await Database.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
