using System.Buffers;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
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

    /// <summary>An event with only a data line (OpenAI style), written straight into the response's pipe.</summary>
    public static async Task WriteDataAsync<T>(HttpResponse response, T data, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var writer = response.BodyWriter;
        writer.Write("data: "u8);
        Serialize(writer, data, typeInfo);
        writer.Write("\n\n"u8);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>A named event (Anthropic style).</summary>
    public static async Task WriteEventAsync<T>(HttpResponse response, string name, T data, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var writer = response.BodyWriter;
        writer.Write("event: "u8);
        System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, name, writer);
        writer.Write("\ndata: "u8);
        Serialize(writer, data, typeInfo);
        writer.Write("\n\n"u8);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>An OpenAI-style event whose data is a JSON tree (rare events: errors, the usage chunk's neighbours).</summary>
    public static Task WriteDataAsync(HttpResponse response, JsonNode data, CancellationToken cancellationToken) =>
        WriteDataAsync(response, data, NodeTypeInfo, cancellationToken);

    /// <summary>A named event whose data is a JSON tree.</summary>
    public static Task WriteEventAsync(HttpResponse response, string name, JsonNode data, CancellationToken cancellationToken) =>
        WriteEventAsync(response, name, data, NodeTypeInfo, cancellationToken);

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

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly JsonTypeInfo<JsonNode> NodeTypeInfo = (JsonTypeInfo<JsonNode>)ApiJsonContext.Api.GetTypeInfo(typeof(JsonNode))!;

    private static void Serialize<T>(PipeWriter writer, T data, JsonTypeInfo<T> typeInfo)
    {
        using var json = new Utf8JsonWriter(writer, WriterOptions);
        JsonSerializer.Serialize(json, data, typeInfo);
    }
}
