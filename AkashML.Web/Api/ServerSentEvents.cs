using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Web.Gateway;

namespace AkashML.Web.Api;

/// <summary>Writes <c>text/event-stream</c> responses, flushing each event so clients see tokens as they come.</summary>
public static class ServerSentEvents
{
    public static void Start(HttpResponse response)
    {
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>An event with only a data line (OpenAI style).</summary>
    public static async Task WriteDataAsync(HttpResponse response, JsonNode data, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: " + data.ToJsonString(JsonOptions) + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>A named event (Anthropic style).</summary>
    public static async Task WriteEventAsync(HttpResponse response, string name, JsonNode data, CancellationToken cancellationToken)
    {
        await response.WriteAsync("event: " + name + "\ndata: " + data.ToJsonString(JsonOptions) + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public static async Task WriteDoneAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: [DONE]\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>Ends a stream that already started with an error event in the surface's shape.</summary>
    public static async Task WriteErrorAsync(HttpContext context, ApiSurface surface, ApiException error)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var body = ApiErrorWriter.Body(surface, error);
        if (surface == ApiSurface.Anthropic)
        {
            await WriteEventAsync(context.Response, "error", body, CancellationToken.None);
        }
        else
        {
            await WriteDataAsync(context.Response, body, CancellationToken.None);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
