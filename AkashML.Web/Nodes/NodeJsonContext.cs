using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkashML.Web.Nodes;

/// <summary>The node protocol's JSON, snake_case, by the source generator (both ends use it).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeGenerateBody))]
[JsonSerializable(typeof(NodeStreamLine))]
[JsonSerializable(typeof(NodeError))]
[JsonSerializable(typeof(NodeHealth))]
public sealed partial class NodeJsonContext : JsonSerializerContext
{
    public static NodeJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
