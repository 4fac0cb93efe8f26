using AkashML.Web.Api;
using AkashML.Web.Api.OpenAi;
using Microsoft.AspNetCore.Antiforgery;

namespace AkashML.Web.Playground;

/// <summary>
/// <c>POST /dashboard/api/chat/completions</c>: the playground's chat, served by the public chat-completions handler
/// inside the same API pipeline (Inference-Id, errors, credits, usage), authenticated by cookie + antiforgery token and
/// recorded with surface <c>playground</c>.
/// </summary>
public static class PlaygroundApi
{
    public const string ChatPath = "/dashboard/api/chat/completions";

    public static IEndpointRouteBuilder MapPlaygroundApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/dashboard/api")
            .WithApiPipeline<PlaygroundUserFilter>(ApiSurface.Playground)
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .ExcludeFromDescription()
            .MapPost("/chat/completions", ChatCompletionsApi.CreateAsync)
            .WithName("PlaygroundChatCompletion");
        return endpoints;
    }
}
