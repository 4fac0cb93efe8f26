namespace AkashML.Web.Admin;

public static class AdminRegistration
{
    /// <summary>What the administrators' pages read (users with balances, any inference by id) and do (grants, locks).</summary>
    public static IServiceCollection AddAdminPages(this IServiceCollection services)
    {
        services.AddScoped<UserDirectory>();
        services.AddScoped<InferenceLookup>();
        services.AddSingleton<AdminDesk>();
        return services;
    }
}
