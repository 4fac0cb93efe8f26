using System.Reflection;
using Xunit.Sdk;

namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>Runs a theory against SQLite: supplies <see cref="DatabaseKind.Sqlite"/> as the first argument.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SqliteDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[DatabaseKind.Sqlite]];
}

/// <summary>
/// Runs a theory against PostgreSQL: supplies <see cref="DatabaseKind.Postgres"/>. Skipped with a reason when no server
/// is configured, unless it is required (see <see cref="PostgresEnvironment"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PostgresDataAttribute : DataAttribute
{
    public PostgresDataAttribute()
    {
        // xunit reads Skip from the attribute instance, so it can depend on the environment.
        Skip = PostgresEnvironment.SkipReason;
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[DatabaseKind.Postgres]];
}
