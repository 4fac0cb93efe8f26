namespace AkashML.Data.Keys;

/// <summary>When a key's spend limit starts again from zero (UTC calendar; weeks start on Monday).</summary>
public enum ApiKeyBudgetPeriod
{
    /// <summary>Never: the limit covers the key's whole life.</summary>
    None,
    Daily,
    Weekly,
    Monthly,
}
