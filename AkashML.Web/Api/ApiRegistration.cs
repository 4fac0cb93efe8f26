using AkashML.Web.Api.Anthropic;
using AkashML.Web.Api.OpenAi;
using AkashML.Web.Api.Tokenization;
using AkashML.Web.Gateway;

namespace AkashML.Web.Api;

/// <summary>
/// Maps the public APIs. Every group gets one filter, <see cref="ApiCallFilter"/>: Inference-Id, key authentication,
/// the gateway call (limits, settlement, usage record) and the surface's error shape.
/// </summary>
public static class ApiRegistration
{
    public static IServiceCollection AddPublicApis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapPublicApis(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/v1").WithApiDefaults(ApiSurface.OpenAi).WithTags("OpenAI")
            .MapOpenAiModelsApi()
            .MapCompletionsApi()
            .MapChatCompletionsApi();

        endpoints.MapAnthropicProbes();
        endpoints.MapGroup("/anthropic/v1").WithApiDefaults(ApiSurface.Anthropic).WithTags("Anthropic")
            .MapAnthropicModelsApi()
            .MapMessagesApi();

        endpoints.MapGroup("").WithApiDefaults(ApiSurface.OpenAi).WithTags("Tokenizer")
            .MapTokenizationApi();
        return endpoints;
    }

    /// <summary>The public APIs' pipeline; no antiforgery (no cookies are involved).</summary>
    private static RouteGroupBuilder WithApiDefaults(this RouteGroupBuilder group, ApiSurface surface)
    {
        group.WithMetadata(BoundsItsOwnBody.Instance);
        group.AddEndpointFilterFactory((context, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<ApiCallFilter>(context.ApplicationServices, surface);
            return invocation => filter.InvokeAsync(invocation, next);
        });
        group.DisableAntiforgery();
        return group;
    }
}
