using System.Text.Json.Serialization;
using AkashML.Web.Api.Anthropic;
using AkashML.Web.Api.OpenAi;

namespace AkashML.Web.Api;

/// <summary>
/// The request bodies of the generating routes, read by System.Text.Json's source generator (no reflection on the
/// request path). Names are the APIs' snake_case; numbers must be JSON numbers.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChatCompletionBody))]
[JsonSerializable(typeof(CompletionBody))]
[JsonSerializable(typeof(MessagesBody))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
