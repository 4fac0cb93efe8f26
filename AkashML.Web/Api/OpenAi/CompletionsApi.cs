using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Gateway;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Api.OpenAi;

/// <summary><c>POST /v1/completions</c>: the legacy text completion API.</summary>
public static class CompletionsApi
{
    private const int DefaultMaxTokens = 16;

    public static RouteGroupBuilder MapCompletionsApi(this RouteGroupBuilder group)
    {
        group.MapPost("/completions", CreateAsync).WithName("CreateCompletion").WithSummary("Completes a text prompt");
        return group;
    }

    private static async Task<Results<JsonHttpResult<OpenAiResponse<TextChoice>>, EmptyHttpResult>> CreateAsync(HttpContext http, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var call = http.Features.GetRequiredFeature<GatewayCall>();
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var model = await call.ResolveModelAsync(body, cancellationToken);
        var completion = body.Read(ApiJsonContext.Default.CompletionBody);
        if (completion.Suffix is not null)
        {
            throw ApiException.InvalidParameter("suffix", $"The model '{model.Descriptor.Id}' does not support 'suffix' (fill-in-the-middle).");
        }

        var prompts = ReadPrompts(completion.Prompt, model);
        var echo = completion.Echo ?? false;
        var logprobs = JsonBody.InRange(completion.Logprobs, "logprobs", 0, 5);
        var bestOf = JsonBody.InRange(completion.BestOf, "best_of", 1, 16);
        var asTokenIds = completion.ReturnTokensAsTokenIds ?? false;
        var stream = completion.Stream ?? false;
        var includeUsage = OpenAiSampling.IncludeUsageInStream(completion);
        var requestedMax = completion.MaxTokens ?? DefaultMaxTokens;

        var requests = new List<GenerationRequest>(prompts.Count);
        foreach (var prompt in prompts)
        {
            var max = GenerationGuard.FitToContext(model, prompt.Count, requestedMax, clamp: false, "max_tokens", "prompt");
            var request = OpenAiSampling.Read(completion, prompt, max) with { TopLogprobs = logprobs };
            if (bestOf is { } b)
            {
                if (b < request.N)
                {
                    throw ApiException.InvalidParameter("best_of", "'best_of' must be greater than or equal to 'n'.");
                }

                if (stream && b > request.N)
                {
                    throw ApiException.InvalidParameter("best_of", "'best_of' greater than 'n' cannot be streamed.");
                }

                request = request with { BestOf = b };
            }

            GenerationGuard.CheckSupported(model, request);
            requests.Add(request);
        }

        await call.ReserveAsync(model, prompts.Sum(p => p.Count), requests.Sum(r => (long)r.MaxNewTokens * Math.Max(r.N, r.BestOf)), stream, cancellationToken);
        var id = "cmpl-" + call.InferenceId[4..];
        var created = OpenAiShapes.Created();
        var modelId = model.Descriptor.Id;

        var typeInfo = ApiJsonContext.Api.OpenAiResponseTextChoice;
        if (stream)
        {
            ServerSentEvents.Start(http.Response);
            for (var p = 0; p < requests.Count; p++)
            {
                var firstIndex = p * requests[p].N;
                if (echo)
                {
                    for (var i = 0; i < requests[p].N; i++)
                    {
                        await ServerSentEvents.WriteDataAsync(http.Response,
                            Chunk(id, created, modelId, new(firstIndex + i, model.Tokenizer.Decode(prompts[p]), null, null)), typeInfo, cancellationToken);
                    }
                }

                await foreach (var update in call.GenerateAsync(model, requests[p], cancellationToken))
                {
                    var lp = logprobs is not null && update.Logprobs is { Count: > 0 } l ? OpenAiLogprobs.Legacy(l, asTokenIds, 0) : null;
                    if (update.Text.Length > 0 || lp is not null || update.FinishReason is not null)
                    {
                        await ServerSentEvents.WriteDataAsync(http.Response,
                            Chunk(id, created, modelId, new(firstIndex + update.ChoiceIndex, update.Text, lp,
                                update.FinishReason is { } r ? OpenAiShapes.FinishReason(r) : null)), typeInfo, cancellationToken);
                    }
                }
            }

            if (includeUsage)
            {
                await ServerSentEvents.WriteDataAsync(http.Response,
                    new OpenAiResponse<TextChoice>(id, "text_completion", created, modelId, [], new OpenAiUsage(call.PromptTokens, call.CompletionTokens, call.CachedPromptTokens)), typeInfo, cancellationToken);
            }

            await ServerSentEvents.WriteDoneAsync(http.Response, cancellationToken);
            return TypedResults.Empty;
        }

        var choices = new List<TextChoice>();
        for (var p = 0; p < requests.Count; p++)
        {
            var accumulator = new ChoiceAccumulator();
            await foreach (var update in call.GenerateAsync(model, requests[p], cancellationToken))
            {
                accumulator.Add(update);
            }

            var promptText = echo ? model.Tokenizer.Decode(prompts[p]) : "";
            foreach (var choice in accumulator.Choices)
            {
                choices.Add(new TextChoice(p * requests[p].N + choice.Index, promptText + choice.Text,
                    logprobs is null ? null : OpenAiLogprobs.Legacy(choice.Logprobs, asTokenIds, promptText.Length),
                    OpenAiShapes.FinishReason(choice.FinishReason)));
            }
        }

        return TypedResults.Json(
            new OpenAiResponse<TextChoice>(id, "text_completion", created, modelId, choices, new OpenAiUsage(call.PromptTokens, call.CompletionTokens, call.CachedPromptTokens)), typeInfo);
    }

    private static OpenAiResponse<TextChoice> Chunk(string id, long created, string model, TextChoice choice) =>
        new(id, "text_completion", created, model, [choice]);

    /// <summary>prompt: a string, an array of strings, an array of token ids, or an array of token-id arrays.</summary>
    private static List<IReadOnlyList<int>> ReadPrompts(JsonNode? prompt, ITextModel model)
    {
        const string Param = "prompt";
        var node = prompt ?? throw ApiException.InvalidParameter(Param, "'prompt' is required.");
        var prompts = new List<IReadOnlyList<int>>();
        switch (node)
        {
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                prompts.Add(model.EncodePrompt(v.GetValue<string>(), isRenderedChat: false));
                break;
            case JsonArray { Count: 0 }:
                throw ApiException.InvalidParameter(Param, "'prompt' must not be empty.");
            case JsonArray array when array.All(i => i is JsonValue s && s.GetValueKind() == JsonValueKind.String):
                prompts.AddRange(array.Select(i => model.EncodePrompt(i!.GetValue<string>(), isRenderedChat: false)));
                break;
            case JsonArray array when array.All(IsTokenId):
                prompts.Add(array.Select(i => i!.GetValue<int>()).ToList());
                break;
            case JsonArray array when array.All(i => i is JsonArray inner && inner.Count > 0 && inner.All(IsTokenId)):
                prompts.AddRange(array.Select(i => (IReadOnlyList<int>)i!.AsArray().Select(t => t!.GetValue<int>()).ToList()));
                break;
            default:
                throw ApiException.InvalidParameter(Param, "'prompt' must be a string, an array of strings, an array of token ids, or an array of token-id arrays.");
        }

        if (prompts.Count > 64)
        {
            throw ApiException.InvalidParameter(Param, string.Create(CultureInfo.InvariantCulture, $"At most 64 prompts per request, got {prompts.Count}."));
        }

        foreach (var ids in prompts)
        {
            GenerationGuard.CheckTokenIds(model.Tokenizer, ids, Param);
        }

        return prompts;
    }

    private static bool IsTokenId(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out _);
}
