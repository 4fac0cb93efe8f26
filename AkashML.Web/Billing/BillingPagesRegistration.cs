namespace AkashML.Web.Billing;

public static class BillingPagesRegistration
{
    /// <summary>What the billing pages read besides the billing services themselves.</summary>
    public static IServiceCollection AddBillingPages(this IServiceCollection services)
    {
        services.AddScoped<LedgerHistory>();
        return services;
    }
}
