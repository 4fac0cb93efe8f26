using System.Diagnostics;
using System.Globalization;
using AkashML.Data.Limits;
using AkashML.Web.Limits;

namespace AkashML.Web.Api;

/// <summary>
/// Enforces the caller's key limits; runs right after <see cref="ApiKeyFilter"/>. Requests per minute and concurrency
/// are checked here, before the handler; tokens per minute when the handler calls
/// <see cref="ApiCall.ReserveTokensAsync"/> (prompt + requested max), settled to actual use when the request ends. The
/// concurrency slot and the token reservation are settled in <c>finally</c>, so success, errors and client
/// disconnects all give them back. Over a limit: 429 in the route's error shape with <c>Retry-After</c> and the
/// rate-limit headers (<see cref="RateLimitHeaders"/>), which successful responses carry too.
/// </summary>
public sealed class KeyLimitsFilter(KeyLimiter limiter, GatewayMetrics metrics, ILogger<KeyLimitsFilter> logger) : IEndpointFilter
{
    /// <summary>A refused concurrent request may try again this soon; no one knows when a running request ends.</summary>
    private static readonly TimeSpan ConcurrencyRetryAfter = TimeSpan.FromSeconds(1);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var call = ApiCall.Of(http);
        var key = call.Key ?? throw new InvalidOperationException("KeyLimitsFilter must run after ApiKeyFilter.");
        var limits = key.Limits;
        var started = Stopwatch.GetTimestamp();
        var spent = TimeSpan.Zero;
        ConcurrencyLease? lease = null;
        LimitDecision? tokens = null;
        var reachedHandler = false;
        try
        {
            var admission = await limiter.AdmitAsync(key.KeyId, limits.RequestsPerMinute, limits.MaxConcurrency, http.RequestAborted);
            if (admission.Requests is { Allowed: false } refused)
            {
                throw TooMany(refused, string.Create(CultureInfo.InvariantCulture,
                    $"Rate limit reached for requests per minute on this API key (limit {refused.Limit}). Retry after {RateLimitHeaders.Seconds(refused.RetryAfter ?? TimeSpan.Zero)} s."));
            }

            if (admission.Requests is { } requests)
            {
                RateLimitHeaders.Apply(http.Response.Headers, requests);
            }

            if (admission.ConcurrencyRefused)
            {
                throw TooManyConcurrent(limits.MaxConcurrency ?? 0);
            }

            lease = admission.Lease;
            if (limits.TokensPerMinute is { } tpm)
            {
                call.OnReserveTokens(async (prompt, maxCompletion, cancellationToken) =>
                {
                    var reserving = Stopwatch.GetTimestamp();
                    var decision = await limiter.ReserveTokensAsync(key.KeyId, tpm, prompt, maxCompletion, cancellationToken);
                    spent += Stopwatch.GetElapsedTime(reserving);
                    if (!decision.Allowed)
                    {
                        throw TooMany(decision, decision.RetryAfter is { } retry
                            ? string.Create(CultureInfo.InvariantCulture,
                                $"Rate limit reached for tokens per minute on this API key (limit {tpm}, this request reserves {decision.Requested}: prompt plus the maximum output). Retry after {RateLimitHeaders.Seconds(retry)} s.")
                            : string.Create(CultureInfo.InvariantCulture,
                                $"The prompt has {prompt} tokens, more than this API key's limit of {tpm} tokens per minute: shorten it or raise the limit."));
                    }

                    tokens = decision;
                    RateLimitHeaders.Apply(http.Response.Headers, decision);
                });
            }

            spent += Stopwatch.GetElapsedTime(started);
            reachedHandler = true;
            return await next(context);
        }
        finally
        {
            if (!reachedHandler)
            {
                spent += Stopwatch.GetElapsedTime(started);
            }

            var settling = Stopwatch.GetTimestamp();
            try
            {
                await limiter.FinishAsync(key.KeyId, lease, tokens, call.PromptTokens + call.CompletionTokens);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A slot that could not be released expires once this replica stops renewing it.
                logger.LogError(ex, "Could not release the limits of {InferenceId}", call.InferenceId);
            }

            metrics.Record(call.AuthDuration, spent + Stopwatch.GetElapsedTime(settling));
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

    private static ApiException TooManyConcurrent(int max) =>
        new(StatusCodes.Status429TooManyRequests, ApiErrorKind.RateLimited,
            string.Create(CultureInfo.InvariantCulture, $"Too many concurrent requests on this API key (limit {max}). Retry when one of them has finished."),
            code: "concurrency_limit_exceeded")
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = RateLimitHeaders.Seconds(ConcurrencyRetryAfter) },
        };
}
