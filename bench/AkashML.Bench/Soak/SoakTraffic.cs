using System.Net;
using System.Text;
using System.Text.Json;

namespace AkashML.Bench.Soak;

/// <summary>
/// The soak's traffic, shared by <c>bench soak</c> and the CI soak test: completions, streamed chats read to the end,
/// streamed chats the client walks away from after a few events (a closed tab, a killed CLI) and Anthropic messages.
/// </summary>
public static class SoakTraffic
{
    /// <summary>What each kind of request is, by its number.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["completions", "streamed chats read whole", "streams abandoned", "Anthropic messages"];

    /// <summary>One request of <paramref name="kind"/> (0 to 3) for <paramref name="model"/>; a description of what went wrong, or null.</summary>
    public static async Task<string?> OneRequestAsync(HttpClient client, int kind, Random random, string model)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(random);
        var quoted = JsonSerializer.Serialize(model);
        switch (kind)
        {
            case 0:
            {
                using var response = await client.PostAsync(new Uri("/v1/completions", UriKind.Relative), Json(
                    $$"""{"model":{{quoted}},"prompt":"Once upon a time","max_tokens":16}"""));
                return response.StatusCode == HttpStatusCode.OK ? null : $"completion {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }

            case 1:
            case 2:
            {
                using var walkAway = new CancellationTokenSource();
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
                {
                    Content = Json($$"""{"model":{{quoted}},"messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":64,"stream":true}"""),
                };
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, walkAway.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return $"stream {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                }

                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                var leaveAfter = kind == 2 ? random.Next(1, 6) : int.MaxValue;
                var events = 0;
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("data: ", StringComparison.Ordinal) && ++events >= leaveAfter)
                    {
                        await walkAway.CancelAsync();
                        return null;
                    }

                    if (line == "data: [DONE]")
                    {
                        return null;
                    }
                }

                return kind == 1 ? "stream ended without [DONE]" : null;
            }

            default:
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/anthropic/v1/messages")
                {
                    Content = Json($$"""{"model":{{quoted}},"max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}"""),
                };
                request.Headers.Add("anthropic-version", "2023-06-01");
                using var response = await client.SendAsync(request);
                return response.StatusCode == HttpStatusCode.OK ? null : $"messages {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
