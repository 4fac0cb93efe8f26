namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>
/// Where the PostgreSQL test server is: <c>AKASHML_TEST_POSTGRES</c> holds a connection string to a server on which
/// tests may create databases. Without it PostgreSQL tests skip, unless <c>AKASHML_REQUIRE_POSTGRES=1</c> says they
/// must run (then they fail).
/// </summary>
public static class PostgresEnvironment
{
    public const string ConnectionStringVariable = "AKASHML_TEST_POSTGRES";
    public const string RequireVariable = "AKASHML_REQUIRE_POSTGRES";

    public static string? AdminConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value ? value : null;

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>Why PostgreSQL tests are skipped, or null when they must run.</summary>
    public static string? SkipReason =>
        AdminConnectionString is null && !Required
            ? $"PostgreSQL tests need {ConnectionStringVariable} (a connection string to a server where the test may create databases); set {RequireVariable}=1 to make its absence a failure."
            : null;

    public static string RequireConnectionString() =>
        AdminConnectionString
        ?? throw new InvalidOperationException($"{RequireVariable}=1 but {ConnectionStringVariable} is not set: PostgreSQL tests cannot run.");
}
