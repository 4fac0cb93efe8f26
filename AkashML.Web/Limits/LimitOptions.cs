using System.ComponentModel.DataAnnotations;

namespace AkashML.Web.Limits;

/// <summary>Settings of the <c>Limits</c> section: how the per-key limits (<see cref="KeyLimiter"/>) are kept.</summary>
public sealed class LimitOptions
{
    public const string SectionName = "Limits";

    /// <summary>
    /// How long a concurrency slot stays taken without renewal. Running requests renew theirs three times per duration;
    /// the slots of a replica that crashed come free after at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")]
    public TimeSpan ConcurrencyLeaseDuration { get; set; } = TimeSpan.FromMinutes(1);
}
