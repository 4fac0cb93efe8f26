using System.Globalization;
using AkashML.Data.Limits;

namespace AkashML.Web.Limits;

/// <summary>
/// The rate-limit headers: AkashML's <c>X-RateLimit-Limit/Remaining/Reset</c> for the request limit (Reset in whole
/// seconds until the budget is full again) and OpenAI's <c>x-ratelimit-{limit,remaining,reset}-{requests,tokens}</c>
/// (reset as OpenAI writes durations: <c>250ms</c>, <c>8.5s</c>, <c>1m30s</c>), which OpenAI SDKs and LiteLLM-style
/// clients read. Written on successful responses and on 429s alike.
/// </summary>
public static class RateLimitHeaders
{
    public static IEnumerable<KeyValuePair<string, string>> For(LimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var limit = decision.Limit.ToString(CultureInfo.InvariantCulture);
        var remaining = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        var suffix = decision.Kind == RateLimitKind.Requests ? "requests" : "tokens";
        if (decision.Kind == RateLimitKind.Requests)
        {
            yield return new("X-RateLimit-Limit", limit);
            yield return new("X-RateLimit-Remaining", remaining);
            yield return new("X-RateLimit-Reset", Seconds(decision.ResetAfter));
        }

        yield return new("x-ratelimit-limit-" + suffix, limit);
        yield return new("x-ratelimit-remaining-" + suffix, remaining);
        yield return new("x-ratelimit-reset-" + suffix, OpenAiDuration(decision.ResetAfter));
    }

    public static void Apply(IHeaderDictionary headers, LimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var (name, value) in For(decision))
        {
            headers[name] = value;
        }
    }

    /// <summary>Whole seconds, rounded up: a client that waits this long is never early.</summary>
    public static string Seconds(TimeSpan span) =>
        ((long)Math.Ceiling(Math.Max(0, span.TotalMilliseconds) / 1000)).ToString(CultureInfo.InvariantCulture);

    /// <summary>OpenAI's duration format: <c>0s</c>, <c>120ms</c>, <c>8.64s</c>, <c>6m0s</c>, <c>1h2m3s</c>.</summary>
    public static string OpenAiDuration(TimeSpan span)
    {
        var ms = (long)Math.Ceiling(Math.Max(0, span.TotalMilliseconds));
        if (ms == 0)
        {
            return "0s";
        }

        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = (ms % 60_000) / 1000m;
        var text = seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (hours > 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m{text}");
        }

        return minutes > 0 ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m{text}") : text;
    }
}
