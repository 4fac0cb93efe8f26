namespace AkashML.Web.IntegrationTests.Infrastructure;

/// <summary>The database engines every whole-host test runs against.</summary>
public enum DatabaseKind
{
    Sqlite,
    Postgres,
}
