using AkashML.Data.Limits;

namespace AkashML.Web.Limits;

/// <summary>
/// The outcome of counting a request (or its tokens) against a per-minute limit, with what the rate-limit headers say.
/// </summary>
/// <param name="Charged">What was counted (zero when refused); settled against actual use when the request ends.</param>
/// <param name="Minute">The minute the charge went into (for refunds).</param>
/// <param name="RetryAfter">When refused: how long until the same request would fit; null if it never can.</param>
public sealed record LimitDecision(
    RateLimitKind Kind,
    bool Allowed,
    long Limit,
    long Remaining,
    TimeSpan ResetAfter,
    TimeSpan? RetryAfter,
    long Requested,
    long Charged,
    long Minute);
