using AkashML.Billing.Ledger;
using AkashML.Billing.Reservations;
using AkashML.Billing.TopUp;
using AkashML.Billing.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stripe;

namespace AkashML.Billing;

public static class BillingRegistration
{
    /// <summary>
    /// Registers credits, reservations, Stripe and the background upkeep, bound to the <c>Billing</c> section
    /// (validated at start). Needs <c>AkashDbContext</c> registered (<c>AddAkashMLData</c>).
    /// </summary>
    public static IServiceCollection AddAkashMLBilling(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BillingOptions>().Bind(configuration.GetSection(BillingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BillingOptions>, BillingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<AutoTopUpQueue>();
        services.AddSingleton<SqliteGroupCommit>();
        services.AddSingleton<PostgresGroupCommit>();
        services.AddSingleton<CreditSnapshots>();
        services.AddScoped<AccountLock>();
        services.AddScoped<CreditLedger>();
        services.AddScoped<CreditReservations>();
        services.AddScoped<RequestBilling>();
        services.AddScoped<PaymentOutcomes>();
        services.AddScoped<TopUpService>();
        services.AddScoped<AutoTopUpCharger>();
        services.AddScoped<StripeWebhookProcessor>();
        services.AddSingleton(provider => CreateStripeClient(provider.GetRequiredService<IOptions<BillingOptions>>().Value.Stripe));

        services.AddHostedService<BillingMaintenance>();
        services.AddHostedService<AutoTopUpWorker>();
        return services;
    }

    /// <summary>One client for the process, as Stripe.net intends; it sends Stripe.net's own API version with every call.</summary>
    private static StripeClient CreateStripeClient(StripeOptions stripe)
    {
        // Long-lived, so pooled connections are renewed now and then to follow DNS changes.
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = stripe.Timeout };
        return new StripeClient(new StripeClientOptions
        {
            // Stripe.net refuses an empty key; without one nothing calls the client (StripeOptions.Enabled is false).
            ApiKey = stripe.Enabled ? stripe.SecretKey : null,
            ApiBase = stripe.ApiBase,
            HttpClient = new SystemNetHttpClient(http, appInfo: new AppInfo { Name = "AkashML" }),
        });
    }
}
