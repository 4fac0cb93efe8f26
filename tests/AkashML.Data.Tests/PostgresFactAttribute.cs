namespace AkashML.Data.Tests;

/// <summary>
/// A fact that needs the PostgreSQL server named by <c>AKASHML_TEST_POSTGRES</c> (the test script starts one).
/// Skips with a reason when it is not set, unless <c>AKASHML_REQUIRE_POSTGRES=1</c>, in which case the test runs and fails.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (ConnectionString is null && Environment.GetEnvironmentVariable("AKASHML_REQUIRE_POSTGRES") != "1")
        {
            Skip = "AKASHML_TEST_POSTGRES is not set; run scripts/test.sh to get a throwaway PostgreSQL server";
        }
    }

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable("AKASHML_TEST_POSTGRES") is { Length: > 0 } value ? value : null;
}
