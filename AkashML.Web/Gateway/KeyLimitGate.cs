using System.Diagnostics;
using System.Globalization;
using AkashML.Data.Limits;
using AkashML.Web.Keys;
using AkashML.Web.Limits;

namespace AkashML.Web.Gateway;

/// <summary>
/// One call's passage through its key's limits (<see cref="KeyLimiter"/>): admission (requests per minute and
/// concurrency) before anything runs, the tokens-per-minute reservation once the prompt and maximum are known, and
/// <see cref="FinishAsync"/> on every exit path (gives the slot back and brings the token charge in line with use).
/// A refusal is an <see cref="ApiException"/> 429 with <c>Retry-After</c> and the rate-limit headers, whoever the caller:
/// every <see cref="GatewayCall"/> has one, over HTTP or in-process.
/// </summary>
public sealed class KeyLimitGate(KeyLimiter limiter, AuthenticatedKey key)
{
    /// <summary>A refused concurrent request may try again this soon; no one knows when a running request ends.</summary>
    private static readonly TimeSpan ConcurrencyRetryAfter = TimeSpan.FromSeconds(1);

    private ConcurrencyLease? _lease;
    private LimitDecision? _tokens;
    private bool _finished;

    /// <summary>Time spent on limit checks so far (the gateway metric).</summary>
    public TimeSpan Spent { get; private set; }

    /// <summary>The requests-per-minute decision that admitted the call, or null when the key has no such limit.</summary>
    public LimitDecision? Requests { get; private set; }

    /// <summary>The tokens-per-minute reservation, or null when the key has no such limit (or it was not made yet).</summary>
    public LimitDecision? Tokens => _tokens;

    /// <summary>
    /// Admits the call under the key's requests-per-minute and concurrency limits, or throws 429. Returns the
    /// requests-per-minute decision (null without that limit) for the response headers.
    /// </summary>
    public async ValueTask<LimitDecision?> AdmitAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var limits = key.Limits;
            var admission = await limiter.AdmitAsync(key.KeyId, limits.RequestsPerMinute, limits.MaxConcurrency, cancellationToken);
            if (admission.Requests is { Allowed: false } refused)
            {
                throw TooMany(refused, string.Create(CultureInfo.InvariantCulture,
                    $"Rate limit reached for requests per minute on this API key (limit {refused.Limit}). Retry after {RateLimitHeaders.Seconds(refused.RetryAfter ?? TimeSpan.Zero)} s."));
            }

            if (admission.ConcurrencyRefused)
            {
                throw TooManyConcurrent(limits.MaxConcurrency ?? 0, admission.Requests);
            }

            _lease = admission.Lease;
            Requests = admission.Requests;
            return admission.Requests;
        }
        finally
        {
            Spent += Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>
    /// Reserves the prompt plus the most the call may generate against the key's tokens-per-minute limit, or throws
    /// 429. Null when the key has no such limit.
    /// </summary>
    public async ValueTask<LimitDecision?> ReserveTokensAsync(long promptTokens, long maxCompletionTokens, CancellationToken cancellationToken)
    {
        if (key.Limits.TokensPerMinute is not { } tpm)
        {
            return null;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var decision = await limiter.ReserveTokensAsync(key.KeyId, tpm, promptTokens, maxCompletionTokens, cancellationToken);
            if (!decision.Allowed)
            {
                throw TooMany(decision, decision.RetryAfter is { } retry
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"Rate limit reached for tokens per minute on this API key (limit {tpm}, this request reserves {decision.Requested}: prompt plus the maximum output). Retry after {RateLimitHeaders.Seconds(retry)} s.")
                    : string.Create(CultureInfo.InvariantCulture,
                        $"The prompt has {promptTokens} tokens, more than this API key's limit of {tpm} tokens per minute: shorten it or raise the limit."));
            }

            _tokens = decision;
            return decision;
        }
        finally
        {
            Spent += Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>Gives back the concurrency slot and settles the token charge to <paramref name="usedTokens"/>; once.</summary>
    public async ValueTask FinishAsync(long usedTokens)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await limiter.FinishAsync(key.KeyId, _lease, _tokens, usedTokens);
        }
        finally
        {
            Spent += Stopwatch.GetElapsedTime(started);
        }
    }

    private static ApiException TooMany(LimitDecision decision, string message)
    {
        var headers = RateLimitHeaders.For(decision).ToDictionary(StringComparer.OrdinalIgnoreCase);
        if (decision.RetryAfter is { } retry)
        {
            headers["Retry-After"] = RateLimitHeaders.Seconds(retry);
        }

        return new ApiException(StatusCodes.Status429TooManyRequests, ApiErrorKind.RateLimited, message, code: "rate_limit_exceeded") { Headers = headers };
    }

    private static ApiException TooManyConcurrent(int max, LimitDecision? requests)
    {
        // The request limit admitted this call: its headers still describe the window.
        var headers = requests is null
            ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            : RateLimitHeaders.For(requests).ToDictionary(StringComparer.OrdinalIgnoreCase);
        headers["Retry-After"] = RateLimitHeaders.Seconds(ConcurrencyRetryAfter);
        return new(StatusCodes.Status429TooManyRequests, ApiErrorKind.RateLimited,
            string.Create(CultureInfo.InvariantCulture, $"Too many concurrent requests on this API key (limit {max}). Retry when one of them has finished."),
            code: "concurrency_limit_exceeded")
        {
            Headers = headers,
        };
    }
}
