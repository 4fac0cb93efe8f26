using AkashML.Web.Accounts;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Billing;

public static class BillingPagesRegistration
{
    /// <summary>What the billing pages read besides the billing services themselves, the support address and the sign-up credits.</summary>
    public static IServiceCollection AddBillingPages(this IServiceCollection services)
    {
        services.AddScoped<LedgerHistory>();
        services.AddScoped<PaymentHistory>();
        services.AddSingleton<BillingDesk>();
        services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SupportOptions>, SupportOptionsValidator>();
        services.AddOptions<SignupCreditsOptions>().BindConfiguration(SignupCreditsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignupCreditsOptions>, SignupCreditsOptionsValidator>();
        services.AddScoped<SignupCredits>();
        return services;
    }
}
