using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Structured;
using AkashML.Web.Gateway;

namespace AkashML.Web.Api.Anthropic;

/// <summary>
/// Anthropic's structured outputs as a grammar: <c>output_config.format</c> (or the beta's <c>output_format</c>) of type
/// <c>json_schema</c> constrains the text to the schema; tools with <c>strict: true</c> get <c>input</c> valid against
/// their <c>input_schema</c>, under <c>tool_choice</c>. The same compiler as the OpenAI route's json_schema and strict
/// tools, so the supported subset and its 400s are the same.
/// </summary>
internal static class AnthropicStructuredOutput
{
    /// <summary>The grammar the request asks for, or null; 400 naming the parameter for a schema outside the subset.</summary>
    public static StructuredGrammar? Read(MessagesBody body, JsonArray? templateTools)
    {
        var (parameter, format) = (body.OutputConfig, body.OutputFormat) switch
        {
            (null, null) => (null, null),
            ({ } _, { } _) => throw ApiException.InvalidParameter("output_format", "Use 'output_config.format' or 'output_format', not both."),
            ({ } config, null) => ("output_config", config is JsonObject o
                ? o["format"]
                : throw ApiException.InvalidParameter("output_config", "'output_config' must be an object.")),
            (null, { } beta) => ("output_format", beta),
        };

        var schema = format is null ? null : ReadSchema(parameter!, format);
        var (choice, name) = ReadToolChoice(body.ToolChoice);
        if (schema is not null)
        {
            return Compile(parameter!, () => JsonSchemaCompiler.CompileResponseFormat(schema, $"{parameter}.schema", parameter!));
        }

        if (templateTools is null)
        {
            return name is null ? null : throw ApiException.InvalidParameter("tool_choice", "'tool_choice' names a tool, but there are no 'tools'.");
        }

        return Compile("tools", () => ToolCallGrammar.Build(templateTools, choice, name));
    }

    private static JsonObject ReadSchema(string parameter, JsonNode format)
    {
        var path = parameter == "output_config" ? "output_config.format" : parameter;
        if (format is not JsonObject o || o["type"] is not JsonValue type || type.GetValueKind() != JsonValueKind.String)
        {
            throw ApiException.InvalidParameter(parameter, $"'{path}' must be an object with a 'type'.");
        }

        if (type.GetValue<string>() != "json_schema")
        {
            throw ApiException.InvalidParameter(parameter, $"'{path}.type' must be 'json_schema', got '{type.GetValue<string>()}'.");
        }

        return o["schema"] as JsonObject ?? throw ApiException.InvalidParameter(parameter, $"'{path}.schema' must be a JSON Schema object.");
    }

    /// <summary>auto → prose and calls; any → one call of any tool; tool → one call of that tool; none → no calls.</summary>
    private static (string Choice, string? Name) ReadToolChoice(JsonNode? node)
    {
        if (node is null)
        {
            return ("auto", null);
        }

        if (node is JsonObject o && o["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String)
        {
            switch (type.GetValue<string>())
            {
                case "auto":
                    return ("auto", null);
                case "any":
                    return ("required", null);
                case "none":
                    return ("none", null);
                case "tool" when o["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String:
                    return ("required", name.GetValue<string>());
            }
        }

        throw ApiException.InvalidParameter("tool_choice", "'tool_choice' must be {\"type\":\"auto\"}, {\"type\":\"any\"}, {\"type\":\"none\"} or {\"type\":\"tool\",\"name\":...}.");
    }

    private static StructuredGrammar? Compile(string parameter, Func<StructuredGrammar?> compile)
    {
        try
        {
            return compile();
        }
        catch (SchemaNotSupportedException ex)
        {
            throw ApiException.InvalidParameter(ex.Parameter ?? parameter, ex.Message);
        }
    }
}
