using AkashML.Web.Gateway;
using AkashML.Web.Limits;

namespace AkashML.Web.Api;

/// <summary>
/// Enforces the caller's key limits over HTTP; runs right after <see cref="ApiKeyFilter"/>. The limits themselves are
/// the gateway's <see cref="KeyLimitGate"/> (the playground passes the same gate in-process): requests per minute and
/// concurrency before the handler, tokens per minute when the handler calls <see cref="ApiCall.ReserveTokensAsync"/>,
/// settled in <c>finally</c>, so success, errors and client disconnects all give them back. This filter adds what is
/// HTTP's own: the rate-limit headers (<see cref="RateLimitHeaders"/>) on successful responses; refusals carry theirs
/// on the 429.
/// </summary>
public sealed class KeyLimitsFilter(KeyLimiter limiter, GatewayMetrics metrics, ILogger<KeyLimitsFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var call = ApiCall.Of(http);
        var key = call.Key ?? throw new InvalidOperationException("KeyLimitsFilter must run after ApiKeyFilter.");
        var gate = new KeyLimitGate(limiter, key);
        try
        {
            if (await gate.AdmitAsync(http.RequestAborted) is { } requests)
            {
                RateLimitHeaders.Apply(http.Response.Headers, requests);
            }

            if (key.Limits.TokensPerMinute is not null)
            {
                call.OnReserveTokens(async (prompt, maxCompletion, cancellationToken) =>
                {
                    if (await gate.ReserveTokensAsync(prompt, maxCompletion, cancellationToken) is { } tokens)
                    {
                        RateLimitHeaders.Apply(http.Response.Headers, tokens);
                    }
                });
            }

            return await next(context);
        }
        finally
        {
            try
            {
                await gate.FinishAsync(call.PromptTokens + call.CompletionTokens);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A slot that could not be released expires once this replica stops renewing it.
                logger.LogError(ex, "Could not release the limits of {InferenceId}", call.InferenceId);
            }

            metrics.Record(call.AuthDuration, gate.Spent);
        }
    }
}
