using System.Reflection;
using Xunit.Sdk;

namespace AkashML.Billing.Tests.Infrastructure;

/// <summary>Runs a theory against the embedded SQLite database.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[TestDatabases.Sqlite]];
}

/// <summary>
/// Runs a theory against the PostgreSQL server named by <c>AKASHML_TEST_POSTGRES</c> (scripts/test.sh starts one).
/// Skips with a reason when it is not set, unless <c>AKASHML_REQUIRE_POSTGRES=1</c>, in which case the test runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresDataAttribute : DataAttribute
{
    public PostgresDataAttribute()
    {
        if (TestDatabases.PostgresServer is null && Environment.GetEnvironmentVariable("AKASHML_REQUIRE_POSTGRES") != "1")
        {
            Skip = "AKASHML_TEST_POSTGRES is not set; run scripts/test.sh to get a throwaway PostgreSQL server";
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[TestDatabases.Postgres]];
}
