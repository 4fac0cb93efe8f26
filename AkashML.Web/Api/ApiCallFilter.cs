using System.Diagnostics;
using AkashML.Web.Gateway;
using AkashML.Web.Keys;
using AkashML.Web.Limits;

namespace AkashML.Web.Api;

/// <summary>
/// The one filter of every API route: gives the request its Inference-Id, authenticates the key, opens and admits the
/// <see cref="GatewayCall"/> the handler works with (<c>HttpContext.Features</c>), settles it once the handler is done
/// — before the response completes, so the charge is committed first — and turns failures into the surface's error
/// shape. Handlers only read the body and write the answer.
/// </summary>
public sealed class ApiCallFilter(ApiSurface surface, InferenceGateway gateway, ILogger<ApiCallFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var started = Stopwatch.GetTimestamp();
        var inferenceId = InferenceGateway.NewInferenceId();
        http.Response.Headers["Inference-Id"] = inferenceId;
        GatewayCall? call = null;
        ApiException? refused = null;
        try
        {
            var key = await AuthenticateAsync(http);
            call = gateway.Open(key, surface, inferenceId, Stopwatch.GetElapsedTime(started));
            http.Features.Set(call);
            http.Response.OnStarting(ApplyLimitHeaders, (http.Response, call));
            await call.AdmitAsync(http.RequestAborted);
            var answer = await next(context);

            // Settled before the answer goes out: an answer whose charge could not be committed is not a success.
            if ((await call.FinishAsync()).Unsettled && !http.Response.HasStarted)
            {
                await ApiErrorWriter.WriteAsync(http, surface, call.SettlementFailure ?? ApiException.DatabaseUnavailable());
                return TypedResults.Empty;
            }

            return answer;
        }
        catch (OperationCanceledException ex) when (http.RequestAborted.IsCancellationRequested)
        {
            call?.Fail(ex);
            // Once the stream has started its status line is gone: the usage record alone says 499 then.
            if (!http.Response.HasStarted)
            {
                http.Response.StatusCode = InferenceGateway.ClientClosedRequest;
            }

            return TypedResults.Empty;
        }
        catch (Exception ex)
        {
            var failure = ApiException.From(ex);
            if (call is not null)
            {
                call.Fail(ex);
            }
            else
            {
                refused = failure;
                if (failure.Status >= StatusCodes.Status500InternalServerError)
                {
                    logger.LogError(ex, "API request {InferenceId} failed", inferenceId);
                }
            }

            if (http.Response.HasStarted)
            {
                // Mid-stream failure: the status line is gone; end the stream with an error event instead.
                await ServerSentEvents.WriteErrorAsync(http, surface, failure);
            }
            else
            {
                await ApiErrorWriter.WriteAsync(http, surface, failure);
            }

            return TypedResults.Empty;
        }
        finally
        {
            if (call is not null)
            {
                await call.FinishAsync();
            }
            else if (refused is not null)
            {
                await gateway.RecordUnauthenticatedAsync(inferenceId, surface, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds, refused.Status, refused.Message);
            }
        }
    }

    private static async Task<AuthenticatedKey> AuthenticateAsync(HttpContext http)
    {
        // Unknown, revoked, expired and malformed keys all get the same 401, so nothing leaks about which it was.
        var presented = ApiKeyCredentials.Presented(http.Request)
            ?? throw ApiException.Unauthorized("Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
        var keys = http.RequestServices.GetRequiredService<ApiKeyService>();
        return await keys.AuthenticateAsync(presented, http.RequestAborted) ?? throw ApiException.Unauthorized("Invalid API key.");
    }

    /// <summary>The limits' current decisions as response headers, set just before the status line goes out.</summary>
    private static Task ApplyLimitHeaders(object state)
    {
        var (response, call) = ((HttpResponse, GatewayCall))state;
        if (call.Limits.Requests is { } requests)
        {
            RateLimitHeaders.Apply(response.Headers, requests);
        }

        if (call.Limits.Tokens is { } tokens)
        {
            RateLimitHeaders.Apply(response.Headers, tokens);
        }

        return Task.CompletedTask;
    }
}
