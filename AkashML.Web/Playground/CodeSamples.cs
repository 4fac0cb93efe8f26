using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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

    /// <summary>
    /// The playground's current request — <paramref name="body"/>, an OpenAI chat-completions body — as code in
    /// <paramref name="language"/>, against this instance's <c>/v1</c> with a key placeholder.
    /// </summary>
    public static string Chat(Uri baseUrl, JsonObject body, CodeLanguage language)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(body);
        var v1 = new Uri(baseUrl, "v1").ToString();
        var json = body.ToJsonString(Indented);
        switch (language)
        {
            case CodeLanguage.Python:
                var python = new StringBuilder();
                python.Append(CultureInfo.InvariantCulture, $"from openai import OpenAI\n\nclient = OpenAI(\n    base_url=\"{v1}\",\n    api_key=\"{KeyPlaceholder}\",\n)\n\n");
                python.Append("completion = client.chat.completions.create(\n");
                foreach (var (name, value) in body)
                {
                    python.Append(CultureInfo.InvariantCulture, $"    {name}={PythonValue(value, 4)},\n");
                }

                python.Append(")\nprint(completion.choices[0].message.content)\n");
                return python.ToString();
            case CodeLanguage.JavaScript:
                return $"import OpenAI from \"openai\";\n\nconst client = new OpenAI({{\n  baseURL: \"{v1}\",\n  apiKey: \"{KeyPlaceholder}\",\n}});\n\n"
                    + $"const completion = await client.chat.completions.create({json});\nconsole.log(completion.choices[0].message.content);\n";
            case CodeLanguage.CSharp:
                return "using System.Net.Http.Headers;\nusing System.Text;\n\n"
                    + $"using var http = new HttpClient {{ BaseAddress = new Uri(\"{v1}/\") }};\n"
                    + $"http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(\"Bearer\", \"{KeyPlaceholder}\");\n\n"
                    + $"var body = {RawFence(json)}\n{json}\n{RawFence(json)};\n"
                    + "using var response = await http.PostAsync(\"chat/completions\", new StringContent(body, Encoding.UTF8, \"application/json\"));\n"
                    + "response.EnsureSuccessStatusCode();\nConsole.WriteLine(await response.Content.ReadAsStringAsync());\n";
            default:
                return $"curl {v1}/chat/completions \\\n  -H \"Authorization: Bearer {KeyPlaceholder}\" \\\n  -H \"Content-Type: application/json\" \\\n"
                    + $"  -d '{json.Replace("'", "'\\''", StringComparison.Ordinal)}'\n";
        }
    }

    /// <summary>A C# raw string delimiter longer than any run of quotes in <paramref name="text"/>.</summary>
    private static string RawFence(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '"' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return new string('"', Math.Max(3, longest + 1));
    }

    private static string PythonValue(JsonNode? value, int indent) => value switch
    {
        null => "None",
        JsonValue v when v.GetValueKind() == JsonValueKind.True => "True",
        JsonValue v when v.GetValueKind() == JsonValueKind.False => "False",
        JsonArray array when array.All(item => item is not JsonObject and not JsonArray) =>
            "[" + string.Join(", ", array.Select(item => PythonValue(item, indent))) + "]",
        JsonArray array => "[\n" + string.Concat(array.Select(item => new string(' ', indent + 4) + PythonValue(item, indent + 4) + ",\n")) + new string(' ', indent) + "]",
        JsonObject obj => "{" + string.Join(", ", obj.Select(p => JsonSerializer.Serialize(p.Key) + ": " + PythonValue(p.Value, indent))) + "}",
        _ => value.ToJsonString(),
    };
}
