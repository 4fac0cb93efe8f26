using System.Data.Common;

namespace AkashML.Data;

/// <summary>
/// Recognises a database that cannot be reached (restarting, failing over, connections refused or timing out): the
/// provider marks such errors transient, wherever EF wrapped them. PostgreSQL marks a full disk transient too, so ask
/// <see cref="StorageFull"/> first.
/// </summary>
public static class DatabaseOutage
{
    public static bool IsCause(Exception? ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}
