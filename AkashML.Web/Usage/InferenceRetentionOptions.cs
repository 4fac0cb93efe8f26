using System.ComponentModel.DataAnnotations;

namespace AkashML.Web.Usage;

/// <summary>Settings of the <c>Inferences</c> section: how long-kept prompts and outputs (opt-in retention) are stored and purged.</summary>
public sealed class InferenceRetentionOptions
{
    public const string SectionName = "Inferences";

    /// <summary>How often expired prompts and outputs (opt-in retention) are deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Request bodies longer than this are kept cut at this many characters.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxStoredRequestChars { get; set; } = 256 * 1024;
}
