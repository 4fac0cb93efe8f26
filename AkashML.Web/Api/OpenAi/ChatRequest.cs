using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Generation.Structured;
using AkashML.Inference.Serving;
using AkashML.Web.Gateway;

namespace AkashML.Web.Api.OpenAi;

/// <summary>
/// A chat-completions request read and checked, ready to generate: the model (or the caller's preset, merged in), the
/// messages rendered with the model's chat template, the answer length fitted to the context and the sampling
/// parameters. The HTTP handler (<see cref="ChatCompletionsApi"/>) and the in-process gateway (the playground) read
/// requests here alike, so both accept and refuse the same bodies with the same messages.
/// </summary>
public sealed record ChatRequest(
    ITextModel Model,
    GenerationRequest Generation,
    JsonArray? Tools,
    bool WantLogprobs,
    bool TokenIdsAsText,
    bool Stream,
    bool IncludeUsage)
{
    /// <summary>The most completion tokens the request may produce across all its choices (what is reserved).</summary>
    public long MaxCompletionTokens => (long)Generation.MaxNewTokens * Math.Max(Generation.N, Generation.BestOf);

    /// <summary>
    /// Reads <paramref name="body"/> for <paramref name="call"/>: 400 naming the parameter, 404 for an unknown model or
    /// preset (the call resolves it).
    /// </summary>
    public static async Task<ChatRequest> ReadAsync(GatewayCall call, JsonBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(body);
        var model = await call.ResolveModelAsync(body, cancellationToken);
        var chat = body.Read(ApiJsonContext.Default.ChatCompletionBody);
        var messages = ChatMessages.ToTemplateMessages(chat.Messages);
        var tools = ReadTools(chat.Tools, model);
        var (jsonObject, schema) = ReadResponseFormat(chat.ResponseFormat);
        var grammar = schema ?? ReadToolGrammar(tools, chat.ToolChoice);
        var wantLogprobs = chat.Logprobs ?? false;
        var topLogprobs = JsonBody.InRange(chat.TopLogprobs, "top_logprobs", 0, 20);
        if (topLogprobs is not null && !wantLogprobs)
        {
            throw ApiException.InvalidParameter("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.");
        }

        var asTokenIds = chat.ReturnTokensAsTokenIds ?? false;
        var stream = chat.Stream ?? false;
        var includeUsage = OpenAiSampling.IncludeUsageInStream(chat);

        var prompt = model.EncodePrompt(model.RenderChat(messages, tools, addGenerationPrompt: true), isRenderedChat: true);
        var (maxParam, requested) = chat.MaxCompletionTokens is { } completion ? ("max_completion_tokens", (int?)completion) : ("max_tokens", chat.MaxTokens);
        var remaining = model.Descriptor.ContextLength - prompt.Count;
        var maxNew = GenerationGuard.FitToContext(model, prompt.Count, requested ?? Math.Max(remaining, 1), clamp: requested is null, maxParam, "messages");
        var request = OpenAiSampling.Read(chat, prompt, maxNew) with
        {
            TopLogprobs = wantLogprobs ? topLogprobs ?? 0 : null,
            JsonObject = jsonObject,
            Grammar = grammar,
        };
        if (schema is not null && request.StopSequences.Count > 0)
        {
            throw ApiException.InvalidParameter("stop", "'stop' cannot be combined with a json_schema response format: a stop sequence could cut the document short.");
        }

        if (grammar is not null && grammar.MinLength > maxNew)
        {
            throw ApiException.InvalidParameter(requested is null ? "messages" : maxParam, string.Create(CultureInfo.InvariantCulture,
                $"The shortest output that satisfies '{grammar.Parameter}' needs up to {grammar.MinLength} tokens, but only {maxNew} may be generated ('{maxParam}' or the context left)."));
        }

        GenerationGuard.CheckSupported(model, request);
        return new ChatRequest(model, request, tools, wantLogprobs, asTokenIds, stream, includeUsage);
    }

    /// <summary>Reserves before generating: the key's tokens per minute (429) and the credits (402), together.</summary>
    public Task ReserveAsync(GatewayCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call.ReserveAsync(Model, Generation.PromptTokens.Count, MaxCompletionTokens, Stream, cancellationToken);
    }

    /// <summary>Tools go into the chat template; a model whose template has no tool format cannot take them.</summary>
    private static JsonArray? ReadTools(JsonNode? node, ITextModel model)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonArray { Count: 0 }:
                return null;
            case JsonArray tools:
                if (!model.SupportsTools)
                {
                    throw ApiException.InvalidParameter("tools", $"The model '{model.Descriptor.Id}' has no tool-calling format in its chat template, so 'tools' cannot be used.");
                }

                foreach (var tool in tools)
                {
                    if (tool is not JsonObject t || t["function"] is not JsonObject f || f["name"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String)
                    {
                        throw ApiException.InvalidParameter("tools", "'tools' entries must be {\"type\":\"function\",\"function\":{\"name\":...,\"parameters\":{...}}}.");
                    }
                }

                return (JsonArray)tools.DeepClone();
            default:
                throw ApiException.InvalidParameter("tools", "'tools' must be an array.");
        }
    }

    /// <summary>json_object → the JSON grammar; json_schema → its schema compiled (400 naming the unsupported part).</summary>
    private static (bool JsonObject, StructuredGrammar? Schema) ReadResponseFormat(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return (false, null);
            case JsonObject format when format["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String:
                return t.GetValue<string>() switch
                {
                    "text" => (false, null),
                    "json_object" => (true, null),
                    "json_schema" => (false, ReadJsonSchema(format["json_schema"])),
                    var other => throw ApiException.InvalidParameter("response_format", $"'response_format.type' must be 'text', 'json_object' or 'json_schema', got '{other}'."),
                };
            default:
                throw ApiException.InvalidParameter("response_format", "'response_format' must be an object with a 'type'.");
        }
    }

    private static StructuredGrammar ReadJsonSchema(JsonNode? node)
    {
        if (node is not JsonObject jsonSchema || jsonSchema["name"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String)
        {
            throw ApiException.InvalidParameter("response_format", "'response_format.json_schema' must be an object with a 'name' and a 'schema'.");
        }

        if (jsonSchema["schema"] is not JsonObject schema)
        {
            throw ApiException.InvalidParameter("response_format", "'response_format.json_schema.schema' must be a JSON Schema object.");
        }

        return Compile(() => JsonSchemaCompiler.CompileResponseFormat(schema, "response_format.json_schema.schema"));
    }

    /// <summary>Strict tools constrain the answer's tool calls; tool_choice picks auto, none, required or one function.</summary>
    private static StructuredGrammar? ReadToolGrammar(JsonArray? tools, JsonNode? toolChoice)
    {
        var (choice, function) = toolChoice switch
        {
            null => ("auto", null),
            JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "auto" or "none" or "required" => (v.GetValue<string>(), null),
            JsonObject { } o when o["function"]?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String => ("required", n.GetValue<string>()),
            _ => throw ApiException.InvalidParameter("tool_choice", "'tool_choice' must be 'auto', 'none', 'required' or {\"type\":\"function\",\"function\":{\"name\":...}}."),
        };
        if (tools is null)
        {
            return function is null ? null : throw ApiException.InvalidParameter("tool_choice", "'tool_choice' names a function, but there are no 'tools'.");
        }

        return Compile(() => ToolCallGrammar.Build(tools, choice, function));
    }

    private static T Compile<T>(Func<T> compile)
    {
        try
        {
            return compile();
        }
        catch (SchemaNotSupportedException ex)
        {
            throw ApiException.InvalidParameter(ex.Parameter ?? "response_format", ex.Message);
        }
    }
}
