using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AkashML.Web.IntegrationTests.Backends;

/// <summary>
/// A real OpenAI-compatible server on 127.0.0.1 (Kestrel) whose streaming completions send one piece of text and then
/// hold until <see cref="Release"/>: it keeps a request in flight for as long as a test needs, which a real engine
/// cannot be made to do on cue. It speaks the wire protocol the <c>openai</c> backend kind targets (<c>/models</c>,
/// streamed <c>/completions</c> with a usage chunk).
/// </summary>
public sealed class HeldUpstream : IAsyncDisposable
{
    public const int PromptTokens = 7;

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WebApplication _app;
    private int _started;
    private int _aborted;

    private readonly bool _sendsUsage;

    private HeldUpstream(WebApplication app, bool sendsUsage)
    {
        _app = app;
        _sendsUsage = sendsUsage;
    }

    /// <summary>The API base (…/v1) to configure as a backend's BaseUrl.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Completions received so far.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Completions whose caller went away while they were held.</summary>
    public int Aborted => Volatile.Read(ref _aborted);

    /// <param name="sendsUsage">False: a server that ignores <c>stream_options</c> and never reports usage.</param>
    public static async Task<HeldUpstream> StartAsync(bool sendsUsage = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new HeldUpstream(app, sendsUsage);
        app.MapGet("/v1/models", () => Results.Json(new JsonObject { ["object"] = "list", ["data"] = new JsonArray() }));
        app.MapPost("/v1/completions", upstream.CompleteAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.BaseUrl = address.TrimEnd('/') + "/v1";
        return upstream;
    }

    /// <summary>Lets every held stream (and every later one) finish.</summary>
    public void Release() => _release.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.DisposeAsync();
    }

    private async Task CompleteAsync(HttpContext http)
    {
        using var registration = http.RequestAborted.Register(() => Interlocked.Increment(ref _aborted));
        var body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        if (body?["stream"]?.GetValue<bool>() != true || body["prompt"]?.GetValue<string>() is not { Length: > 0 })
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Interlocked.Increment(ref _started);
        http.Response.ContentType = "text/event-stream";
        await WriteAsync(http, new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["text"] = "Held", ["finish_reason"] = null }) });
        while (!_release.Task.IsCompleted)
        {
            // Like a real engine that keeps streaming, it keeps writing (SSE comments) while held: a write is how a
            // server notices that its caller went away.
            await Task.WhenAny(_release.Task, Task.Delay(50, http.RequestAborted));
            await http.Response.WriteAsync(": held\n\n", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }

        await WriteAsync(http, new JsonObject { ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["text"] = " free", ["finish_reason"] = "stop" }) });
        if (_sendsUsage)
        {
            await WriteAsync(http, new JsonObject
            {
                ["choices"] = new JsonArray(),
                ["usage"] = new JsonObject { ["prompt_tokens"] = PromptTokens, ["completion_tokens"] = 2, ["total_tokens"] = PromptTokens + 2 },
            });
        }

        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
    }

    private static async Task WriteAsync(HttpContext http, JsonObject chunk)
    {
        await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }
}
