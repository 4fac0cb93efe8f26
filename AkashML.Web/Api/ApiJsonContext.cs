using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AkashML.Web.Api.Anthropic;
using AkashML.Web.Api.OpenAi;

namespace AkashML.Web.Api;

/// <summary>
/// The request bodies and answers of the generating routes, read and written by System.Text.Json's source generator
/// (no reflection on the request path). Names are the APIs' snake_case; numbers must be JSON numbers; text is written
/// unescaped beyond what JSON requires, as the providers do.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChatCompletionBody))]
[JsonSerializable(typeof(CompletionBody))]
[JsonSerializable(typeof(MessagesBody))]
[JsonSerializable(typeof(OpenAiResponse<ChatChoice>))]
[JsonSerializable(typeof(OpenAiResponse<ChatChunkChoice>))]
[JsonSerializable(typeof(OpenAiResponse<TextChoice>))]
[JsonSerializable(typeof(AnthropicMessage))]
[JsonSerializable(typeof(AnthropicUsage))]
[JsonSerializable(typeof(TextDeltaEvent))]
[JsonSerializable(typeof(JsonNode))]
public sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>The context the routes use: the generated metadata with relaxed escaping.</summary>
    public static ApiJsonContext Api { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
