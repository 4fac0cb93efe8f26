namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>A fact that needs a PostgreSQL cluster of its own (<see cref="ThrowawayPostgres"/>); skipped with the reason where none can be made.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ThrowawayPostgresFactAttribute : FactAttribute
{
    public ThrowawayPostgresFactAttribute()
    {
        Skip = ThrowawayPostgres.SkipReason ?? PostgresEnvironment.SkipReason;
    }
}
