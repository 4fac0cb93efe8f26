using AkashML.Web.Gateway;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
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

    /// <summary>
    /// Reads the request (<see cref="ChatRequest"/>, shared with the playground), reserves through the call, then
    /// streams chunks or answers once.
    /// </summary>
    internal static async Task<Results<JsonHttpResult<OpenAiResponse<ChatChoice>>, EmptyHttpResult>> CreateAsync(
        HttpContext http, IOptions<ApiOptions> options, CancellationToken cancellationToken)
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
            var chunks = ApiJsonContext.Api.OpenAiResponseChatChunkChoice;
            ServerSentEvents.Start(http.Response);
            for (var i = 0; i < request.N; i++)
            {
                await ServerSentEvents.WriteDataAsync(http.Response, Chunk(id, created, modelId, new(i, new ChatDelta("assistant", ""), null, null)), chunks, cancellationToken);
            }

            var toolStreams = tools is null ? null : Enumerable.Range(0, request.N).Select(_ => new ToolCallStream()).ToArray();
            await foreach (var update in call.GenerateAsync(model, request, cancellationToken))
            {
                var lp = wantLogprobs && update.Logprobs is { Count: > 0 } l ? OpenAiLogprobs.Chat(l, asTokenIds) : null;
                var toolStream = toolStreams?[update.ChoiceIndex];
                var (text, calls) = toolStream is null ? (update.Text, []) : toolStream.Append(update.Text);
                if (update.FinishReason is not null && toolStream is not null)
                {
                    text += toolStream.Flush();
                }

                if (text.Length > 0 || lp is not null)
                {
                    await ServerSentEvents.WriteDataAsync(http.Response,
                        Chunk(id, created, modelId, new(update.ChoiceIndex, new ChatDelta(Content: text), lp, null)), chunks, cancellationToken);
                }

                for (var i = 0; i < calls.Count; i++)
                {
                    var delta = new ToolCallDelta(toolStream!.CallCount - calls.Count + i, calls[i].Id, new ToolCallFunction(calls[i].Name, calls[i].Arguments.ToJsonString()));
                    await ServerSentEvents.WriteDataAsync(http.Response,
                        Chunk(id, created, modelId, new(update.ChoiceIndex, new ChatDelta(ToolCalls: [delta]), null, null)), chunks, cancellationToken);
                }

                if (update.FinishReason is { } reason)
                {
                    await ServerSentEvents.WriteDataAsync(http.Response,
                        Chunk(id, created, modelId, new(update.ChoiceIndex, new ChatDelta(), null, OpenAiShapes.FinishReason(reason, toolStream?.CallCount > 0))), chunks, cancellationToken);
                }
            }

            if (chat.IncludeUsage)
            {
                await ServerSentEvents.WriteDataAsync(http.Response,
                    new OpenAiResponse<ChatChunkChoice>(id, "chat.completion.chunk", created, modelId, [], new OpenAiUsage(call.PromptTokens, call.CompletionTokens, call.CachedPromptTokens)),
                    chunks, cancellationToken);
            }

            await ServerSentEvents.WriteDoneAsync(http.Response, cancellationToken);
            return TypedResults.Empty;
        }

        var accumulator = new ChoiceAccumulator();
        await foreach (var update in call.GenerateAsync(model, request, cancellationToken))
        {
            accumulator.Add(update);
        }

        var choices = new List<ChatChoice>();
        foreach (var choice in accumulator.Choices)
        {
            var text = choice.Text.ToString();
            var answer = new ChatAnswer(text);
            if (tools is not null && ToolCallParser.Parse(text) is { Calls.Count: > 0 } parsed)
            {
                answer = new ChatAnswer(parsed.Text.Length > 0 ? parsed.Text : null,
                    parsed.Calls.Select(c => new ToolCallAnswer(c.Id, new ToolCallFunction(c.Name, c.Arguments.ToJsonString()))).ToList());
            }

            choices.Add(new ChatChoice(choice.Index, answer, wantLogprobs ? OpenAiLogprobs.Chat(choice.Logprobs, asTokenIds) : null,
                OpenAiShapes.FinishReason(choice.FinishReason, answer.ToolCalls is not null)));
        }

        return TypedResults.Json(
            new OpenAiResponse<ChatChoice>(id, "chat.completion", created, modelId, choices, new OpenAiUsage(call.PromptTokens, call.CompletionTokens, call.CachedPromptTokens)),
            ApiJsonContext.Api.OpenAiResponseChatChoice);
    }

    private static OpenAiResponse<ChatChunkChoice> Chunk(string id, long created, string model, ChatChunkChoice choice) =>
        new(id, "chat.completion.chunk", created, model, [choice]);
}
