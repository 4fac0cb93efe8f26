using Microsoft.Data.Sqlite;
using Npgsql;

namespace AkashML.Data;

/// <summary>Recognises a database that refused a write for want of space, whichever provider and wrapper reported it.</summary>
public static class StorageFull
{
    // SQLite's SQLITE_FULL ("database or disk is full"; also max_page_count reached) and PostgreSQL's disk_full class.
    private const int SqliteFull = 13;
    private const string PostgresDiskFull = "53100";

    public static bool IsCause(Exception? ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SqliteException { SqliteErrorCode: SqliteFull } or PostgresException { SqlState: PostgresDiskFull })
            {
                return true;
            }
        }

        return false;
    }
}
