using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Gateway;
using Microsoft.AspNetCore.Http.Features;
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

    /// <summary>The handler: reads the request (<see cref="ChatRequest"/>, shared with the in-process gateway), reserves, streams or answers.</summary>
    internal static async Task<IResult> CreateAsync(HttpContext http, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var call = http.Features.GetRequiredFeature<GatewayCall>();
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var chat = await ChatRequest.ReadAsync(call, body, cancellationToken);
        await chat.ReserveAsync(call, cancellationToken);
        var (model, request, tools) = (chat.Model, chat.Generation, chat.Tools);
        var (wantLogprobs, asTokenIds) = (chat.WantLogprobs, chat.TokenIdsAsText);
        var id = "chatcmpl-" + call.InferenceId[4..];
        var created = OpenAiShapes.Created();
        var modelId = model.Descriptor.Id;
        if (chat.Stream)
        {
            ServerSentEvents.Start(http.Response);
            for (var i = 0; i < request.N; i++)
            {
                await ServerSentEvents.WriteDataAsync(http.Response,
                    Chunk(id, created, modelId, i, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null, null), cancellationToken);
            }

            await foreach (var update in call.GenerateAsync(model, request, cancellationToken))
            {
                var lp = wantLogprobs && update.Logprobs is { Count: > 0 } l ? OpenAiLogprobs.Chat(l, asTokenIds) : null;
                if (update.Text.Length > 0 || lp is not null)
                {
                    await ServerSentEvents.WriteDataAsync(http.Response,
                        Chunk(id, created, modelId, update.ChoiceIndex, new JsonObject { ["content"] = update.Text }, lp, null), cancellationToken);
                }

                if (update.FinishReason is { } reason)
                {
                    await ServerSentEvents.WriteDataAsync(http.Response,
                        Chunk(id, created, modelId, update.ChoiceIndex, new JsonObject(), null, OpenAiShapes.FinishReason(reason)), cancellationToken);
                }
            }

            if (chat.IncludeUsage)
            {
                await ServerSentEvents.WriteDataAsync(http.Response, OpenAiShapes.Envelope(id, "chat.completion.chunk", created, modelId, [], OpenAiShapes.Usage(call.PromptTokens, call.CompletionTokens)), cancellationToken);
            }

            await ServerSentEvents.WriteDoneAsync(http.Response, cancellationToken);
            return TypedResults.Empty;
        }

        var accumulator = new ChoiceAccumulator();
        await foreach (var update in call.GenerateAsync(model, request, cancellationToken))
        {
            accumulator.Add(update);
        }

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
}
