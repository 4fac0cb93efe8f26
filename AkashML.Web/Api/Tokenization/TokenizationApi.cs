using System.Text.Json;
using System.Text.Json.Nodes;
using AkashML.Inference.Serving;
using AkashML.Web.Api.OpenAi;
using AkashML.Web.Gateway;
using Microsoft.AspNetCore.Http.Features;
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

    private static async Task<IResult> TokenizeAsync(HttpContext http, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var model = await http.Features.GetRequiredFeature<GatewayCall>().ResolveModelAsync(body, cancellationToken);
        // vLLM's defaults: a prompt gets the tokenizer's special tokens (BOS), a rendered chat does not (its template
        // writes them); "add_special_tokens" overrides either.
        var addSpecialTokens = body.OptionalBool("add_special_tokens");
        string text;
        bool isRenderedChat;
        if (body.Has("messages"))
        {
            var messages = ChatMessages.ToTemplateMessages(body.Node("messages"));
            var addGenerationPrompt = body.OptionalBool("add_generation_prompt") ?? true;
            text = model.RenderChat(messages, null, addGenerationPrompt);
            isRenderedChat = true;
        }
        else
        {
            text = body.OptionalString("prompt") ?? throw ApiException.InvalidParameter("prompt", "Send 'prompt' (a string) or 'messages'.");
            isRenderedChat = false;
        }

        var tokens = addSpecialTokens is { } add ? model.Tokenizer.Encode(text, add) : model.EncodePrompt(text, isRenderedChat);

        return TypedResults.Json(new JsonObject
        {
            ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)t).ToArray()),
            ["count"] = tokens.Count,
            ["max_model_len"] = model.Descriptor.ContextLength,
        });
    }

    private static async Task<IResult> DetokenizeAsync(HttpContext http, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, cancellationToken);
        var model = await http.Features.GetRequiredFeature<GatewayCall>().ResolveModelAsync(body, cancellationToken);
        if (body.Node("tokens") is not JsonArray array || !array.All(t => t is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out _)))
        {
            throw ApiException.InvalidParameter("tokens", "'tokens' must be an array of token ids.");
        }

        var ids = array.Select(t => t!.GetValue<int>()).ToList();
        GenerationGuard.CheckTokenIds(model.Tokenizer, ids, "tokens");
        return TypedResults.Json(new JsonObject { ["prompt"] = model.Tokenizer.Decode(ids) });
    }
}
