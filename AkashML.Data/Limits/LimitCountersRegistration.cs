using Microsoft.Extensions.DependencyInjection;

namespace AkashML.Data.Limits;

public static class LimitCountersRegistration
{
    /// <summary>
    /// Registers <see cref="ILimitCounters"/>: in PostgreSQL when a connection string is given (limits hold across
    /// replicas), otherwise in this process (SQLite serves one process).
    /// </summary>
    public static IServiceCollection AddAkashMLLimitCounters(this IServiceCollection services, string? postgresConnectionString)
    {
        if (!string.IsNullOrWhiteSpace(postgresConnectionString))
        {
            services.AddSingleton<ILimitCounters>(_ => new PostgresLimitCounters(postgresConnectionString));
        }
        else
        {
            services.AddSingleton<ILimitCounters, InProcessLimitCounters>();
        }

        return services;
    }
}
