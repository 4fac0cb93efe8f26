namespace AkashML.Data.Keys;

/// <summary>
/// What a key with a budget spent on one UTC day, in micro-dollars: holds of requests in flight plus the settled cost
/// of finished ones. Written in the same transaction as the credit hold and its settlement, under the account lock.
/// </summary>
public sealed class ApiKeySpend
{
    public Guid KeyId { get; set; }

    /// <summary>The UTC day (<see cref="BudgetCalendar.Day"/>).</summary>
    public int Day { get; set; }

    public long SpentMicros { get; set; }
}
