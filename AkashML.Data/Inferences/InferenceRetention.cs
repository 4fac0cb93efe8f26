namespace AkashML.Data.Inferences;

/// <summary>
/// A user's choice to keep the prompt and output of their requests for <see cref="Days"/> days. No row means off,
/// which is the default: then nothing but metadata (tokens, cost, timings) is stored.
/// </summary>
public sealed class InferenceRetention
{
    public const int MaxDays = 90;

    public required string UserId { get; set; }

    public int Days { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
