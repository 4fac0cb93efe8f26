using System.ComponentModel.DataAnnotations;

namespace AkashML.Data;

/// <summary>Host-wide settings, bound from the <c>AkashML</c> section.</summary>
public sealed class AkashMLOptions
{
    public const string SectionName = "AkashML";

    /// <summary>Where the SQLite file, generated secrets and the built-in model live.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Apply pending database migrations when the host starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// SQLite only: the most pages (4 KiB each by default) the database file may grow to; writes beyond fail with
    /// "database or disk is full", as on a full disk. 0: no cap. For tests of a full disk, or as an operator's guard.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int SqliteMaxPageCount { get; set; }

    public string SqlitePath => Path.Combine(Path.GetFullPath(DataDirectory), "akashml.db");
}
