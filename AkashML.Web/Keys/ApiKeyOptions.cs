using System.ComponentModel.DataAnnotations;

namespace AkashML.Web.Keys;

/// <summary>Settings of the <c>Keys</c> section.</summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "Keys";

    /// <summary>
    /// Server-side secret mixed into every key hash. Empty: a random pepper is generated once into
    /// <c>&lt;DataDirectory&gt;/key-pepper</c>. Every replica sharing a database must use the same value.
    /// </summary>
    public string? Pepper { get; set; }

    /// <summary>
    /// How long a key lookup is cached in memory. A revoke, roll or edit on this replica clears it at once; other
    /// replicas see the change when their entry expires, so this is how late they can be.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);
}
