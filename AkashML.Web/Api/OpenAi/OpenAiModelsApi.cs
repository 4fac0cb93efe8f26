using System.Globalization;
using System.Text.Json.Nodes;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Web.Gateway;

namespace AkashML.Web.Api.OpenAi;

/// <summary><c>GET /v1/models</c> and <c>/v1/models/{id}</c>, with AkashML's pricing and capability fields.</summary>
public static class OpenAiModelsApi
{
    private static readonly string[] SamplingParameters =
        ["temperature", "top_p", "top_k", "min_p", "frequency_penalty", "presence_penalty", "repetition_penalty", "seed", "stop", "logit_bias", "logprobs", "top_logprobs", "max_tokens"];

    /// <summary>What the official GenAI engine's own search gives (the rest is refused with 400 naming it).</summary>
    private static readonly string[] OfficialEngineSamplingParameters =
        ["temperature", "top_p", "top_k", "repetition_penalty", "seed", "stop", "max_tokens"];

    public static RouteGroupBuilder MapOpenAiModelsApi(this RouteGroupBuilder group)
    {
        // A key with an allow-list sees only its models, and is told which when it asks for another by id.
        group.MapGet("/models", (IModelProvider models, HttpContext http) => TypedResults.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(models.List().Where(m => Allows(http, m)).Select(m => (JsonNode)Entry(m)).ToArray()),
        })).WithName("ListModels");
        group.MapGet("/models/{**id}", (string id, IModelProvider models, HttpContext http) =>
            models.Find(Uri.UnescapeDataString(id)) is not { } model ? throw ApiException.ModelNotFound(Uri.UnescapeDataString(id))
            : Allows(http, model) ? TypedResults.Json(Entry(model))
            : throw ApiException.ModelNotAllowed(http.Features.Get<GatewayCall>()!.Key, Uri.UnescapeDataString(id), model.Id)).WithName("GetModel");
        return group;
    }

    public static JsonObject Entry(ModelDescriptor model) => new()
    {
        ["id"] = model.Id,
        ["object"] = "model",
        ["created"] = model.CreatedAt.ToUnixTimeSeconds(),
        ["owned_by"] = model.Id.Contains('/', StringComparison.Ordinal) ? model.Id[..model.Id.IndexOf('/', StringComparison.Ordinal)] : "akashml",
        ["name"] = model.DisplayName,
        ["description"] = model.Description,
        ["context_length"] = model.ContextLength,
        ["max_output_length"] = model.MaxOutputTokens ?? model.ContextLength,
        ["pricing"] = new JsonObject
        {
            // Per token, as strings: the market's convention (exact decimals, no float rounding).
            ["prompt"] = PerToken(model.InputPricePerMillion),
            ["completion"] = PerToken(model.OutputPricePerMillion),
            ["input_cache_read"] = PerToken(model.EffectiveCachedInputPricePerMillion),
            ["input_per_million"] = model.InputPricePerMillion.ToString(CultureInfo.InvariantCulture),
            ["output_per_million"] = model.OutputPricePerMillion.ToString(CultureInfo.InvariantCulture),
            ["cached_input_per_million"] = model.EffectiveCachedInputPricePerMillion.ToString(CultureInfo.InvariantCulture),
        },
        ["quantization"] = model.Quantization,
        // Which runtime serves it: ours, or the official ONNX Runtime GenAI for architectures ours does not implement.
        ["engine"] = model.Engine,
        ["supported_sampling_parameters"] = new JsonArray((model.Engine == ModelEngines.OnnxRuntimeGenAI ? OfficialEngineSamplingParameters : SamplingParameters).Select(p => (JsonNode)p).ToArray()),
        ["supported_features"] = model.Engine == ModelEngines.OnnxRuntimeGenAI
            ? new JsonArray("streaming", "seed", "stop_sequences")
            : new JsonArray("streaming", "logprobs", "json_mode", "seed", "stop_sequences"),
        ["input_modalities"] = new JsonArray("text"),
        ["output_modalities"] = new JsonArray("text"),
        ["smoke_test"] = model.IsSmokeTest,
    };

    /// <summary>Whether the key of the request may call <paramref name="model"/> (every model when the request has no call).</summary>
    internal static bool Allows(HttpContext http, ModelDescriptor model) => http.Features.Get<GatewayCall>()?.Key.Limits.Allows(model.Id) ?? true;

    private static string PerToken(decimal perMillion) =>
        (perMillion / 1_000_000m).ToString("0.############################", CultureInfo.InvariantCulture);
}
