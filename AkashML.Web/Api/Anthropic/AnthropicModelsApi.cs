using System.Globalization;
using System.Text.Json.Nodes;
using AkashML.Inference.Catalog;
using AkashML.Inference.Serving;
using AkashML.Web.Gateway;

namespace AkashML.Web.Api.Anthropic;

/// <summary>
/// <c>GET /anthropic/v1/models</c> in Anthropic's list shape. Ids with <c>/</c> are listed twice, the second time with
/// <c>--</c> in place of <c>/</c>, because Claude Code refuses model names containing slashes.
/// </summary>
public static class AnthropicModelsApi
{
    public static RouteGroupBuilder MapAnthropicModelsApi(this RouteGroupBuilder group)
    {
        group.MapGet("/models", (IModelProvider models, HttpContext http) =>
        {
            var entries = new JsonArray();
            foreach (var model in models.List().Where(m => OpenAi.OpenAiModelsApi.Allows(http, m)))
            {
                entries.Add(Entry(model, model.Id));
                if (model.Id.Contains('/', StringComparison.Ordinal))
                {
                    entries.Add(Entry(model, model.Id.Replace("/", "--", StringComparison.Ordinal)));
                }
            }

            return TypedResults.Json(new JsonObject
            {
                ["data"] = entries,
                ["has_more"] = false,
                ["first_id"] = entries.Count > 0 ? entries[0]!["id"]!.DeepClone() : null,
                ["last_id"] = entries.Count > 0 ? entries[^1]!["id"]!.DeepClone() : null,
            });
        }).WithName("AnthropicListModels");
        group.MapGet("/models/{**id}", (string id, IModelProvider models, HttpContext http) =>
            models.Find(Uri.UnescapeDataString(id)) is not { } model ? throw ApiException.ModelNotFound(Uri.UnescapeDataString(id))
            : OpenAi.OpenAiModelsApi.Allows(http, model) ? TypedResults.Json(Entry(model, Uri.UnescapeDataString(id)))
            : throw ApiException.ModelNotAllowed(http.Features.Get<GatewayCall>()!.Key, Uri.UnescapeDataString(id), model.Id)).WithName("AnthropicGetModel");
        return group;
    }

    public static IEndpointRouteBuilder MapAnthropicProbes(this IEndpointRouteBuilder endpoints)
    {
        // Claude Code and SDK health checks probe the base URL with GET and HEAD.
        endpoints.MapMethods("/anthropic", ["GET", "HEAD"], () => TypedResults.Json(new JsonObject { ["status"] = "ok" })).ExcludeFromDescription();
        endpoints.MapMethods("/", ["HEAD"], () => TypedResults.Ok()).ExcludeFromDescription();
        return endpoints;
    }

    private static JsonObject Entry(ModelDescriptor model, string id) => new()
    {
        ["type"] = "model",
        ["id"] = id,
        ["display_name"] = model.DisplayName,
        ["created_at"] = model.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };
}
