using AkashML.Billing.Webhooks;
using AkashML.Data;
using AkashML.Data.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AkashML.Billing.Tests.Infrastructure;

/// <summary>
/// A real host with the billing services as the web host registers them (AddAkashMLData + AddAkashMLBilling), on a
/// real database, listening on 127.0.0.1 with the webhook endpoint, so the Stripe fake can call it back.
/// </summary>
public sealed class BillingTestHost : IAsyncDisposable
{
    public const string WebhookSecret = FakeStripe.TestWebhookSecret;
    public const string SecretKey = FakeStripe.TestSecretKey;

    private readonly WebApplication _app;

    private BillingTestHost(WebApplication app, FakeTimeProvider clock)
    {
        _app = app;
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => _app.Services;

    public string WebhookUrl { get; private set; } = "";

    /// <param name="stripeBaseUrl">The Stripe fake; null leaves Stripe unconfigured.</param>
    public static async Task<BillingTestHost> StartAsync(TestDatabase database, string? stripeBaseUrl = null,
        IDictionary<string, string?>? settings = null, FakeTimeProvider? clock = null, string? instanceId = null)
    {
        clock ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("AKASHML_TEST_LOGS") == "1")
        {
            builder.Logging.AddSimpleConsole();
        }

        var config = new Dictionary<string, string?>
        {
            ["Billing:InstanceId"] = instanceId ?? "test-" + Guid.NewGuid().ToString("N"),
            ["Billing:TrialCreditsUsd"] = "1.00",
            ["Billing:TopUp:MinimumUsd"] = "5",
            ["Billing:TopUp:MaximumUsd"] = "500",
            ["Billing:TopUp:SuccessUrl"] = "http://127.0.0.1/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}",
            ["Billing:TopUp:CancelUrl"] = "http://127.0.0.1/billing?checkout=cancelled",
            ["Billing:AutoTopUp:RetryAfter"] = "00:00:00",
        };
        if (stripeBaseUrl is not null)
        {
            config["Billing:Stripe:ApiBase"] = stripeBaseUrl;
            config["Billing:Stripe:SecretKey"] = SecretKey;
            config["Billing:Stripe:WebhookSecret"] = WebhookSecret;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddAkashMLData(database.PostgresConnectionString, database.SqlitePath ?? "");
        builder.Services.Configure<IdentityOptions>(o => o.Stores.SchemaVersion = IdentityStoreSettings.SchemaVersion);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddAkashMLBilling(builder.Configuration);
        var app = builder.Build();

        // The same few lines as the web host's endpoint: raw body and signature to the processor.
        app.MapPost("/stripe/webhook", async (HttpRequest request, StripeWebhookProcessor processor, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var result = await processor.ProcessAsync(await reader.ReadToEndAsync(ct), request.Headers["Stripe-Signature"].ToString(), ct);
            return Results.Json(new { outcome = result.Outcome.ToString(), message = result.Message }, statusCode: result.StatusCode);
        });

        if (!database.SchemaCreated)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AkashDbContext>().Database.EnsureCreatedAsync();
            database.SchemaCreated = true;
        }

        await app.StartAsync();
        var host = new BillingTestHost(app, clock);
        host.WebhookUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/stripe/webhook";
        return host;
    }

    public async Task<string> CreateUserAsync(string? email = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AkashDbContext>();
        email ??= $"user-{Guid.NewGuid():N}@example.test";
        var user = new ApplicationUser { UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant() };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>Runs <paramref name="work"/> with a fresh scope (its own DbContext), as one request would.</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
