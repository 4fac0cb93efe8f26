using AkashML.Data.Limits;

namespace AkashML.Web.Limits;

/// <summary>
/// The outcome of <see cref="KeyLimiter.AdmitAsync"/>: the request-limit decision (null without such a limit), the
/// concurrency slot taken (null without such a limit or when refused), and whether concurrency refused the request.
/// </summary>
public sealed record Admission(LimitDecision? Requests, ConcurrencyLease? Lease, bool ConcurrencyRefused)
{
    public bool Allowed => Requests is not { Allowed: false } && !ConcurrencyRefused;
}
