using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Api.OpenAi;
using Microsoft.Extensions.Options;

namespace AkashML.Web.Api.Tokenization;

/// <summary><c>POST /tokenize</c> and <c>/detokenize</c>, as vLLM and llama.cpp's server offer them (key-authenticated, not billed).</summary>
public static class TokenizationApi
{
    public static RouteGroupBuilder MapTokenizationApi(this RouteGroupBuilder group)
    {
        group.MapPost("/tokenize", TokenizeAsync).WithName("Tokenize");
        group.MapPost("/detokenize", DetokenizeAsync).WithName("Detokenize");
        return group;
    }

    private static async Task<IResult> TokenizeAsync(HttpContext http, IModelProvider models, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var model = await GenerationGuard.ResolveModelAsync(http, models, body, cancellationToken);
        IReadOnlyList<int> tokens;
        if (body.Has("messages"))
        {
            var messages = ChatMessages.ToTemplateMessages(body.Node("messages"));
            var addGenerationPrompt = body.OptionalBool("add_generation_prompt") ?? true;
            tokens = model.EncodePrompt(model.RenderChat(messages, null, addGenerationPrompt), isRenderedChat: true);
        }
        else
        {
            var prompt = body.OptionalString("prompt") ?? throw ApiException.InvalidParameter("prompt", "Send 'prompt' (a string) or 'messages'.");
            tokens = model.EncodePrompt(prompt, isRenderedChat: false);
        }

        return TypedResults.Json(new JsonObject
        {
            ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)t).ToArray()),
            ["count"] = tokens.Count,
            ["max_model_len"] = model.Descriptor.ContextLength,
        });
    }

    private static async Task<IResult> DetokenizeAsync(HttpContext http, IModelProvider models, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var model = await GenerationGuard.ResolveModelAsync(http, models, body, cancellationToken);
        if (body.Node("tokens") is not JsonArray array || !array.All(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out _)))
        {
            throw ApiException.InvalidParameter("tokens", "'tokens' must be an array of token ids.");
        }

        var ids = array.Select(t => t!.GetValue<int>()).ToList();
        GenerationGuard.CheckTokenIds(model.Tokenizer, ids, "tokens");
        return TypedResults.Json(new JsonObject { ["prompt"] = model.Tokenizer.Decode(ids) });
    }
}
