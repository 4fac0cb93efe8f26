using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Api.Metering;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Api.OpenAi;

/// <summary><c>POST /v1/chat/completions</c>.</summary>
public static class ChatCompletionsApi
{
    public static RouteGroupBuilder MapChatCompletionsApi(this RouteGroupBuilder group)
    {
        group.MapPost("/chat/completions", CreateAsync).WithName("CreateChatCompletion").WithSummary("Answers a conversation");
        return group;
    }

    /// <summary>The handler; the playground maps it too (<see cref="Playground.PlaygroundApi"/>).</summary>
    internal static async Task<IResult> CreateAsync(HttpContext http, IModelProvider models, CreditMetering metering, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var call = ApiCall.Of(http);
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var model = await GenerationGuard.ResolveModelAsync(http, models, body, cancellationToken);
        var messages = ChatMessages.ToTemplateMessages(body.Node("messages"));
        var tools = ReadTools(body, model);
        var jsonObject = ReadResponseFormat(body);
        var wantLogprobs = body.OptionalBool("logprobs") ?? false;
        var topLogprobs = body.OptionalInt("top_logprobs", 0, 20);
        if (topLogprobs is not null && !wantLogprobs)
        {
            throw ApiException.InvalidParameter("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.");
        }

        var asTokenIds = body.OptionalBool("return_tokens_as_token_ids") ?? false;
        var stream = body.OptionalBool("stream") ?? false;
        var includeUsage = OpenAiSampling.IncludeUsageInStream(body);

        var prompt = model.EncodePrompt(model.RenderChat(messages, tools, addGenerationPrompt: true), isRenderedChat: true);
        var maxParam = body.Has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        var requested = body.OptionalInt(maxParam, 0, int.MaxValue);
        var remaining = model.Descriptor.ContextLength - prompt.Count;
        var maxNew = GenerationGuard.FitToContext(model, prompt.Count, requested ?? Math.Max(remaining, 1), clamp: requested is null, maxParam, "messages");
        var request = OpenAiSampling.Read(body, prompt, maxNew) with
        {
            TopLogprobs = wantLogprobs ? topLogprobs ?? 0 : null,
            JsonObject = jsonObject,
        };
        GenerationGuard.CheckSupported(model, request);
        call.Metered = true;
        call.Streamed = stream;
        call.PromptTokens = prompt.Count;
        await call.ReserveTokensAsync(prompt.Count, (long)request.MaxNewTokens * Math.Max(request.N, request.BestOf), cancellationToken);

        await metering.ReserveAsync(call, model.Descriptor, prompt.Count, request.MaxNewTokens * Math.Max(request.N, request.BestOf), cancellationToken);
        var id = "chatcmpl-" + call.InferenceId[4..];
        var created = OpenAiShapes.Created();
        var modelId = model.Descriptor.Id;
        if (stream)
        {
            ServerSentEvents.Start(http.Response);
            for (var i = 0; i < request.N; i++)
            {
                await ServerSentEvents.WriteDataAsync(http.Response,
                    Chunk(id, created, modelId, i, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null, null), cancellationToken);
            }

            var finishedTokens = 0;
            await foreach (var update in model.GenerateAsync(request, cancellationToken))
            {
                call.Produced(update);
                // Kept current on every update so a cancelled stream is billed for what it produced.
                call.CompletionTokens = finishedTokens + update.CompletionTokens;
                var lp = wantLogprobs && update.Logprobs is { Count: > 0 } l ? OpenAiLogprobs.Chat(l, asTokenIds) : null;
                if (update.Text.Length > 0 || lp is not null)
                {
                    await ServerSentEvents.WriteDataAsync(http.Response,
                        Chunk(id, created, modelId, update.ChoiceIndex, new JsonObject { ["content"] = update.Text }, lp, null), cancellationToken);
                }

                if (update.FinishReason is { } reason)
                {
                    finishedTokens += update.CompletionTokens;
                    await ServerSentEvents.WriteDataAsync(http.Response,
                        Chunk(id, created, modelId, update.ChoiceIndex, new JsonObject(), null, OpenAiShapes.FinishReason(reason)), cancellationToken);
                }
            }

            if (includeUsage)
            {
                await ServerSentEvents.WriteDataAsync(http.Response, OpenAiShapes.Envelope(id, "chat.completion.chunk", created, modelId, [], OpenAiShapes.Usage(call.PromptTokens, call.CompletionTokens)), cancellationToken);
            }

            await ServerSentEvents.WriteDoneAsync(http.Response, cancellationToken);
            return TypedResults.Empty;
        }

        var accumulator = new ChoiceAccumulator();
        await foreach (var update in model.GenerateAsync(request, cancellationToken))
        {
            call.Produced(update);
            accumulator.Add(update);
        }

        call.CompletionTokens = accumulator.CompletionTokens;
        var choices = new JsonArray();
        foreach (var choice in accumulator.Choices)
        {
            var text = choice.Text.ToString();
            var message = new JsonObject { ["role"] = "assistant", ["content"] = text, ["refusal"] = null };
            var calledTools = false;
            if (tools is not null)
            {
                var (rest, calls) = ToolCallParser.Parse(text);
                if (calls.Count > 0)
                {
                    calledTools = true;
                    message["content"] = rest.Length > 0 ? rest : null;
                    message["tool_calls"] = new JsonArray(calls.Select(c => (JsonNode)new JsonObject
                    {
                        ["id"] = c.Id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Arguments.ToJsonString() },
                    }).ToArray());
                }
            }

            choices.Add(new JsonObject
            {
                ["index"] = choice.Index,
                ["message"] = message,
                ["logprobs"] = wantLogprobs ? OpenAiLogprobs.Chat(choice.Logprobs, asTokenIds) : null,
                ["finish_reason"] = OpenAiShapes.FinishReason(choice.FinishReason, calledTools),
            });
        }

        return TypedResults.Json(OpenAiShapes.Envelope(id, "chat.completion", created, modelId, choices, OpenAiShapes.Usage(call.PromptTokens, call.CompletionTokens)));
    }

    private static JsonObject Chunk(string id, long created, string model, int index, JsonObject delta, JsonObject? logprobs, string? finishReason) =>
        OpenAiShapes.Envelope(id, "chat.completion.chunk", created, model, new JsonArray(new JsonObject
        {
            ["index"] = index,
            ["delta"] = delta,
            ["logprobs"] = logprobs,
            ["finish_reason"] = finishReason,
        }));

    /// <summary>Tools go into the chat template; a model whose template has no tool format cannot take them.</summary>
    private static JsonArray? ReadTools(JsonBody body, ITextModel model)
    {
        switch (body.Node("tools"))
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
                    if (tool is not JsonObject t || t["function"] is not JsonObject f || f["name"] is not JsonValue)
                    {
                        throw ApiException.InvalidParameter("tools", "'tools' entries must be {\"type\":\"function\",\"function\":{\"name\":...,\"parameters\":{...}}}.");
                    }
                }

                return (JsonArray)tools.DeepClone();
            default:
                throw ApiException.InvalidParameter("tools", "'tools' must be an array.");
        }
    }

    private static bool ReadResponseFormat(JsonBody body)
    {
        switch (body.Node("response_format"))
        {
            case null:
                return false;
            case JsonObject format when format["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String:
                return t.GetValue<string>() switch
                {
                    "text" => false,
                    "json_object" => true,
                    var other => throw ApiException.InvalidParameter("response_format", $"'response_format.type' must be 'text' or 'json_object', got '{other}'."),
                };
            default:
                throw ApiException.InvalidParameter("response_format", "'response_format' must be an object with a 'type'.");
        }
    }
}
