using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Gateway;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Api.Anthropic;

/// <summary><c>POST /anthropic/v1/messages</c> and <c>/messages/count_tokens</c>, as Anthropic's API and Claude Code use them.</summary>
public static class MessagesApi
{
    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder group)
    {
        group.MapPost("/messages", CreateAsync).WithName("CreateMessage").WithSummary("Answers a conversation (Anthropic shape)");
        group.MapPost("/messages/count_tokens", CountTokensAsync).WithName("CountMessageTokens");
        return group;
    }

    private static async Task<IResult> CountTokensAsync(HttpContext http, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var call = http.Features.GetRequiredFeature<GatewayCall>();
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var model = await call.ResolveModelAsync(body, cancellationToken);
        var prompt = Prompt(body.Read(ApiJsonContext.Default.MessagesBody), model);
        return TypedResults.Json(new JsonObject { ["input_tokens"] = prompt.Count });
    }

    private static async Task<Results<JsonHttpResult<AnthropicMessage>, EmptyHttpResult>> CreateAsync(HttpContext http, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var call = http.Features.GetRequiredFeature<GatewayCall>();
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var model = await call.ResolveModelAsync(body, cancellationToken);
        var messages = body.Read(ApiJsonContext.Default.MessagesBody);
        var maxTokens = JsonBody.InRange(messages.MaxTokens, "max_tokens", 1, int.MaxValue) ?? throw ApiException.InvalidParameter("max_tokens", "'max_tokens' is required.");
        var prompt = Prompt(messages, model);
        var stream = messages.Stream ?? false;
        var tools = model.SupportsTools ? AnthropicMessages.ToTemplateTools(messages.Tools) : null;
        var grammar = AnthropicStructuredOutput.Read(messages, tools);
        var request = new GenerationRequest
        {
            PromptTokens = prompt,
            // Claude Code asks for 32000; a smaller model's remaining context is what it gets.
            MaxNewTokens = GenerationGuard.FitToContext(model, prompt.Count, maxTokens, clamp: true, "max_tokens", "messages"),
            Temperature = JsonBody.InRange(messages.Temperature, "temperature", 0, 1) ?? 1.0,
            TopP = JsonBody.InRange(messages.TopP, "top_p", 0, 1) ?? 1.0,
            TopK = JsonBody.InRange(messages.TopK, "top_k", 0, 1_000_000) ?? 0,
            StopSequences = ReadStopSequences(messages.StopSequences),
            Grammar = grammar,
        };
        CheckGrammarFits(request, messages);
        GenerationGuard.CheckSupported(model, request);

        // Hitting a limit the server imposed (the model's context or output cap) is the end of the model's turn; only the
        // client's own max_tokens is reported as "max_tokens" (Claude Code retries that as an over-long answer).
        var clamped = request.MaxNewTokens < maxTokens;
        await call.ReserveAsync(model, prompt.Count, request.MaxNewTokens, stream, cancellationToken);
        var id = "msg_" + call.InferenceId[4..];
        var modelId = body.RequiredString("model");

        if (stream)
        {
            ServerSentEvents.Start(http.Response);
            GenerationUpdate? last = null;
            await foreach (var update in call.GenerateAsync(model, request, cancellationToken))
            {
                if (last is null)
                {
                    await StartMessageAsync(http.Response, id, modelId, AnthropicUsage.Of(prompt.Count, call.CachedPromptTokens, 0), cancellationToken);
                }

                if (update.Text.Length > 0)
                {
                    await ServerSentEvents.WriteEventAsync(http.Response, "content_block_delta", new TextDeltaEvent(0, new TextDelta(update.Text)),
                        ApiJsonContext.Api.TextDeltaEvent, cancellationToken);
                }

                last = update;
            }

            if (last is null)
            {
                await StartMessageAsync(http.Response, id, modelId, AnthropicUsage.Of(prompt.Count, call.CachedPromptTokens, 0), cancellationToken);
            }

            await ServerSentEvents.WriteEventAsync(http.Response, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }, cancellationToken);
            await ServerSentEvents.WriteEventAsync(http.Response, "message_delta", new JsonObject
            {
                ["type"] = "message_delta",
                ["delta"] = new JsonObject { ["stop_reason"] = StopReason(last, toolUse: false, clamped), ["stop_sequence"] = last?.MatchedStopSequence },
                ["usage"] = JsonSerializer.SerializeToNode(AnthropicUsage.Of(prompt.Count, call.CachedPromptTokens, call.CompletionTokens), ApiJsonContext.Api.AnthropicUsage),
            }, cancellationToken);
            await ServerSentEvents.WriteEventAsync(http.Response, "message_stop", new JsonObject { ["type"] = "message_stop" }, cancellationToken);
            return TypedResults.Empty;
        }

        var accumulator = new ChoiceAccumulator();
        await foreach (var update in call.GenerateAsync(model, request, cancellationToken))
        {
            accumulator.Add(update);
        }

        var choice = accumulator.Choices.First();
        var text = choice.Text.ToString();
        var content = new JsonArray();
        var usedTools = false;
        if (tools is not null)
        {
            var (rest, calls) = ToolCallParser.Parse(text);
            text = rest;
            foreach (var toolCall in calls)
            {
                usedTools = true;
                content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_" + toolCall.Id[5..], ["name"] = toolCall.Name, ["input"] = toolCall.Arguments });
            }
        }

        if (text.Length > 0 || content.Count == 0)
        {
            content.Insert(0, new JsonObject { ["type"] = "text", ["text"] = text });
        }

        var final = new GenerationUpdate(0, "", [], null, choice.FinishReason, choice.CompletionTokens, choice.MatchedStopSequence);
        return TypedResults.Json(
            new AnthropicMessage(id, modelId, content, StopReason(final, usedTools, clamped), choice.MatchedStopSequence, AnthropicUsage.Of(prompt.Count, call.CachedPromptTokens, call.CompletionTokens)),
            ApiJsonContext.Api.AnthropicMessage);
    }

    /// <summary>
    /// <c>message_start</c> (its usage split into cached and uncached input as the final usage is), the text block's
    /// start and a ping. Written on the generator's first update, once the prefill has said how much of the prompt the
    /// prefix cache held, so the stream's first usage already matches its last; a failure before it keeps its status.
    /// </summary>
    private static async Task StartMessageAsync(HttpResponse response, string id, string modelId, AnthropicUsage usage, CancellationToken cancellationToken)
    {
        await ServerSentEvents.WriteEventAsync(response, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = JsonSerializer.SerializeToNode(new AnthropicMessage(id, modelId, [], null, null, usage), ApiJsonContext.Api.AnthropicMessage),
        }, cancellationToken);
        await ServerSentEvents.WriteEventAsync(response, "content_block_start", new JsonObject
        {
            ["type"] = "content_block_start",
            ["index"] = 0,
            ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
        }, cancellationToken);
        await ServerSentEvents.WriteEventAsync(response, "ping", new JsonObject { ["type"] = "ping" }, cancellationToken);
    }

    /// <summary>A schema's document must be able to close within the answer, and no stop sequence may cut it.</summary>
    private static void CheckGrammarFits(GenerationRequest request, MessagesBody body)
    {
        if (request.Grammar is not { } grammar)
        {
            return;
        }

        if (request.StopSequences.Count > 0 && (body.OutputConfig is not null || body.OutputFormat is not null))
        {
            throw ApiException.InvalidParameter("stop_sequences", "'stop_sequences' cannot be combined with a json_schema output format: a stop sequence could cut the document short.");
        }

        if (grammar.MinLength > request.MaxNewTokens)
        {
            throw ApiException.InvalidParameter("max_tokens", string.Create(CultureInfo.InvariantCulture,
                $"The shortest output that satisfies '{grammar.Parameter}' needs up to {grammar.MinLength} tokens, but only {request.MaxNewTokens} may be generated ('max_tokens' or the context left)."));
        }
    }

    private static IReadOnlyList<int> Prompt(MessagesBody body, ITextModel model)
    {
        var messages = AnthropicMessages.ToTemplateMessages(body.System, body.Messages);
        var tools = model.SupportsTools ? AnthropicMessages.ToTemplateTools(body.Tools) : null;
        return model.EncodePrompt(model.RenderChat(messages, tools, addGenerationPrompt: true), isRenderedChat: true);
    }

    private static IReadOnlyList<string> ReadStopSequences(JsonNode? stopSequences) => stopSequences switch
    {
        null => [],
        JsonArray array when array.All(s => s is JsonValue v && v.GetValueKind() == JsonValueKind.String) =>
            array.Select(s => s!.GetValue<string>()).Where(s => s.Length > 0).ToList(),
        _ => throw ApiException.InvalidParameter("stop_sequences", "'stop_sequences' must be an array of strings."),
    };

    private static string StopReason(GenerationUpdate? last, bool toolUse, bool clamped) => last switch
    {
        _ when toolUse => "tool_use",
        { MatchedStopSequence: not null } => "stop_sequence",
        { FinishReason: FinishReason.Length } when !clamped => "max_tokens",
        _ => "end_turn",
    };
}
