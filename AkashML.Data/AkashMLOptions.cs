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

    public string SqlitePath => Path.Combine(Path.GetFullPath(DataDirectory), "akashml.db");
}
