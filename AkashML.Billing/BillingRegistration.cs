using AkashML.Billing.Ledger;
using AkashML.Billing.Reservations;
using AkashML.Billing.Stripe;
using AkashML.Billing.TopUp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<AutoTopUpQueue>();
        services.AddScoped<AccountLock>();
        services.AddScoped<CreditLedger>();
        services.AddScoped<CreditReservations>();
        services.AddScoped<RequestBilling>();
        services.AddScoped<PaymentOutcomes>();
        services.AddScoped<TopUpService>();
        services.AddScoped<AutoTopUpCharger>();
        services.AddScoped<StripeWebhookProcessor>();
        services.AddHttpClient<StripeClient>((provider, http) =>
            http.Timeout = provider.GetRequiredService<IOptions<BillingOptions>>().Value.Stripe.Timeout);

        services.AddHostedService<BillingMaintenance>();
        services.AddHostedService<AutoTopUpWorker>();
        return services;
    }
}
