using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Web.Cli;

namespace AkashML.Bench.Backends;

/// <summary>Chat completions against one host's public API, timed by the client; any non-2xx answer stops the bench.</summary>
internal sealed class BenchClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _model;

    public BenchClient(BenchHost host, string model, int connections)
    {
        ArgumentNullException.ThrowIfNull(host);
        _model = model;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = host.Address,
            Timeout = TimeSpan.FromMinutes(5),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.ApiKey);
    }

    /// <summary>One non-streamed completion of at most <paramref name="maxTokens"/>; its latency and completion tokens.</summary>
    public async Task<(double Milliseconds, int CompletionTokens)> CompleteAsync(int maxTokens)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.PostAsync("v1/chat/completions", Body(maxTokens, stream: false));
        var text = await response.Content.ReadAsStringAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Ensure(response, text);
        using var answer = JsonDocument.Parse(text);
        return (elapsed, answer.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    /// <summary>One streamed completion read to its end; the completion tokens its final usage chunk reports.</summary>
    public async Task<int> StreamAsync(int maxTokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Body(maxTokens, stream: true) };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            Ensure(response, await response.Content.ReadAsStringAsync());
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var tokens = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                var chunk = JsonNode.Parse(line["data: ".Length..])!;
                if (chunk["error"] is { } error)
                {
                    throw new CommandLineException("a stream ended with an error: " + error.ToJsonString());
                }

                tokens = chunk["usage"]?["completion_tokens"]?.GetValue<int>() ?? tokens;
            }
        }

        return tokens;
    }

    public void Dispose() => _http.Dispose();

    private StringContent Body(int maxTokens, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = _model,
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hello, tell me a story." }),
        };
        if (stream)
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
    }

    private static void Ensure(HttpResponseMessage response, string text)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new CommandLineException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        }
    }
}
