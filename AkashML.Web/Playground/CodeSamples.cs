using System.Text.Json;

namespace AkashML.Web.Playground;

/// <summary>Short, copyable requests for a model, with the instance's base URL and a key placeholder.</summary>
public static class CodeSamples
{
    public const string KeyPlaceholder = "YOUR_API_KEY";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Curl(Uri baseUrl, string modelId)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var body = JsonSerializer.Serialize(new { model = modelId, messages = new[] { new { role = "user", content = "Hello!" } } }, Indented);
        return $"curl {new Uri(baseUrl, "v1/chat/completions")} \\\n  -H \"Authorization: Bearer {KeyPlaceholder}\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{body.Replace("'", "'\\''", StringComparison.Ordinal)}'";
    }

    public static string Python(Uri baseUrl, string modelId)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return $"""
            from openai import OpenAI

            client = OpenAI(base_url="{new Uri(baseUrl, "v1")}", api_key="{KeyPlaceholder}")
            reply = client.chat.completions.create(
                model={JsonSerializer.Serialize(modelId)},
                messages=[{"{"}"role": "user", "content": "Hello!"{"}"}],
            )
            print(reply.choices[0].message.content)
            """;
    }

    public static string Anthropic(Uri baseUrl, string modelId)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return $"""
            import anthropic

            client = anthropic.Anthropic(base_url="{new Uri(baseUrl, "anthropic")}", api_key="{KeyPlaceholder}")
            message = client.messages.create(
                model={JsonSerializer.Serialize(modelId)},
                max_tokens=256,
                messages=[{"{"}"role": "user", "content": "Hello!"{"}"}],
            )
            print(message.content[0].text)
            """;
    }
}
