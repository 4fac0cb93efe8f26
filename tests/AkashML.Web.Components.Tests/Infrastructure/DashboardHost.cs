using AkashML.Billing.Ledger;
using AkashML.Data.Billing;
using AkashML.Web.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Web.Components.Tests.Infrastructure;

/// <summary>
/// The real AkashML host (migrations, the built-in tiny model, every service) over a temp SQLite database, whose
/// services the bunit tests render components against. One per test class; each test makes its own users.
/// </summary>
public class DashboardHost : WebApplicationFactory<Program>
{
    private static readonly string ModelsDirectory = Path.Combine(Path.GetTempPath(), "akashml-components-tests-models");
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "akashml-components-" + Guid.NewGuid().ToString("N"));
    private readonly int? _sqliteMaxPageCount;

    public DashboardHost()
        : this(sqliteMaxPageCount: null)
    {
    }

    /// <summary>A host whose SQLite file cannot grow past <paramref name="sqliteMaxPageCount"/> pages (<c>AkashML:SqliteMaxPageCount</c>).</summary>
    protected DashboardHost(int? sqliteMaxPageCount) => _sqliteMaxPageCount = sqliteMaxPageCount;

    /// <summary>The host's SQLite file.</summary>
    public string DatabaseFile => Path.Combine(_dataDirectory, "akashml.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("AkashML:DataDirectory", _dataDirectory);
        if (_sqliteMaxPageCount is { } pages)
        {
            builder.UseSetting("AkashML:SqliteMaxPageCount", pages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        builder.UseSetting("Models:Directory", ModelsDirectory);

        // A routed model outside the catalog, for the admin's backends view (nothing else asks for it).
        builder.UseSetting($"Backends:Models:{RoutedModel}:0:Kind", "local");
        builder.UseSetting($"Backends:Models:{RoutedModel}:1:Kind", "openai");
        builder.UseSetting($"Backends:Models:{RoutedModel}:1:BaseUrl", "http://127.0.0.1:9/v1");
    }

    /// <summary>The model id whose backends the host is configured with.</summary>
    public const string RoutedModel = "example/routed";

    /// <summary>The password of every account these tests create.</summary>
    public const string Password = "Passw0rd!x";

    private readonly SemaphoreSlim _firstAccount = new(1, 1);
    private bool _hasOperator;

    /// <summary>
    /// A confirmed account with a unique email, an administrator only when asked. (The first account of a database
    /// always becomes an administrator, so an operator account is made first.)
    /// </summary>
    public async Task<TestUser> CreateUserAsync(bool administrator = false, string? email = null)
    {
        await EnsureOperatorAsync();
        await using var scope = Services.CreateAsyncScope();
        var provisioning = scope.ServiceProvider.GetRequiredService<AccountProvisioning>();
        email ??= $"user-{Guid.NewGuid():N}@example.com";
        var user = await provisioning.CreateConfirmedUserAsync(email, Password, administrator);
        return new TestUser(user.Id, email, administrator);
    }

    private async Task EnsureOperatorAsync()
    {
        await _firstAccount.WaitAsync();
        try
        {
            if (!_hasOperator)
            {
                await using var scope = Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<AccountProvisioning>()
                    .CreateConfirmedUserAsync($"operator-{Guid.NewGuid():N}@example.com", Password, admin: true);
                _hasOperator = true;
            }
        }
        finally
        {
            _firstAccount.Release();
        }
    }

    /// <summary>Grants <paramref name="usd"/> of admin credit to the user.</summary>
    public async Task GrantAsync(TestUser user, decimal usd)
    {
        await using var scope = Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<CreditLedger>();
        await ledger.GrantAsync(user.Id, CreditSource.AdminGrant, (long)(usd * 1_000_000m), null, "test grant", null, CancellationToken.None);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _firstAccount.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a late background writer: the temp folder is cleaned by the OS later.
        }
    }
}

public sealed record TestUser(string Id, string Email, bool IsAdministrator);
