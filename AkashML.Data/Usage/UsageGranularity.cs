namespace AkashML.Data.Usage;

/// <summary>The width of a <see cref="UsageRollup"/> bucket.</summary>
public enum UsageGranularity
{
    Hour = 0,
    Day = 1,
}
