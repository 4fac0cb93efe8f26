using AkashML.Web.Api.Metering;
using AkashML.Web.Usage;

namespace AkashML.Web.Api;

/// <summary>
/// The outermost filter of every API route: starts the <see cref="ApiCall"/> (Inference-Id header), turns failures into
/// the surface's error shape, and writes the usage record whatever the outcome.
/// </summary>
public sealed class ApiCallFilter(ApiSurface surface, UsageRecorder usage, CreditMetering metering, ILogger<ApiCallFilter> logger) : IEndpointFilter
{
    /// <summary>nginx's "client closed request": what a request the caller abandoned is recorded with.</summary>
    private const int ClientClosedRequest = 499;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var call = ApiCall.Start(http, surface);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["InferenceId"] = call.InferenceId });
        string status = "ok";
        string? error = null;
        try
        {
            var result = await next(context);
            return result;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            status = "cancelled";
            error = "client disconnected";
            // Once the stream has started its status line is gone; 499 only describes the usage record then.
            if (!http.Response.HasStarted)
            {
                http.Response.StatusCode = ClientClosedRequest;
            }

            return TypedResults.Empty;
        }
        catch (Exception ex)
        {
            var apiError = ApiException.From(ex);
            if (apiError.Status >= 500)
            {
                logger.LogError(ex, "API request failed");
            }

            status = "error";
            error = apiError.Message;
            if (http.Response.HasStarted)
            {
                // Mid-stream failure: the status line is gone; end the stream with an error event instead.
                await ServerSentEvents.WriteErrorAsync(http, surface, apiError);
                return TypedResults.Empty;
            }

            await ApiErrorWriter.WriteAsync(http, surface, apiError);
            return TypedResults.Empty;
        }
        finally
        {
            // Bill what was produced, even when the client went away or the model failed mid-way.
            await metering.SettleAsync(call);
            if (call.Metered || status != "ok")
            {
                await usage.RecordAsync(call, status, status == "cancelled" ? ClientClosedRequest : http.Response.StatusCode, error);
            }
        }
    }
}
